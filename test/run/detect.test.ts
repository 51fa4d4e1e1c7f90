import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { detectCni, readProxyMode } from '../../harness/run/detect.ts';
import { describeExistingCluster } from '../../harness/run/existing-cluster.ts';
import { BadInputError } from '../../harness/model/errors.ts';
import type { KubeObject } from '../../harness/kube/types.ts';
import { startCluster, type Cluster } from '../kube/fixtures.ts';

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

const proxyConfig = (conf: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kube-proxy', namespace: 'kube-system' },
  data: { 'config.conf': conf },
});

describe('readProxyMode', () => {
  test('no kube-proxy DaemonSet means mode none, and a CNI cannot be recognised yet', async () => {
    expect(await readProxyMode(cluster.kube)).toBe('none');
    expect(await detectCni(cluster.kube)).toBeUndefined();
  });

  test('reads mode from the kube-proxy ConfigMap; an empty mode is kube-proxy\'s default, iptables', async () => {
    await cluster.kube.apply([daemonSet('kube-system', 'kube-proxy'), proxyConfig('apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs\n')]);
    expect(await readProxyMode(cluster.kube)).toBe('ipvs');
    await cluster.kube.apply([proxyConfig('kind: KubeProxyConfiguration\nmode: ""\n')]);
    expect(await readProxyMode(cluster.kube)).toBe('iptables');
  });

  test('an unknown mode is reported, not guessed', async () => {
    await cluster.kube.apply([proxyConfig('kind: KubeProxyConfiguration\nmode: userspace\n')]);
    expect(await readProxyMode(cluster.kube)).toEqual({ unknown: 'kube-proxy is configured with mode "userspace"' });
    await expect(describeExistingCluster(cluster.kube, { cni: 'calico' })).rejects.toThrow(BadInputError);
  });
});

describe('detectCni and describeExistingCluster', () => {
  test('recognise a CNI by its DaemonSet wherever its manifest puts it; flags win over detection', async () => {
    await cluster.kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'calico-system' } }, daemonSet('calico-system', 'calico-node')]);
    await cluster.kube.apply([proxyConfig('kind: KubeProxyConfiguration\nmode: nftables\n')]);
    expect(await detectCni(cluster.kube)).toBe('calico');
    expect(await describeExistingCluster(cluster.kube, {})).toEqual({
      cni: 'calico',
      proxyMode: 'nftables',
      detected: ['CNI calico (from its DaemonSet)', 'proxy mode nftables (from kube-system/kube-proxy)'],
    });
    expect(await describeExistingCluster(cluster.kube, { cni: 'cilium', proxyMode: 'none' })).toEqual({ cni: 'cilium', proxyMode: 'none', detected: [] });
  });

  test('a kindnet DaemonSet outside kube-system is not kindnet', async () => {
    await cluster.kube.delete({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'calico-system', name: 'calico-node' }, { wait: true, timeoutMs: 5000 });
    await cluster.kube.apply([daemonSet('default', 'kindnet')]);
    expect(await detectCni(cluster.kube)).toBeUndefined();
  });
});
