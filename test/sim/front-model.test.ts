// The node front's pure parts, without a container engine: what the model says about connections
// from outside the cluster to node addresses, which ports a node address serves, and which
// addresses of a Docker network the front would take.
import { describe, expect, test } from '@jest/globals';
import { createDataplane } from './dataplane/index.ts';
import { connectFromOutside, nodeAddressPorts } from './dataplane/network.ts';
import { FAULT_CATALOGUE, resolveFaults } from './faults/index.ts';
import { candidateAddresses } from './front/addresses.ts';
import type { DockerNetwork } from './front/docker-network.ts';
import { addIngressController, IPS, NODES, seededStore, service, slice } from './testing/fixture.ts';

const CLIENT = '172.30.0.2';

describe('connections from outside the cluster', () => {
  test('NodePort Local: the node with the endpoint answers and keeps the client IP; others drop', () => {
    const ctx = createDataplane().context(seededStore());
    const local = connectFromOutside(ctx, CLIENT, NODES.w1[1], 30080, 'TCP');
    expect(local).toMatchObject({ outcome: 'connected', clientIp: CLIENT, pod: { name: 'a' } });
    expect(connectFromOutside(ctx, CLIENT, NODES.cp[1], 30080, 'TCP').outcome).toBe('timeout');
  });

  test('NodePort Cluster masquerades to the receiving node; an unserved port is refused', () => {
    const store = seededStore();
    store.put(service('x', 'np-cluster', { type: 'NodePort', clusterIP: '10.96.0.41', selector: { app: 'server' }, ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: 30081, protocol: 'TCP' }] }));
    store.put(slice('x', 'np-cluster', [{ name: 'a', ip: IPS.a, node: NODES.w1[0] }], [{ name: 'http', port: 80 }]));
    const ctx = createDataplane().context(store);
    expect(connectFromOutside(ctx, CLIENT, NODES.cp[1], 30081, 'TCP')).toMatchObject({ outcome: 'connected', clientIp: NODES.cp[1] });
    expect(connectFromOutside(ctx, CLIENT, NODES.cp[1], 31999, 'TCP').outcome).toBe('refused');
  });

  test('a NodePort of a Service without ready endpoints is refused whatever its policy', () => {
    const store = seededStore();
    store.put(service('x', 'np-empty', { type: 'NodePort', clusterIP: '10.96.0.42', selector: { app: 'nothing' }, externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: 30082, protocol: 'TCP' }] }));
    expect(connectFromOutside(createDataplane().context(store), CLIENT, NODES.w1[1], 30082, 'TCP').outcome).toBe('refused');
  });

  test('nodeport-local-forwards: a Local NodePort on a node without an endpoint forwards instead of dropping', () => {
    const faulty = createDataplane({ faults: () => resolveFaults(['nodeport-local-forwards'], FAULT_CATALOGUE) });
    expect(connectFromOutside(faulty.context(seededStore()), CLIENT, NODES.cp[1], 30080, 'TCP').outcome).toBe('connected');
  });

  test('nodeport-no-remote-forwarding: a Cluster NodePort answers only where an endpoint runs', () => {
    const store = seededStore();
    store.put(service('x', 'np-cluster', { type: 'NodePort', clusterIP: '10.96.0.41', selector: { app: 'server' }, ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: 30081, protocol: 'TCP' }] }));
    store.put(slice('x', 'np-cluster', [{ name: 'a', ip: IPS.a, node: NODES.w1[0] }], [{ name: 'http', port: 80 }]));
    const faulty = createDataplane({ faults: () => resolveFaults(['nodeport-no-remote-forwarding'], FAULT_CATALOGUE) });
    expect(connectFromOutside(faulty.context(store), CLIENT, NODES.cp[1], 30081, 'TCP').outcome).toBe('timeout');
    expect(connectFromOutside(faulty.context(store), CLIENT, NODES.w1[1], 30081, 'TCP')).toMatchObject({ outcome: 'connected', pod: { name: 'a' } });
  });

  test('the ingress controller hostPorts answer on its node with the client IP kept', () => {
    const store = seededStore();
    addIngressController(store);
    const ctx = createDataplane().context(store);
    expect(connectFromOutside(ctx, CLIENT, NODES.cp[1], 443, 'TCP')).toMatchObject({ outcome: 'connected', clientIp: CLIENT, listener: { application: 'ingress-nginx', port: 443 } });
    expect(connectFromOutside(ctx, CLIENT, NODES.w2[1], 80, 'TCP').outcome).toBe('refused');
    // A hostNetwork pod's listener is on its node's address too (y/host runs netexec on w1:80).
    expect(connectFromOutside(ctx, CLIENT, NODES.w1[1], 80, 'TCP')).toMatchObject({ outcome: 'connected', pod: { name: 'host' } });
    expect(nodeAddressPorts(ctx, NODES.cp[0]).map((p) => `${p.port}/${p.protocol}`).sort()).toEqual(['30080/TCP', '443/TCP', '80/TCP']);
  });

  test('faults apply: no-cross-node drops NodePort traffic forwarded to another node', () => {
    const store = seededStore();
    store.put(service('x', 'np-cluster', { type: 'NodePort', clusterIP: '10.96.0.41', selector: { app: 'server' }, ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: 30081, protocol: 'TCP' }] }));
    store.put(slice('x', 'np-cluster', [{ name: 'a', ip: IPS.a, node: NODES.w1[0] }], [{ name: 'http', port: 80 }]));
    const faulty = createDataplane({ faults: () => [{ name: 'no-cross-node', description: '', connection: (a, v) => (a.crossNode ? { ...v, outcome: 'timeout' } : v) }] });
    expect(connectFromOutside(faulty.context(store), CLIENT, NODES.cp[1], 30081, 'TCP').outcome).toBe('timeout');
    expect(connectFromOutside(faulty.context(store), CLIENT, NODES.w1[1], 30081, 'TCP').outcome).toBe('connected');
  });
});

describe('node addresses on a Docker network', () => {
  const net: DockerNetwork = { name: 'n', id: 'abc', subnet: '172.30.0.0/16', gateway: '172.30.0.1', ipRange: undefined, bridge: 'br-abc', containerIps: ['172.30.255.253'] };
  const first = (n: number, network = net) => [...candidateAddresses(network)].slice(0, n);

  test('from the top of the subnet down, skipping broadcast and container addresses', () => {
    expect(first(3)).toEqual(['172.30.255.254', '172.30.255.252', '172.30.255.251']);
  });

  test("never inside Docker's ip-range or on the gateway", () => {
    expect(first(2, { ...net, ipRange: '172.30.255.0/24' })).toEqual(['172.30.254.255', '172.30.254.254']);
    expect([...candidateAddresses({ ...net, subnet: '10.9.0.0/30', gateway: '10.9.0.2', containerIps: [] })]).toEqual(['10.9.0.1']);
  });
});
