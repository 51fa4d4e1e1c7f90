import { describe, expect, test } from '@jest/globals';
import { nodeLine, podLine, proxyRuleCommands } from '../../harness/run/bundle.ts';

describe('troubleshooting bundle contents', () => {
  test('a node line gives its addresses, pod CIDR, readiness with the reason and kubelet version', () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'kind-worker' },
      spec: { podCIDR: '10.244.1.0/24' },
      status: {
        addresses: [{ type: 'InternalIP', address: '172.18.0.3' }, { type: 'Hostname', address: 'kind-worker' }],
        conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'cni plugin not initialized' }],
        nodeInfo: { kubeletVersion: 'v1.34.4' },
      },
    };
    expect(nodeLine(node)).toBe(
      'kind-worker: InternalIP 172.18.0.3, Hostname kind-worker; podCIDR 10.244.1.0/24; Ready False (KubeletNotReady: cni plugin not initialized); kubelet v1.34.4',
    );
  });

  test('a pod line gives its IPs (both of a dual-stack pod), its node, phase and each container', () => {
    const pod = (status: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-flannel-ds-x7k2p', namespace: 'kube-flannel' },
      spec: { nodeName: 'kind-worker2' },
      status: { phase: 'Running', containerStatuses: [{ name: 'kube-flannel', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }], ...status },
    });
    expect(podLine(pod({ podIP: '172.18.0.4', podIPs: [{ ip: '172.18.0.4' }, { ip: 'fc00:f853:ccd:e793::4' }] }))).toBe(
      'kube-flannel/kube-flannel-ds-x7k2p (172.18.0.4, fc00:f853:ccd:e793::4) on kind-worker2: Running; kube-flannel: not ready, waiting CrashLoopBackOff, restarts 4',
    );
    expect(podLine(pod({ podIP: '10.244.2.7' }))).toContain('(10.244.2.7) on kind-worker2');
    expect(podLine(pod({ phase: 'Pending' }))).toContain('(no IP) on kind-worker2: Pending');
  });

  test('kube-proxy rules are read for the cell’s proxy mode only', () => {
    const files = (mode: string) => proxyRuleCommands(mode).map(([file]) => file);
    expect(files('iptables')).toEqual(['iptables-save.txt']);
    expect(files('nftables')).toEqual(['nft-ruleset.txt']);
    expect(files('ipvs')).toEqual(['ip_vs.txt', 'iptables-save.txt']);
  });
});
