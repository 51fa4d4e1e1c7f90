import { describe, expect, test } from '@jest/globals';
import { nodeLine, proxyRuleCommands } from '../../harness/run/bundle.ts';

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

  test('kube-proxy rules are read for the cell’s proxy mode only', () => {
    const files = (mode: string) => proxyRuleCommands(mode).map(([file]) => file);
    expect(files('iptables')).toEqual(['iptables-save.txt']);
    expect(files('nftables')).toEqual(['nft-ruleset.txt']);
    expect(files('ipvs')).toEqual(['ip_vs.txt', 'iptables-save.txt']);
  });
});
