import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { diffMatrices, hasRegressions, renderDiffMarkdown } from '../../harness/report/diff.ts';
import { loadMatrix } from '../../harness/report/load-matrix.ts';
import { buildMatrix } from '../../harness/report/matrix.ts';
import { cell, errored, fail, flaky, NO_SCTP_EVIDENCE, pass, probedAbsent, RUN, unsupported } from './fixtures.ts';

const base = buildMatrix(
  [
    cell('calico', 'iptables', [
      pass('dns', 'regresses'),
      fail('dns', 'gets fixed', 'was broken'),
      pass('dns', 'becomes flaky'),
      unsupported('dns', 'unsupported then errors', 'no ipv6'),
      pass('dns', 'loses support'),
      pass('dns', 'removed test'),
      fail('dns', 'stays failing', 'same'),
    ]),
    cell('cilium', 'none', [pass('services', 'ClusterIP')]),
    cell('weave', 'ipvs', [pass('services', 'ClusterIP')]),
  ],
  { ...RUN, id: 'base-run' },
);

const candidate = buildMatrix(
  [
    cell('calico', 'iptables', [
      fail('dns', 'regresses', 'expected NOERROR, got SERVFAIL'),
      pass('dns', 'gets fixed'),
      flaky('dns', 'becomes flaky', 'flipped'),
      errored('dns', 'unsupported then errors', 'exec failed'),
      unsupported('dns', 'loses support', 'capability dropped'),
      fail('dns', 'stays failing', 'same'),
      pass('dns', 'new test'),
    ]),
    cell('cilium', 'none', [], { error: { phase: 'install-cni', message: 'helm timed out' } }),
    cell('kindnet', 'iptables', [pass('services', 'ClusterIP')]),
  ],
  { ...RUN, id: 'cand-run' },
);

describe('diffMatrices', () => {
  const diff = diffMatrices(base, candidate);

  test('regressions: pass/flaky/unsupported → fail/error, including tests lost to a broken cell', () => {
    expect(diff.regressions).toEqual([
      { cell: 'calico-iptables', suite: 'dns', name: 'regresses', from: 'pass', to: 'fail', message: 'expected NOERROR, got SERVFAIL' },
      { cell: 'calico-iptables', suite: 'dns', name: 'unsupported then errors', from: 'unsupported', to: 'error', message: 'exec failed' },
      { cell: 'cilium-none', suite: 'services', name: 'ClusterIP', from: 'pass', to: 'error', message: 'helm timed out' },
    ]);
    expect(diff.brokenCells).toEqual([{ cell: 'cilium-none', phase: 'install-cni', message: 'helm timed out' }]);
    expect(hasRegressions(diff)).toBe(true);
  });

  test('fixes, flake changes and other changes', () => {
    expect(diff.fixes).toEqual([{ cell: 'calico-iptables', suite: 'dns', name: 'gets fixed', from: 'fail', to: 'pass' }]);
    expect(diff.flakeChanges).toEqual([{ cell: 'calico-iptables', suite: 'dns', name: 'becomes flaky', from: 'pass', to: 'flaky' }]);
    expect(diff.otherChanges).toEqual([{ cell: 'calico-iptables', suite: 'dns', name: 'loses support', from: 'pass', to: 'unsupported' }]);
  });

  test('new and removed tests and cells', () => {
    expect(diff.newTests).toEqual([{ suite: 'dns', name: 'new test', statuses: { 'calico-iptables': 'pass' } }]);
    expect(diff.removedTests).toEqual([{ suite: 'dns', name: 'removed test', statuses: { 'calico-iptables': 'pass' } }]);
    expect(diff.newCells).toEqual(['kindnet-iptables']);
    expect(diff.removedCells).toEqual(['weave-ipvs']);
  });

  test('a matrix compared with itself has no changes', () => {
    const same = diffMatrices(base, base);
    expect(hasRegressions(same)).toBe(false);
    expect([same.fixes, same.flakeChanges, same.otherChanges, same.newTests, same.removedTests, same.newCells, same.removedCells].every((l) => l.length === 0)).toBe(true);
  });

  test('a cell that runs again is reported, its recovered tests are fixes', () => {
    const back = diffMatrices(candidate, base);
    expect(back.recoveredCells).toEqual(['cilium-none']);
    expect(back.fixes).toContainEqual({ cell: 'cilium-none', suite: 'services', name: 'ClusterIP', from: 'error', to: 'pass' });
    expect(back.regressions.map((r) => r.name)).toEqual(['gets fixed']);
  });

  test('renders Markdown with each section', () => {
    const md = renderDiffMarkdown(diff);
    expect(md).toContain('## cnimatrix diff — base-run → cand-run');
    expect(md).toContain('**3 regressions, 1 cell could not run**');
    expect(md).toContain('| calico-iptables | dns | regresses | ✅ pass | ❌ fail | expected NOERROR, got SERVFAIL |');
    for (const heading of ['### Cells that could not run', '### Regressions', '### Fixes', '### Flake changes', '### Other changes', '### New tests', '### Removed tests', '### New cells', '### Removed cells']) {
      expect(md).toContain(heading);
    }
    expect(renderDiffMarkdown(diffMatrices(base, base))).toContain('**No regressions**');
  });
});

test('a matrix.json written before capabilities were probed compares with one that records them, either way round', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnimatrix-diff-'));
  try {
    const before = buildMatrix([cell('calico', 'iptables', [pass('pod-network', 'same node › SCTP'), pass('dns', 'A record')])], { ...RUN, id: 'before' });
    const after = buildMatrix(
      [probedAbsent(cell('calico', 'iptables', [unsupported('pod-network', 'same node › SCTP', `needs sctp: ${NO_SCTP_EVIDENCE}`), pass('dns', 'A record')]), { sctp: NO_SCTP_EVIDENCE })],
      { ...RUN, id: 'after' },
    );
    const oldFile = join(dir, 'old.json');
    const newFile = join(dir, 'new.json');
    await writeFile(oldFile, JSON.stringify(before), 'utf8');
    await writeFile(newFile, JSON.stringify(after), 'utf8');
    expect(JSON.parse(JSON.stringify(before)).cells[0]).not.toHaveProperty('probedAbsent');

    const forward = diffMatrices(await loadMatrix(oldFile), await loadMatrix(newFile));
    expect(hasRegressions(forward)).toBe(false);
    expect(forward.otherChanges).toEqual([{ cell: 'calico-iptables', suite: 'pod-network', name: 'same node › SCTP', from: 'pass', to: 'unsupported' }]);
    const backward = diffMatrices(await loadMatrix(newFile), await loadMatrix(oldFile));
    expect(backward.otherChanges).toEqual([{ cell: 'calico-iptables', suite: 'pod-network', name: 'same node › SCTP', from: 'unsupported', to: 'pass' }]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
