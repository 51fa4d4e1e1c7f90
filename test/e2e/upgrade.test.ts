// `cnimatrix run --upgrade flannel:v0.26.7..v0.27.4` on the sim: the upgrade cell installs
// v0.26.7, rolls v0.27.4 out in place under the disruption monitor, then runs the suites. The
// faithful upgrade is green and its column carries the figures; an upgrade that resets connections
// or stops traffic for seconds is red with a message naming what broke and when.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Matrix } from '../../harness/report/matrix.ts';
import { faultEnvName } from '../sim/kind/state.ts';
import { createSimWorld, type SimWorld } from './run-harness.ts';

const MINUTES = 60_000;
const CELL = 'flannel-upg-iptables';
let world: SimWorld;

beforeAll(() => {
  world = createSimWorld();
});

afterAll(async () => {
  await world.dispose();
});

const readMatrix = (runId: string) => JSON.parse(readFileSync(join(world.reportsDir, runId, 'matrix.json'), 'utf8')) as Matrix;
const upgradeChecks = (matrix: Matrix) =>
  matrix.tests.filter((t) => t.suite === 'upgrade').map((t) => ({ name: t.name, ...t.results[CELL]! }));

async function upgrade(runId: string, faults?: string) {
  return world.cnimatrix(
    ['run', '--config', world.configFile, '--upgrade', 'flannel:v0.26.7..v0.27.4', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--run-id', runId],
    faults === undefined ? {} : { [faultEnvName(`cnimatrix-${runId}-${CELL}`)]: faults },
  );
}

describe('upgrade cells on the sim', () => {
  test('the faithful upgrade is green: its own column, every upgrade check passed with its figures, the suites ran on the new version', async () => {
    const result = await upgrade('upg-faithful');
    expect({ exitCode: result.exitCode, tail: result.all.slice(-3000) }).toMatchObject({ exitCode: 0 });
    expect(result.all).toMatch(/flannel-upg-iptables +flannel v0\.27\.4 rolled out in [\d.]+s; monitoring 10s more/);
    const matrix = readMatrix('upg-faithful');
    expect(matrix.cells.map((c) => [c.id, c.cniVersion])).toEqual([[CELL, 'v0.26.7→v0.27.4']]);
    expect(matrix.cells[0]?.phases.map((p) => [p.phase, p.status])).toContainEqual(['upgrade-cni', 'ok']);
    const checks = upgradeChecks(matrix);
    expect(checks.filter((c) => c.status !== 'pass').map((c) => [c.name, c.status])).toEqual([['NetworkPolicy keeps isolating pods through the upgrade (no allow-leak)', 'unsupported']]);
    expect(checks.find((c) => c.name.includes('cross-node pod-to-pod TCP'))?.figures).toMatchObject({ lost: '0', maxGapMs: '3000' });
    expect(Number(checks.find((c) => c.name.includes('rolled out'))?.figures?.rolloutMs)).toBeGreaterThan(0);
    expect(matrix.tests.some((t) => t.suite === 'pod-network' && t.results[CELL]?.status === 'pass')).toBe(true);
    expect(readFileSync(join(world.reportsDir, 'upg-faithful', 'matrix.md'), 'utf8')).toContain('#### Upgrade flannel v0.26.7→v0.27.4 · iptables');
  }, 10 * MINUTES);

  test('an upgrade that resets established connections is red, naming the connections and when they broke', async () => {
    const result = await upgrade('upg-reset', 'upgrade-resets-connections');
    expect(result.exitCode).toBe(1);
    const failed = upgradeChecks(readMatrix('upg-reset')).filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.name)).toEqual(expect.arrayContaining(['established cross-node TCP connections survive the upgrade']));
    expect(failed.find((c) => c.name.includes('cross-node TCP connections'))?.message).toMatch(/connections held open across the upgrade v0\.26\.7→v0\.27\.4 broke: client-[ab] → [\d.]+:80: (eof|write) at \+[\d.]+s/);
  }, 10 * MINUTES);

  test('an upgrade that stops pod traffic for 6 s on each node is red on the paths it stopped, with the gap and its window', async () => {
    const result = await upgrade('upg-gap', 'upgrade-gap:6000');
    expect(result.exitCode).toBe(1);
    const checks = upgradeChecks(readMatrix('upg-gap'));
    const tcp = checks.find((c) => c.name === 'cross-node pod-to-pod TCP keeps answering through the upgrade');
    expect(tcp?.status).toBe('fail');
    expect(tcp?.message).toMatch(/went [6-9]\.\ds without an answer \(\+[\d.]+s\.\.\+[\d.]+s of the upgrade v0\.26\.7→v0\.27\.4; the limit is 3\.0s, upgradeMaxGap\)/);
    // Held connections stall but survive a gap: TCP retransmits.
    expect(checks.find((c) => c.name.includes('cross-node TCP connections'))?.status).toBe('pass');
  }, 10 * MINUTES);
});
