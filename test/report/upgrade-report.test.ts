// An upgrade cell through every report: its checks' figures survive JUnit (measured.* testcase
// properties), reach matrix.json, and matrix.md shows them per upgrade cell; diff compares them like any check.
import { describe, expect, test } from '@jest/globals';
import { judgeUpgrade } from '../../harness/upgrade/disruption.ts';
import type { MonitorEvent } from '../../harness/upgrade/monitor-script.ts';
import { buildCellJUnit } from '../../harness/report/junit-write.ts';
import { readCellJUnit } from '../../harness/report/junit-read.ts';
import { buildMatrix, parseMatrix } from '../../harness/report/matrix.ts';
import { renderMarkdown } from '../../harness/report/markdown.ts';
import { diffMatrices } from '../../harness/report/diff.ts';
import { cell, pass, RUN } from './fixtures.ts';

const T0 = 1_800_000_000_000;
const window = { upgradeStartedAt: T0 + 5_000, rolledOutAt: T0 + 9_000, stoppedAt: T0 + 19_000, from: 'v0.27.3', to: 'v0.27.4' };

function monitored(brokenAt?: number) {
  const events: MonitorEvent[] = [{ at: T0, type: 'started' }, { at: T0 + 1, type: 'hold', id: 'hold.cross', event: 'open' }];
  for (let at = T0; at < window.stoppedAt; at += 200) {
    events.push({ at, type: 'probe', id: 'tcp.cross', exitCode: 0, output: '' });
    if (brokenAt === undefined || at < brokenAt) events.push({ at: at + 2, type: 'hold', id: 'hold.cross', event: 'reply', detail: '1' });
  }
  if (brokenAt !== undefined) events.push({ at: brokenAt, type: 'hold', id: 'hold.cross', event: 'broken', detail: 'eof' });
  return judgeUpgrade({
    records: [{ source: 'client-a', targets: { 'tcp.cross': '10.244.2.4:80', 'hold.cross': '10.244.2.4:80' }, events: events.sort((a, b) => a.at - b.at) }],
    window,
    maxGapMs: 3000,
    leaksUnsupported: 'flannel enforces no NetworkPolicy',
    overhead: { monitorSetupMs: '2100' },
    agents: { replaced: 3, total: 3, daemonSets: ['kube-flannel/kube-flannel-ds'] },
  }).filter((t) => !t.name.includes('same-node') && !t.name.includes('UDP') && !t.name.includes('Service') && !t.name.includes('DNS'));
}

const upgradeCell = (brokenAt?: number) =>
  cell('flannel', 'iptables', [...monitored(brokenAt), pass('dns', 'resolves')], {}) as ReturnType<typeof cell>;
const asUpgrade = (result: ReturnType<typeof cell>) => ({ ...result, cell: { ...result.cell, id: 'flannel-upg-iptables', cniVersion: 'v0.27.3→v0.27.4' } });

describe('upgrade cells in the reports', () => {
  test('figures round-trip through JUnit and matrix.json; matrix.md has a table per upgrade cell', () => {
    const written = asUpgrade(upgradeCell());
    const read = readCellJUnit(buildCellJUnit(written));
    expect(read.tests.filter((t) => t.suite === 'upgrade')).toEqual(written.tests.filter((t) => t.suite === 'upgrade').map((t) => ({ ...t, durationMs: Math.round(t.durationMs) })));
    expect(read.tests.find((t) => t.name.includes('rolled out'))?.figures).toMatchObject({ rolloutMs: '4000', monitorSetupMs: '2100' });
    const matrix = parseMatrix(JSON.parse(JSON.stringify(buildMatrix([read], RUN))));
    expect(matrix.tests[0]?.suite).toBe('upgrade');
    const markdown = renderMarkdown(matrix);
    expect(markdown).toContain('#### Upgrade flannel v0.27.3→v0.27.4 · iptables');
    expect(markdown).toContain('| established cross-node TCP connections survive the upgrade | ✅ | connections 1 · broken 0 · longestStallMs 200 |');
  });

  test('diff reports an upgrade check that regressed, with the failure naming when the connection broke', () => {
    const before = buildMatrix([readCellJUnit(buildCellJUnit(asUpgrade(upgradeCell())))], RUN);
    const after = buildMatrix([readCellJUnit(buildCellJUnit(asUpgrade(upgradeCell(T0 + 7_000))))], { ...RUN, id: 'after' });
    const diff = diffMatrices(before, after);
    expect(JSON.stringify(diff)).toContain('established cross-node TCP connections survive the upgrade');
    expect(JSON.stringify(diff)).toContain('eof at +2.0s');
  });
});
