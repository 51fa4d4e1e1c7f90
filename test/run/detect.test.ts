import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { detectCni, detectProxyMode } from '../../harness/run/detect.ts';
import { PROBE_NAMESPACE } from '../../harness/run/proxy-mode-probe.ts';
import { startSimCell } from '../sim/harness.ts';
import { describeExistingCluster } from '../../harness/run/existing-cluster.ts';
import { BadInputError } from '../../harness/model/errors.ts';
import type { Kube, KubeObject } from '../../harness/kube/types.ts';
import { createKube } from '../../harness/kube/index.ts';
import { startCluster, type Cluster } from '../kube/fixtures.ts';
import { startApiServer } from '../sim/apiserver/index.ts';

/** A sim cell starts its own cluster process and probe pods: room for a loaded host. */
const SIM_TEST_MS = 60_000;

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster.server.stop();
});

const daemonSet = (namespace: string, name: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'registry.k8s.io/pause:3.10' }] } },
  },
});

/** A fake cluster whose nodes' kube-proxies answer /proxyMode as given (undefined: nothing listens). */
function answeringKube(answers: Record<string, string | undefined>, kubeProxyPods: string[]): Kube {
  const pod = (name: string, namespace: string, node?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { nodeName: node } });
  return {
    server: 'https://fake',
    apply: async (objects) => objects as KubeObject[],
    get: async () => undefined,
    list: async (_v, kind, opts) => {
      if (kind === 'Node') return Object.keys(answers).map((name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }));
      return opts?.namespace === PROBE_NAMESPACE ? Object.keys(answers).map((n) => pod(`probe-${n}`, PROBE_NAMESPACE, n)) : kubeProxyPods.map((n) => pod(n, 'kube-system'));
    },
    delete: async () => undefined,
    patch: async () => {
      throw new Error('not used');
    },
    waitFor: async () => undefined,
    exec: async (target) => {
      const mode = answers[target.pod.replace('probe-', '')];
      return mode === undefined ? { stdout: '', stderr: 'curl: (7) Failed to connect', exitCode: 7 } : { stdout: mode, stderr: '', exitCode: 0 };
    },
    logs: async () => '',
    events: async () => [],
  };
}

describe('detectProxyMode asks every node\'s kube-proxy', () => {
  test('a kind-style DaemonSet: the mode its pods report', async () => {
    const sim = await startSimCell({ cni: 'kindnet', proxyMode: 'nftables' });
    try {
      expect(await detectProxyMode(createKube({ kubeconfigPath: sim.kubeconfigPath }))).toEqual({ mode: 'nftables', source: "kube-proxy's /proxyMode on all 3 nodes" });
    } finally {
      await sim.stop();
    }
  }, SIM_TEST_MS);

  test('kube-proxy as static pods (no DaemonSet, no ConfigMap the mode could be read from): still the mode it runs in', async () => {
    const sim = await startSimCell({ cni: 'calico', proxyMode: 'iptables' });
    try {
      const kube = createKube({ kubeconfigPath: sim.kubeconfigPath });
      await kube.delete({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'kube-system', name: 'kube-proxy' }, { wait: true, timeoutMs: 5000 });
      await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' });
      const nodes = (await kube.list('v1', 'Node')).map((n) => n.metadata.name);
      await kube.apply(
        nodes.map((node) => ({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `kube-proxy-${node}`, namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
          spec: { nodeName: node, hostNetwork: true, containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.34.4', command: ['kube-proxy', '--proxy-mode=ipvs'] }] },
        })),
      );
      await kube.waitFor({ kind: 'podsReady', namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy', minCount: nodes.length }, 5000);
      expect(await detectProxyMode(kube)).toEqual({ mode: 'ipvs', source: "kube-proxy's /proxyMode on all 3 nodes" });
    } finally {
      await sim.stop();
    }
  }, SIM_TEST_MS);

  test('no kube-proxy on any node and none in kube-system: none, saying how that was found', async () => {
    const sim = await startSimCell({ cni: 'cilium', proxyMode: 'none' });
    try {
      expect(await detectProxyMode(createKube({ kubeconfigPath: sim.kubeconfigPath }))).toEqual({
        mode: 'none',
        source: 'no kube-proxy answers /proxyMode on any of the 3 nodes, and kube-system runs no kube-proxy pod',
      });
    } finally {
      await sim.stop();
    }
  }, SIM_TEST_MS);

  test('kube-proxy pods that do not answer are not taken for none', async () => {
    expect(await detectProxyMode(answeringKube({ a: undefined, b: undefined }, ['kube-proxy-a', 'kube-proxy-b']))).toEqual({
      unknown: "kube-proxy pods run (kube-proxy-a, kube-proxy-b) but no node's kube-proxy answers /proxyMode on 127.0.0.1:10249 (metrics address moved or off?)",
    });
  });

  test('nodes that disagree, and modes cnimatrix does not test, are reported, not guessed', async () => {
    expect(await detectProxyMode(answeringKube({ a: 'iptables', b: 'ipvs', c: undefined }, []))).toEqual({ unknown: "the nodes' kube-proxies disagree (a: iptables, b: ipvs, c: no kube-proxy)" });
    expect(await detectProxyMode(answeringKube({ a: 'kernelspace' }, []))).toEqual({ unknown: 'kube-proxy reports mode "kernelspace", which cnimatrix does not test' });
    await expect(describeExistingCluster(answeringKube({ a: 'kernelspace' }, []), { cni: 'calico' })).rejects.toThrow(BadInputError);
  });
});

describe('detectCni and describeExistingCluster', () => {
  test('recognise a CNI by its DaemonSet wherever its manifest puts it; flags win over detection', async () => {
    await cluster.kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'calico-system' } }, daemonSet('calico-system', 'calico-node')]);
    expect(await detectCni(cluster.kube)).toBe('calico');
    expect(await describeExistingCluster(cluster.kube, { proxyMode: 'nftables' })).toEqual({
      cni: 'calico',
      proxyMode: 'nftables',
      detected: ['CNI calico (from its DaemonSet)'],
    });
    expect(await describeExistingCluster(cluster.kube, { cni: 'cilium', proxyMode: 'none' })).toEqual({ cni: 'cilium', proxyMode: 'none', detected: [] });
  });

  test('a cluster without nodes is bad input, whatever the flags say', async () => {
    const empty = await startApiServer();
    try {
      const kube = createKube({ kubeconfig: empty.kubeconfig('empty') });
      await expect(describeExistingCluster(kube, { cni: 'calico', proxyMode: 'iptables' })).rejects.toThrow(`the cluster at ${empty.url} (--kubeconfig) has no nodes: no pod can run in it`);
    } finally {
      await empty.stop();
    }
  });

  test('a kindnet DaemonSet outside kube-system is not kindnet', async () => {
    await cluster.kube.delete({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'calico-system', name: 'calico-node' }, { wait: true, timeoutMs: 5000 });
    await cluster.kube.apply([daemonSet('default', 'kindnet')]);
    expect(await detectCni(cluster.kube)).toBeUndefined();
  });
});
