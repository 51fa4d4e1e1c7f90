// Where the services suite puts its pods: with two or more nodes one of them (the last, the control
// plane when there are workers) gets no web backend, so NodePorts can be probed on a node without
// an endpoint; with one node everything shares it.
import { describe, expect, test } from '@jest/globals';
import { placePods } from '../../suites/services/placement.ts';

describe('services placement', () => {
  test('three nodes: web backends on the workers, the control plane left without one, Local backend off the client node', () => {
    expect(placePods(['w1', 'w2', 'cp'])).toEqual({ client: 'w1', local: 'w2', backendNodes: ['w1', 'w2'] });
  });

  test('two nodes: each node lacks one of the two kinds of backend', () => {
    const placement = placePods(['w1', 'cp']);
    expect(placement.backendNodes).toEqual(['w1']);
    expect(placement.local).toBe('cp');
  });

  test('one node: everything on it', () => {
    expect(placePods(['cp'])).toEqual({ client: 'cp', local: 'cp', backendNodes: ['cp'] });
  });
});
