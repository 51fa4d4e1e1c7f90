// Every CNI profile's install path runs through the product as for a user — prepare steps (the
// Flannel bridge plugin), pinned manifests fetched and hash-checked, transforms, generated objects,
// readiness waits — against stand-ins of the upstream manifests, and each cell then carries pods.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Matrix } from '../../harness/report/matrix.ts';
import { createSimWorld, type SimWorld } from './run-harness.ts';

let world: SimWorld;

beforeAll(() => {
  world = createSimWorld();
});

afterAll(async () => {
  await world.dispose();
});

test('all five CNIs install, become ready and pass pod-network; SCTP is unsupported exactly where the profile says', async () => {
  const runId = 'profiles';
  const result = await world.cnimatrix([
    'run', '--config', world.configFile, '--cni', 'kindnet,calico,flannel,cilium,weave', '--proxy-mode', 'iptables',
    '--suites', 'pod-network', '--run-id', runId, '--parallel', '3',
  ]);
  if (result.exitCode !== 0) throw new Error(`cnimatrix run exited ${result.exitCode}\n${result.all}`);
  expect(result.all).toMatch(/flannel-iptables +  extract bridge from cni-plugins/);
  const matrix = JSON.parse(readFileSync(join(world.reportsDir, runId, 'matrix.json'), 'utf8')) as Matrix;
  expect(matrix.cells.map((c) => c.id)).toEqual(['kindnet-iptables', 'calico-iptables', 'flannel-iptables', 'cilium-iptables', 'weave-iptables']);
  for (const cell of matrix.cells) {
    const install = cell.phases.find((p) => p.phase === 'install-cni');
    expect(install?.status).toBe(cell.cni === 'kindnet' ? 'skipped' : 'ok');
    const withSctp = cell.capabilities.includes('sctp');
    expect(matrix.summary[cell.id]?.unsupported).toBe(withSctp ? 0 : 2);
  }
  expect(await world.clusters()).toEqual([]);
}, 10 * 60_000);
