import { describe, expect, test } from '@jest/globals';
import { diffMatrices, hasRegressions, renderDiffMarkdown } from '../../harness/report/diff.ts';
import { buildMatrix } from '../../harness/report/matrix.ts';
import { cell, errored, fail, flaky, pass, RUN, unsupported } from './fixtures.ts';

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
    expect(md).toContain('**3 regressions, 1 cells could not run**');
    expect(md).toContain('| calico-iptables | dns | regresses | ✅ pass | ❌ fail | expected NOERROR, got SERVFAIL |');
    for (const heading of ['### Cells that could not run', '### Regressions', '### Fixes', '### Flake changes', '### Other changes', '### New tests', '### Removed tests', '### New cells', '### Removed cells']) {
      expect(md).toContain(heading);
    }
    expect(renderDiffMarkdown(diffMatrices(base, base))).toContain('**No regressions**');
  });
});
