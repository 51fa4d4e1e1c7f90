// A real in-place CNI upgrade on the lane: `cnimatrix run --upgrade flannel:v0.26.7..v0.27.4`
// installs flanneld v0.26.7 (built from its Go module), upgrades it to v0.27.4 with the disruption
// monitor running, then runs pod-network and dns on v0.27.4. The upgrade checks must pass (flannel's
// restart keeps routes and the VXLAN device), their figures are printed for the record, nothing may
// be left on the engine and the egress guard must have dropped nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import type { Matrix } from '../../../harness/report/matrix.ts';
import { BIN as CNIMATRIX } from '../../cli/spawn.ts';
import { guardCounters, type GuardCounters } from './guard.ts';
import { laneClusters, laneContainers, laneEnv, laneRunArgs, laneWorkDir, prepareLane, PREPARE_MS, type Lane } from './lane.ts';
import { laneRuns } from './require-lane.ts';

const RUN_MS = 20 * 60_000;
const CELL = 'flannel-upg-iptables';
const RUN_ID = `upg-${Date.now().toString(36)}`;

(laneRuns('a real upgrade cell') ? describe : describe.skip)('a real flannel upgrade on the lane', () => {
  let lane: Lane;
  let before: GuardCounters;
  let run: { exitCode: number | undefined; matrix: Matrix; output: string };

  beforeAll(async () => {
    lane = prepareLane();
    const work = laneWorkDir(lane);
    before = guardCounters();
    const args = ['run', '--upgrade', 'flannel:v0.26.7..v0.27.4', '--proxy-mode', 'iptables', '--suites', 'pod-network,dns', ...laneRunArgs(lane, work, RUN_ID)];
    process.stdout.write(`[lane] cnimatrix ${args.join(' ')}\n`);
    const result = await execa(CNIMATRIX, args, {
      cwd: work, reject: false, extendEnv: false, env: laneEnv(lane), timeout: RUN_MS, all: true,
      stdout: ['pipe', 'inherit'], stderr: ['pipe', 'inherit'],
    });
    run = { exitCode: result.exitCode, output: result.all ?? '', matrix: JSON.parse(readFileSync(join(work, 'reports', RUN_ID, 'matrix.json'), 'utf8')) as Matrix };
    const figures = run.matrix.tests.filter((t) => t.suite === 'upgrade').map((t) => `[lane] ${t.results[CELL]?.status} ${t.name}: ${Object.entries(t.results[CELL]?.figures ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    process.stdout.write(`${figures.join('\n')}\n[lane] reports kept in ${join(work, 'reports', RUN_ID)}\n`);
  }, PREPARE_MS + RUN_MS);

  test('the upgrade cell ran to its end, v0.26.7→v0.27.4, with the upgrade-cni phase', () => {
    expect(run.matrix.cells.map((c) => [c.id, c.cniVersion, c.error?.message])).toEqual([[CELL, 'v0.26.7→v0.27.4', undefined]]);
    expect(run.matrix.cells[0]?.phases.find((p) => p.phase === 'upgrade-cni')?.status).toBe('ok');
  });

  test('every upgrade check passed, bar the policy-leak check flannel cannot have; the suites passed on v0.27.4', () => {
    const upgrade = run.matrix.tests.filter((t) => t.suite === 'upgrade');
    expect(upgrade.length).toBeGreaterThanOrEqual(10);
    const notPassed = upgrade.filter((t) => !['pass', 'flaky'].includes(t.results[CELL]?.status ?? '')).map((t) => [t.name, t.results[CELL]?.status, t.results[CELL]?.message ?? t.results[CELL]?.detail]);
    expect(notPassed).toEqual([['NetworkPolicy keeps isolating pods through the upgrade (no allow-leak)', 'unsupported', expect.stringContaining('enforces no NetworkPolicy')]]);
    const suites = run.matrix.tests.filter((t) => t.suite !== 'upgrade');
    expect(suites.filter((t) => ['fail', 'error'].includes(t.results[CELL]?.status ?? '')).map((t) => `${t.suite} › ${t.name}: ${t.results[CELL]?.message}`)).toEqual([]);
    expect(suites.filter((t) => t.results[CELL]?.status === 'pass').length).toBeGreaterThan(10);
    expect(run.exitCode).toBe(0);
  });

  test('the monitor really ran through the rollout: probes on every path and a rollout that took time', () => {
    const figure = (words: string, key: string) => run.matrix.tests.find((t) => t.suite === 'upgrade' && t.name.includes(words))?.results[CELL]?.figures?.[key];
    expect(Number(figure('rolled out', 'rolloutMs'))).toBeGreaterThan(1000);
    expect(Number(figure('cross-node pod-to-pod TCP', 'probes'))).toBeGreaterThan(20);
    expect(Number(figure('cross-node TCP connections', 'connections'))).toBe(2);
  });

  test('nothing is left on the lane engine, and nothing left the machine', () => {
    expect(laneClusters(lane, RUN_ID)).toEqual([]);
    expect(laneContainers(lane, RUN_ID)).toEqual([]);
    expect(guardCounters().dropped - before.dropped).toBe(0);
  });
});
