// verify-proxy-mode asks each node's kube-proxy (and, for none, the CNI) instead of trusting the
// ConfigMap kind wrote: a cluster whose configuration says one mode while kube-proxy runs another
// must fail the phase.
import { describe, expect, test } from '@jest/globals';
import { cilium } from '../../clusters/cilium.ts';
import type { ExecResult, ExecTarget, Kube, KubeObject } from '../../harness/kube/types.ts';
import { verifyProxyMode } from '../../harness/run/actions/verify-proxy-mode.ts';
import type { CellContext } from '../../harness/run/context.ts';
import { PROBE_NAMESPACE } from '../../harness/run/proxy-mode-probe.ts';

interface FakeCluster {
  /** What kube-proxy answers on each node; undefined = nothing listens (curl exit 7). */
  kubeProxy: Record<string, string | undefined>;
  /** The KubeProxyReplacement line each Cilium agent prints. */
  ciliumKpr?: string;
  /** The ConfigMap kind wrote, which the check must not trust. */
  configuredMode: string;
}

function fakeKube(cluster: FakeCluster): Kube & { deleted: string[] } {
  const deleted: string[] = [];
  const pod = (name: string, namespace: string, node: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { nodeName: node } });
  const nodes = Object.keys(cluster.kubeProxy);
  return {
    server: 'https://fake',
    deleted,
    async apply(objects) {
      return objects as KubeObject[];
    },
    async get(ref) {
      if (ref.kind === 'ConfigMap') return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data: { 'config.conf': `mode: ${cluster.configuredMode}\n` } };
      return undefined;
    },
    async list(_apiVersion, _kind, opts) {
      if (opts?.namespace === PROBE_NAMESPACE) return nodes.map((n) => pod(`probe-${n}`, PROBE_NAMESPACE, n));
      if (opts?.labelSelector === 'k8s-app=cilium') return nodes.map((n) => pod(`cilium-${n}`, 'kube-system', n));
      return [];
    },
    async delete(ref) {
      deleted.push(`${ref.kind}/${ref.name}`);
    },
    async patch() {
      throw new Error('not used');
    },
    async waitFor() {},
    async exec(target: ExecTarget, command: string[]): Promise<ExecResult> {
      if (target.namespace === PROBE_NAMESPACE) {
        const mode = cluster.kubeProxy[target.pod.replace('probe-', '')];
        expect(command).toContain('http://127.0.0.1:10249/proxyMode');
        return mode === undefined ? { stdout: '', stderr: 'curl: (7) Failed to connect to 127.0.0.1 port 10249', exitCode: 7 } : { stdout: mode, stderr: '', exitCode: 0 };
      }
      expect(target.container).toBe('cilium-agent');
      return { stdout: `KVStore:                 Disabled\nKubeProxyReplacement:    ${cluster.ciliumKpr ?? 'False'}\n`, stderr: '', exitCode: 0 };
    },
    async logs() {
      return '';
    },
    async events() {
      return [];
    },
  };
}

function cellContext(proxyMode: string, kube: Kube, logs: string[]): CellContext {
  const cell = { id: `cilium-${proxyMode}`, proxyMode, ...(proxyMode === 'none' ? { kubeProxyReplacementCheck: cilium.kubeProxyReplacementCheck } : {}) };
  return { cell, kube, log: (line: string) => logs.push(line) } as unknown as CellContext;
}

describe('verify-proxy-mode asks the nodes, not the ConfigMap', () => {
  test('every node reports the requested mode: passes, and the probe namespace is removed', async () => {
    const kube = fakeKube({ kubeProxy: { cp: 'ipvs', w1: 'ipvs' }, configuredMode: 'ipvs' });
    const logs: string[] = [];
    await verifyProxyMode.run(cellContext('ipvs', kube, logs));
    expect(logs).toEqual(['kube-proxy mode ipvs on all 2 nodes']);
    expect(kube.deleted).toEqual([`Namespace/${PROBE_NAMESPACE}`]);
  });

  test('the ConfigMap says ipvs but one kube-proxy runs iptables: fails naming the node', async () => {
    const kube = fakeKube({ kubeProxy: { cp: 'ipvs', w1: 'iptables' }, configuredMode: 'ipvs' });
    await expect(verifyProxyMode.run(cellContext('ipvs', kube, []))).rejects.toThrow('proxy mode ipvs is not in effect: w1: kube-proxy runs in mode iptables instead of ipvs');
  });

  test('none with no kube-proxy but Cilium reporting KubeProxyReplacement False: fails', async () => {
    const kube = fakeKube({ kubeProxy: { cp: undefined, w1: undefined }, ciliumKpr: 'False', configuredMode: 'iptables' });
    await expect(verifyProxyMode.run(cellContext('none', kube, []))).rejects.toThrow(
      /cilium-cp: `cilium-dbg status` exited 0 \(KubeProxyReplacement:\s+False\), expected cilium-dbg status reports KubeProxyReplacement: True/,
    );
  });

  test('none with no kube-proxy answering and Cilium confirming the replacement: passes', async () => {
    const kube = fakeKube({ kubeProxy: { cp: undefined, w1: undefined }, ciliumKpr: 'True   [eth0 172.18.0.2 (Direct Routing)]', configuredMode: 'iptables' });
    const logs: string[] = [];
    await verifyProxyMode.run(cellContext('none', kube, logs));
    expect(logs).toEqual(['no kube-proxy on 2 nodes; cilium-dbg status reports KubeProxyReplacement: True']);
  });

  test('none while a kube-proxy still answers: fails', async () => {
    const kube = fakeKube({ kubeProxy: { cp: 'iptables', w1: undefined }, ciliumKpr: 'True', configuredMode: 'iptables' });
    await expect(verifyProxyMode.run(cellContext('none', kube, []))).rejects.toThrow('cp: kube-proxy is running (mode iptables) although the cell asked for none');
  });
});
