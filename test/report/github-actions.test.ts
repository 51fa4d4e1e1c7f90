import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { appendStepSummary, errorAnnotations, escapeCommand, inGitHubActions } from '../../harness/report/github-actions.ts';
import { GroupedLineProgress } from '../../harness/run/progress.ts';
import { cell, fail, mixedCell } from './fixtures.ts';

describe('GitHub Actions', () => {
  test('only when GITHUB_ACTIONS=true', () => {
    expect(inGitHubActions({ GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(inGitHubActions({ CI: 'true' })).toBe(false);
  });

  test('one ::error:: per failed check, titled by cell and check, with the first line of evidence', () => {
    expect(errorAnnotations([mixedCell()])).toEqual([
      '::error title=calico-iptables%3A network-policy › deny all ingress::policy deny-all-ingress: 2 of 6 probes differ',
      '::error title=calico-iptables%3A dns › search path::exec into dnsutils failed: pod not ready',
    ]);
  });

  test('annotations are capped; one warning counts the rest', () => {
    const many = cell('calico', 'iptables', Array.from({ length: 60 }, (_, i) => fail('dns', `case ${i}`, 'broke')));
    const lines = errorAnnotations([many]);
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe('::warning::10 more failed checks are not annotated; matrix.md lists them all');
  });

  test('escapes what would end or split a command', () => {
    expect(escapeCommand('100% a\nb')).toBe('100%25 a%0Ab');
    expect(escapeCommand('a: b, c', true)).toBe('a%3A b%2C c');
  });

  test('matrix.md is appended to $GITHUB_STEP_SUMMARY when set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnimatrix-gha-'));
    const summary = join(dir, 'summary.md');
    const matrix = join(dir, 'matrix.md');
    writeFileSync(summary, 'earlier step\n');
    writeFileSync(matrix, '# matrix\n');
    expect(await appendStepSummary(matrix, { GITHUB_STEP_SUMMARY: summary })).toBe(true);
    expect(readFileSync(summary, 'utf8')).toBe('earlier step\n# matrix\n\n');
    expect(await appendStepSummary(matrix, {})).toBe(false);
  });

  test("each cell's lines come out in a ::group:: of their own, even when cells interleave", async () => {
    const out: string[] = [];
    const progress = new GroupedLineProgress((line) => out.push(line.replace(/^\d\d:\d\d:\d\d /, '')));
    progress.cellStarted('a-iptables');
    progress.cellStarted('b-iptables');
    progress.log('a-iptables', 'from a');
    progress.note('a note');
    progress.log('b-iptables', 'from b');
    progress.cellEnded('a-iptables', cell('calico', 'iptables', []));
    await progress.close();
    expect(out.map((l) => l.replace(/ +/g, ' '))).toEqual([
      'a-iptables started',
      'b-iptables started',
      'a note',
      '::group::a-iptables',
      'a-iptables from a',
      '::endgroup::',
      'a-iptables done: 0 passed, 0 failed, 0 flaky, 0 unsupported, 0 errors',
      '::group::b-iptables',
      'b-iptables from b',
      '::endgroup::',
    ]);
  });
});
