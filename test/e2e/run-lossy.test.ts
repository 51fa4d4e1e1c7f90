// A whole `cnimatrix run` against a correct cell that is slow and a little lossy, as real clusters
// are: the CNI programs every policy change 3 s late and 2 % of paths lose their first
// connection. Nothing may turn red; what needed a second look may be flaky, and is counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Matrix } from '../../harness/report/matrix.ts';
import { requestStats, type SimStats } from '../sim/harness.ts';
import { faultEnvName } from '../sim/kind/state.ts';
import { createSimWorld, type SimWorld } from './run-harness.ts';
import type { StartedNetwork } from 'testcontainers';
import { externalEnv as externalEnvFor, externalNetwork } from './external-setting.ts';

const MINUTES = 60_000;
const runId = 'lossy';
const cell = 'calico-iptables';

let world: SimWorld;
let network: StartedNetwork | undefined;
let result: Awaited<ReturnType<SimWorld['cnimatrix']>>;
let matrix: Matrix;
let stats: SimStats;

beforeAll(async () => {
  world = createSimWorld();
  network = await externalNetwork();
  // Kept, so the sim can say afterwards how often each fault struck.
  result = await world.cnimatrix(['run', '--config', world.configFile, '--cni', 'calico', '--proxy-mode', 'iptables', '--run-id', runId, '--keep', 'all'], {
    ...externalEnvFor(network?.getName()),
    [faultEnvName(`cnimatrix-${runId}-${cell}`)]: 'policy-programming-delay,first-try-drops',
    // The product's own settle window, not the short one the fault tests use.
    CNIMATRIX_SETTLE_SECONDS: '',
  });
  matrix = JSON.parse(readFileSync(join(world.reportsDir, runId, 'matrix.json'), 'utf8')) as Matrix;
  stats = await requestStats(world.env.CNIMATRIX_SIM_HOME!, `cnimatrix-${runId}-${cell}`);
}, 25 * MINUTES);

afterAll(async () => {
  await world.dispose();
  await network?.stop();
});

describe('a correct cell with 3 s policy programming and 2 % first-try drops', () => {
  test('both faults struck: first tries were dropped and probes met policies not yet programmed', () => {
    process.stdout.write(`[lossy] fault effects: ${JSON.stringify(stats.faultEffects)}\n`);
    expect(stats.faultEffects['first-try-drops']).toBeGreaterThan(0);
    expect(stats.faultEffects['policy-programming-delay']).toBeGreaterThan(100);
  });

  test('no check is red and the run exits 0', () => {
    const red = matrix.tests.flatMap((t) => Object.values(t.results).filter((r) => r.status === 'fail' || r.status === 'error').map((r) => `${t.suite} › ${t.name}: ${r.message ?? ''}`));
    expect({ red, exitCode: result.exitCode }).toEqual({ red: [], exitCode: 0 });
  });

  test('every suite ran its checks (the green is not a skip)', () => {
    const counts = matrix.summary[cell]!;
    expect(counts.pass + counts.flaky).toBeGreaterThan(100);
    const suites = new Set(matrix.tests.filter((t) => ['pass', 'flaky'].includes(t.results[cell]?.status ?? '')).map((t) => t.suite));
    expect([...suites].sort()).toEqual(['dns', 'ingress', 'network-policy', 'pod-network', 'services']);
  });

  test('policy scenarios converging after the programming delay are passes, not flaky', () => {
    const policy = matrix.tests.filter((t) => t.suite === 'network-policy').map((t) => t.results[cell]?.status);
    expect(policy.filter((s) => s === 'pass').length).toBeGreaterThan(20);
    expect(policy.filter((s) => s === 'flaky')).toEqual([]);
  });

  test('flaky marks are counted in the matrix, with what the first look saw', () => {
    const flaky = matrix.tests.filter((t) => t.results[cell]?.status === 'flaky');
    expect(matrix.summary[cell]?.flaky).toBe(flaky.length);
    for (const t of flaky) expect(`${t.results[cell]?.message ?? ''} ${t.results[cell]?.detail ?? ''}`).toMatch(/attempt|re-sent|before/);
    process.stdout.write(`[lossy] ${flaky.length} flaky: ${flaky.map((t) => `${t.suite} › ${t.name}`).join('; ') || 'none'}\n`);
  });
});
