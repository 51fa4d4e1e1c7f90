import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { SIM_KIND_BIN, startSimCell } from './harness.ts';
import { isAlive, readReady } from './kind/state.ts';

const home = mkdtempSync(join(tmpdir(), 'cnimatrix-kind-test-'));
const kubeconfig = join(home, 'kubeconfig');
const env = { CNIMATRIX_SIM_HOME: home, KUBECONFIG: kubeconfig };
const kind = (args: string[], extra: { input?: string; env?: Record<string, string> } = {}) =>
  execa(SIM_KIND_BIN, args, { env: { ...env, ...extra.env }, reject: false, ...(extra.input ? { input: extra.input } : {}) });

afterAll(async () => {
  await kind(['delete', 'clusters', '--all']);
});

describe('fake kind executable', () => {
  test('version, and a clear error without CNIMATRIX_SIM_HOME', async () => {
    expect((await kind(['version'])).stdout).toBe('kind v0.33.0 go1.25.1 linux/amd64');
    const noHome = await execa(SIM_KIND_BIN, ['get', 'clusters'], { env: { CNIMATRIX_SIM_HOME: '' }, reject: false });
    expect(noHome.exitCode).toBe(1);
    expect(noHome.stderr).toMatch(/^ERROR: CNIMATRIX_SIM_HOME is not set/);
  });

  test('create, list, duplicate, kubeconfig, nodes, load, export logs, delete, delete absent', async () => {
    const config = 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n';
    const created = await kind(['create', 'cluster', '--name', 'alpha', '--config', '-'], { input: config });
    expect(created.exitCode).toBe(0);
    expect(created.stderr).toContain('Creating cluster "alpha" ...');
    expect(created.stderr).toContain('Set kubectl context to "kind-alpha"');
    expect((await kind(['get', 'clusters'])).stdout).toBe('alpha');
    expect((await kind(['get', 'nodes', '--name', 'alpha'])).stdout.split('\n').sort()).toEqual(['alpha-control-plane', 'alpha-worker']);

    const duplicate = await kind(['create', 'cluster', '--name', 'alpha']);
    expect(duplicate.exitCode).toBe(1);
    expect(duplicate.stderr).toContain('ERROR: failed to create cluster: node(s) already exist for a cluster with the name "alpha"');

    const kc = new KubeConfig();
    kc.loadFromString((await kind(['get', 'kubeconfig', '--name', 'alpha'])).stdout);
    expect(kc.getCurrentContext()).toBe('kind-alpha');
    const nodes = (await kc.makeApiClient(CoreV1Api).listNode()).items;
    expect(nodes.map((n) => n.spec?.podCIDR).sort()).toEqual(['10.244.0.0/24', '10.244.1.0/24']);
    const merged = new KubeConfig();
    merged.loadFromFile(kubeconfig);
    expect(merged.getCurrentContext()).toBe('kind-alpha');
    expect((await kind(['get', 'kubeconfig', '--name', 'alpha', '--internal'])).stdout).toContain('server: https://alpha-control-plane:6443');

    expect((await kind(['load', 'docker-image', 'img:1', '--name', 'alpha'])).stderr).toContain('not yet present on node "alpha-worker"');
    const unknownLoad = await kind(['load', 'docker-image', 'img:1', '--name', 'nope']);
    expect([unknownLoad.exitCode, unknownLoad.stderr]).toEqual([1, 'ERROR: no nodes found for cluster "nope"']);

    const logsDir = join(home, 'logs');
    const logs = await kind(['export', 'logs', logsDir, '--name', 'alpha']);
    expect(logs.stdout).toBe(`Exported logs for cluster "alpha" to:\n${logsDir}`);
    expect(readdirSync(join(logsDir, 'alpha-worker')).sort()).toEqual(['containerd.log', 'images.log', 'inspect.json', 'kubelet.log', 'pods.txt']);

    const pid = readReady(home, 'alpha')!.pid;
    expect(isAlive(pid)).toBe(true);
    const deleted = await kind(['delete', 'cluster', '--name', 'alpha']);
    expect(deleted.exitCode).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(readFileSync(kubeconfig, 'utf8')).not.toContain('kind-alpha');
    const absent = await kind(['delete', 'cluster', '--name', 'alpha']);
    expect([absent.exitCode, absent.stderr]).toEqual([0, 'Deleting cluster "alpha" ...']);
    const none = await kind(['get', 'clusters']);
    expect([none.stdout, none.stderr]).toEqual(['', 'No kind clusters found.']);
  }, 60_000);

  test('config validation errors read like kind', async () => {
    const unknownField = await kind(['create', 'cluster', '--name', 'bad', '--config', '-'], { input: 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  podSubnett: 10.0.0.0/16\n' });
    expect(unknownField.exitCode).toBe(1);
    expect(unknownField.stderr).toContain('json: unknown field "podSubnett"');
    const badMode = await kind(['create', 'cluster', '--name', 'bad', '--config', '-'], { input: 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  kubeProxyMode: userspace\n' });
    expect(badMode.stderr).toContain('ERROR: failed to create cluster: invalid kubeProxyMode: userspace');
    expect(existsSync(join(home, 'clusters', 'bad'))).toBe(false);
  });

  test('create-time faults: docker-down, create-permanent, create-transient:N', async () => {
    const down = await kind(['create', 'cluster', '--name', 'f1'], { env: { CNIMATRIX_SIM_FAULTS_F1: 'docker-down' } });
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toContain('Is the docker daemon running?');
    const permanent = await kind(['create', 'cluster', '--name', 'f2'], { env: { CNIMATRIX_SIM_FAULTS_F2: 'create-permanent' } });
    expect(permanent.stderr).toContain('failed to init node with kubeadm');
    const transientEnv = { env: { CNIMATRIX_SIM_FAULTS_F3: 'create-transient:1' } };
    expect((await kind(['create', 'cluster', '--name', 'f3'], transientEnv)).stderr).toContain('TLS handshake timeout');
    expect((await kind(['create', 'cluster', '--name', 'f3'], transientEnv)).exitCode).toBe(0);
    await kind(['delete', 'cluster', '--name', 'f3']);
  }, 60_000);
});

describe('startSimCell', () => {
  test('a calico cell gets Ready nodes, answers execs, counts requests and leaves no process behind', async () => {
    const cell = await startSimCell({ cni: 'calico', proxyMode: 'ipvs', workers: 1 });
    const pid = readReady(cell.env.CNIMATRIX_SIM_HOME!, cell.clusterName)!.pid;
    try {
      expect(cell.cell.capabilities).toContain('networkPolicy');
      const kc = new KubeConfig();
      kc.loadFromFile(cell.kubeconfigPath);
      const core = kc.makeApiClient(CoreV1Api);
      const nodes = (await core.listNode()).items;
      expect(nodes.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))).toBe(true);
      expect(nodes.map((n) => n.spec?.podCIDR).sort()).toEqual(['192.168.0.0/24', '192.168.1.0/24']);
      const proxy = await core.readNamespacedConfigMap({ name: 'kube-proxy', namespace: 'kube-system' });
      expect(proxy.data?.['config.conf']).toContain('mode: ipvs');
      const stats = await cell.apiStats();
      expect(stats.requests).toBeGreaterThan(0);
      expect(stats.dataplaneExecs).toBe(0);
    } finally {
      await cell.stop();
    }
    expect(isAlive(pid)).toBe(false);
  }, 60_000);
});
