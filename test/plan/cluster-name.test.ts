import { describe, expect, test } from '@jest/globals';
import { CLUSTER_PREFIX, clusterNameFor } from '../../harness/plan/index.ts';

describe('clusterNameFor', () => {
  test('is prefix + run id + cell id', () => {
    expect(clusterNameFor('20261101-a1', 'calico-nftables')).toBe(`${CLUSTER_PREFIX}20261101-a1-calico-nftables`);
  });

  test('names are valid for kind and keep node hostnames within 63 characters', () => {
    const runId = 'a'.repeat(22);
    const name = clusterNameFor(runId, 'flannel-nftables');
    expect(name).toMatch(/^[a-z0-9.-]+$/);
    expect(`${name}-control-plane`.length).toBeLessThanOrEqual(63);
    expect(`${name}-control-plane`.length).toBe(63);
  });

  test('a run id that would make a hostname too long is rejected with the allowed length', () => {
    expect(() => clusterNameFor('a'.repeat(23), 'flannel-nftables')).toThrow(/would exceed 63/);
    try {
      clusterNameFor('a'.repeat(23), 'flannel-nftables');
    } catch (error) {
      expect((error as { hint?: string }).hint).toMatch(/at most 22 characters/);
    }
  });

  test.each(['', 'Run', 'run_1', '-run', 'run-', 'run.1'])('rejects run id %j', (runId) => {
    expect(() => clusterNameFor(runId, 'kindnet-iptables')).toThrow(/invalid run id/);
  });
});
