// The ways to run besides create-and-delete: an existing cluster (--kubeconfig), clusters kept
// between runs (--reuse), kept clusters and their cleanup (--keep all, cnimatrix clean), and the
// air-gapped path (cnimatrix images, --preload).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { SIM_KIND_BIN } from '../sim/harness.ts';
import { createSimWorld, type SimWorld } from './run-harness.ts';

const MINUTES = 60_000;
let world: SimWorld;

beforeAll(() => {
  world = createSimWorld();
});

afterEach(async () => {
  await world.deleteAllClusters();
});

afterAll(async () => {
  await world.dispose();
});

const loadedImages = (cluster: string) =>
  JSON.parse(readFileSync(join(world.env.CNIMATRIX_SIM_HOME ?? '', 'clusters', cluster, 'images.json'), 'utf8')) as string[];

test('cnimatrix images lists every image the planned cells need', async () => {
  const result = await world.cnimatrix(['images', '--config', world.configFile, '--cni', 'calico', '--proxy-mode', 'iptables']);
  expect(result.exitCode).toBe(0);
  const images = result.stdout.split('\n');
  expect(images).toEqual([...images].sort());
  expect(images.some((i) => i.startsWith('kindest/node:'))).toBe(true);
  expect(images.some((i) => i.includes('/e2e-test-images/agnhost:'))).toBe(true);
  expect(images.some((i) => i.includes('/e2e-test-images/jessie-dnsutils:'))).toBe(true);
  expect(images.some((i) => i.includes('calico'))).toBe(true);
  expect(images.some((i) => i.includes('ingress-nginx/controller'))).toBe(true);
});

describe('--preload with --keep all, then cnimatrix clean', () => {
  test('the images are loaded before anything is installed, the cluster is kept, clean removes it', async () => {
    const runId = 'preload';
    const cluster = `cnimatrix-${runId}-kindnet-iptables`;
    const images = await world.cnimatrix(['images', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'pod-network']);
    const run = await world.cnimatrix(['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--run-id', runId, '--preload', '--keep', 'all']);
    expect(run.exitCode).toBe(0);
    expect(run.all).toMatch(/kind load docker-image: \d+ images/);
    expect(run.all).toMatch(/delete-cluster skipped .*kept \(--keep all\)/);
    expect(await world.clusters()).toEqual([cluster]);
    const expected = images.stdout.split('\n').filter((i) => !i.startsWith('kindest/node:'));
    expect(loadedImages(cluster).sort()).toEqual(expected.sort());

    const clean = await world.cnimatrix(['clean', '--run', runId]);
    expect(clean.exitCode).toBe(0);
    expect(clean.all).toContain(cluster);
    expect(await world.clusters()).toEqual([]);

    // The same run id again would mix two runs' results: refused, nothing created.
    const again = await world.cnimatrix(['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--run-id', runId]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already holds run preload/);
    expect(again.stderr).toMatch(/cnimatrix run --resume/);
    expect(await world.clusters()).toEqual([]);
  }, 5 * MINUTES);
});

describe('--reuse', () => {
  test('the first run creates and keeps the cluster; the next one reuses it without reinstalling', async () => {
    const args = ['run', '--config', world.configFile, '--cni', 'calico', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--reuse'];
    const first = await world.cnimatrix([...args, '--run-id', 'reuse1']);
    expect(first.exitCode).toBe(0);
    expect(first.all).toMatch(/calico-iptables +install-cni ok/);
    expect(await world.clusters()).toEqual(['cnimatrix-reuse-calico-iptables']);

    const second = await world.cnimatrix([...args, '--run-id', 'reuse2']);
    expect(second.exitCode).toBe(0);
    expect(second.all).toMatch(/reusing cluster cnimatrix-reuse-calico-iptables/);
    expect(second.all).toMatch(/install-cni skipped .*the reused cluster has it already/);
    expect(second.all).not.toMatch(/left by earlier runs/);
    expect(await world.clusters()).toEqual(['cnimatrix-reuse-calico-iptables']);
  }, 5 * MINUTES);
});

describe('--kubeconfig: an existing cluster', () => {
  test('the CNI and proxy mode are detected, the suites run, and the cluster is left alone', async () => {
    const kubeconfig = join(world.dir, 'existing.kubeconfig');
    const config = [
      'kind: Cluster',
      'apiVersion: kind.x-k8s.io/v1alpha4',
      'networking:',
      '  kubeProxyMode: nftables',
      'nodes:',
      '- role: control-plane',
      '- role: worker',
      '- role: worker',
    ].join('\n');
    await execa(SIM_KIND_BIN, ['create', 'cluster', '--name', 'someone-elses', '--config', '-', '--kubeconfig', kubeconfig], { env: world.env, input: config });

    const run = await world.cnimatrix(['run', '--kubeconfig', kubeconfig, '--suites', 'pod-network', '--run-id', 'existing']);
    expect(run.exitCode).toBe(0);
    expect(run.all).toMatch(/detected CNI kindnet \(from its DaemonSet\), proxy mode nftables/);
    expect(run.all).toMatch(/kindnet-nftables +create-cluster skipped/);
    expect(run.all).toMatch(/kindnet-nftables +delete-cluster skipped/);
    expect(await world.clusters()).toEqual(['someone-elses']);
  }, 5 * MINUTES);

  test('a cluster whose CNI cannot be recognised is bad input unless --cni names it', async () => {
    const kubeconfig = join(world.dir, 'bare.kubeconfig');
    const config = ['kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'networking:', '  disableDefaultCNI: true'].join('\n');
    await execa(SIM_KIND_BIN, ['create', 'cluster', '--name', 'bare', '--config', '-', '--kubeconfig', kubeconfig], { env: world.env, input: config });
    const run = await world.cnimatrix(['run', '--kubeconfig', kubeconfig, '--suites', 'dns', '--run-id', 'bare']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/cannot tell which CNI the cluster at .* runs/);
    expect(run.stderr).toMatch(/hint: name it with --cni/);
  }, 5 * MINUTES);
});
