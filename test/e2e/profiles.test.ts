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

test('all five CNIs install, become ready and pass pod-network; SCTP and IPv6 are unsupported exactly where the profile or the cluster says', async () => {
  const runId = 'profiles';
  const result = await world.cnimatrix([
    'run', '--config', world.configFile, '--cni', 'kindnet,calico,flannel,cilium,weave', '--proxy-mode', 'iptables',
    '--suites', 'pod-network', '--run-id', runId, '--parallel', '3',
  ]);
  if (result.exitCode !== 0) throw new Error(`cnimatrix run exited ${result.exitCode}\n${result.all}`);
  // The sim's runs override the cni-plugins archive (test/e2e/fixtures/fake-manifests.ts), and say so.
  expect(result.all).toMatch(/flannel-iptables +  extract \.\/bridge from file:\S+ \(overrides\.manifests\.cni-bridge-plugin, in place of cni-plugins-linux-\w+-v[\d.]+\.tgz\)/);
  const matrix = JSON.parse(readFileSync(join(world.reportsDir, runId, 'matrix.json'), 'utf8')) as Matrix;
  expect(matrix.cells.map((c) => c.id)).toEqual(['kindnet-iptables', 'calico-iptables', 'flannel-iptables', 'cilium-iptables', 'weave-iptables']);
  for (const cell of matrix.cells) {
    const install = cell.phases.find((p) => p.phase === 'install-cni');
    expect(install?.status).toBe(cell.cni === 'kindnet' ? 'skipped' : 'ok');
    const withSctp = cell.capabilities.includes('sctp');
    // The four IPv6 checks everywhere: the profiles that declare ipv6 are probed IPv4-only on a
    // kind cell, Weave declares none.
    expect(matrix.summary[cell.id]?.unsupported).toBe((withSctp ? 0 : 2) + 4);
    expect(cell.capabilities.includes('ipv6')).toBe(cell.cni !== 'weave');
    if (cell.cni !== 'weave') expect(cell.probedAbsent?.ipv6).toMatch(/^pods get no IPv6 address on any node: the pod network is IPv4-only/);
  }
  expect(await world.clusters()).toEqual([]);
}, 10 * 60_000);
