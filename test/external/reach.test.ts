// Finding the Docker network that reaches a cluster's nodes, and what the run makes of it.
import { describe, expect, test } from '@jest/globals';
import type { KubeObject } from '../../harness/kube/types.ts';
import { ipv4InCidr, networkReachingNodes } from '../../harness/external/reach.ts';
import { externalVantage } from '../../harness/run/external-vantage.ts';

describe('ipv4InCidr', () => {
  test.each([
    ['172.18.0.3', '172.18.0.0/16', true],
    ['172.19.0.3', '172.18.0.0/16', false],
    ['10.0.0.255', '10.0.0.0/24', true],
    ['10.0.1.0', '10.0.0.0/24', false],
    ['192.0.2.7', '0.0.0.0/0', true],
    ['192.0.2.7', '192.0.2.7/32', true],
    ['fd00::1', 'fd00::/64', false],
    ['not-an-ip', '10.0.0.0/8', false],
    ['10.0.0.1', '10.0.0.0/33', false],
  ])('%s in %s: %s', (ip, cidr, inside) => {
    expect(ipv4InCidr(ip, cidr)).toBe(inside);
  });
});

const networks = [
  { name: 'bridge', subnets: ['172.17.0.0/16'] },
  { name: 'kind', subnets: ['172.18.0.0/16'] },
  { name: 'lab', subnets: ['10.10.0.0/24', '10.10.1.0/24'] },
];

describe('networkReachingNodes', () => {
  test('the network whose subnets hold every node address', () => {
    expect(networkReachingNodes(['172.18.0.2', '172.18.0.3'], networks)).toBe('kind');
    expect(networkReachingNodes(['10.10.0.5', '10.10.1.5'], networks)).toBe('lab');
  });

  test('none when the nodes are split over networks, elsewhere, or unknown', () => {
    expect(networkReachingNodes(['172.18.0.2', '172.17.0.3'], networks)).toBeUndefined();
    expect(networkReachingNodes(['192.168.56.10'], networks)).toBeUndefined();
    expect(networkReachingNodes([], networks)).toBeUndefined();
  });
});

const node = (name: string, ip?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { addresses: [...(ip ? [{ type: 'InternalIP', address: ip }] : []), { type: 'Hostname', address: name }] },
});

describe('externalVantage', () => {
  const lookup = async () => networks;

  test('a kind cell uses the network kind was told, else "kind", without asking Docker', async () => {
    const unused = () => Promise.reject(new Error('Docker must not be asked'));
    expect(await externalVantage({ existingCluster: false, nodes: [], env: {}, networks: unused })).toEqual({ dockerNetwork: 'kind' });
    expect(await externalVantage({ existingCluster: false, nodes: [], env: { KIND_EXPERIMENTAL_DOCKER_NETWORK: 'mine' }, networks: unused })).toEqual({ dockerNetwork: 'mine' });
  });

  test('an existing cluster whose nodes are on a network here: that network, saying why', async () => {
    const vantage = await externalVantage({ existingCluster: true, nodes: [node('a', '10.10.0.5'), node('b', '10.10.1.5')], env: {}, networks: lookup });
    expect(vantage).toEqual({ dockerNetwork: 'lab', note: `external client: Docker network "lab" holds the nodes' addresses (10.10.0.5, 10.10.1.5)` });
  });

  test('an existing cluster on no network here: external checks unavailable, naming the addresses and what to set', async () => {
    const vantage = await externalVantage({ existingCluster: true, nodes: [node('vm-1', '192.168.56.10')], env: {}, networks: lookup });
    expect(vantage.unavailable).toBe(
      "the nodes' InternalIPs (192.168.56.10) are in no Docker network of this machine, so no client container can reach them from outside the cluster; set KIND_EXPERIMENTAL_DOCKER_NETWORK to a Docker network that reaches them to run these checks",
    );
  });

  test('no InternalIP, or no container engine: unavailable with that reason', async () => {
    expect((await externalVantage({ existingCluster: true, nodes: [node('a')], env: {}, networks: lookup })).unavailable).toMatch(/^the cluster's nodes report no InternalIP/);
    const noEngine = () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock'));
    expect((await externalVantage({ existingCluster: true, nodes: [node('a', '10.10.0.5')], env: {}, networks: noEngine })).unavailable).toBe(
      'no container engine is reachable here (connect ENOENT /var/run/docker.sock), so no client can stand outside the cluster',
    );
  });

  test('a network the user names, or external checks switched off, wins over discovery', async () => {
    const unused = () => Promise.reject(new Error('Docker must not be asked'));
    expect(await externalVantage({ existingCluster: true, nodes: [node('a', '192.168.56.10')], env: { KIND_EXPERIMENTAL_DOCKER_NETWORK: 'vpn' }, networks: unused })).toEqual({ dockerNetwork: 'vpn' });
    expect(await externalVantage({ existingCluster: true, nodes: [node('a', '192.168.56.10')], env: { CNIMATRIX_EXTERNAL_CLIENT: 'off' }, networks: unused })).toEqual({ dockerNetwork: 'kind' });
  });
});
