// One test per NetworkPolicy rule, each on a minimal scenario over the x/y/z × a/b/c model.
import { describe, expect, test } from '@jest/globals';
import {
  compilePolicies,
  evaluate,
  probeKey,
  type ClusterState,
  type NetworkPolicy,
  type PortProbe,
} from '../../harness/netpol/index.ts';
import { BadInputError } from '../../harness/model/errors.ts';
import { ALL_PODS, TCP80, TCP81, UDP80, deniedPairs, pairsBetween, policy, xyzModel } from './fixtures.ts';

function denied(policies: NetworkPolicy[], probe: PortProbe = TCP80, state: ClusterState = xyzModel()): string[] {
  return deniedPairs(evaluate(state, policies, [probe])[probeKey(probe)]!).sort();
}

const intoPods = (to: string[]) => pairsBetween(ALL_PODS, to).sort();
const fromPods = (from: string[]) => pairsBetween(from, ALL_PODS).sort();

describe('isolation and selection', () => {
  test('without policies every pair is allowed, a pod to itself included', () => {
    const table = evaluate(xyzModel(), [], [TCP80])['80/TCP']!;
    expect(Object.keys(table)).toEqual(ALL_PODS);
    for (const from of ALL_PODS) expect(Object.keys(table[from]!)).toEqual(ALL_PODS);
    expect(denied([])).toEqual([]);
  });

  test('an ingress policy without rules isolates exactly the pods it selects and admits nothing', () => {
    expect(denied([policy('x', 'deny', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'] })])).toEqual(intoPods(['x/a']));
  });

  test('an empty podSelector selects every pod of the policy namespace and no other', () => {
    expect(denied([policy('y', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })])).toEqual(intoPods(['y/a', 'y/b', 'y/c']));
  });

  test('`ingress: []` is the same as no ingress rules: admits nothing', () => {
    expect(denied([policy('x', 'deny', { podSelector: {}, ingress: [] })])).toEqual(intoPods(['x/a', 'x/b', 'x/c']));
  });

  test('a pod is isolated only in the directions of the policies selecting it', () => {
    const egressOnly = policy('x', 'egress-only', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'] });
    expect(denied([egressOnly])).toEqual(fromPods(['x/a']));
  });

  test('allowed traffic is the union over the policies selecting a pod', () => {
    const fromY = policy('x', 'from-y', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] });
    const fromZ = policy('x', 'from-z', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] });
    // x/a admits y and z; x/b and x/c admit only z.
    expect(denied([fromY, fromZ])).toEqual(
      [...pairsBetween(['x/b', 'x/c'], ['x/a']), ...pairsBetween(['x/a', 'x/b', 'x/c', 'y/a', 'y/b', 'y/c'], ['x/b', 'x/c'])].sort(),
    );
  });

  test('a connection needs both the source egress and the destination ingress', () => {
    const egressToYB = policy('x', 'egress', { podSelector: { matchLabels: { pod: 'a' } }, egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }] });
    const ingressFromXB = policy('y', 'ingress', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } }, podSelector: { matchLabels: { pod: 'b' } } }] }] });
    const engine = compilePolicies(xyzModel(), [egressToYB, ingressFromXB]);
    // Egress admits x/a -> y/b but y/b's ingress does not; x/b -> y/b passes both.
    expect(engine.allowed({ pod: 'x/a' }, { pod: 'y/b' }, TCP80)).toBe(false);
    expect(engine.allowed({ pod: 'x/b' }, { pod: 'y/b' }, TCP80)).toBe(true);
    expect(engine.allowed({ pod: 'x/a' }, { pod: 'y/a' }, TCP80)).toBe(false);
    const explanation = engine.explain({ pod: 'x/a' }, { pod: 'y/b' }, TCP80);
    expect(explanation.egress.allowedBy).toEqual({ policy: 'x/egress', rule: 0, peer: 0 });
    expect(explanation.ingress.allowedBy).toBeUndefined();
  });

  test('a pod can always reach itself, even when isolated both ways', () => {
    const denyAll = policy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const engine = compilePolicies(xyzModel(), [denyAll]);
    expect(engine.allowed({ pod: 'x/a' }, { pod: 'x/a' }, TCP80)).toBe(true);
    expect(engine.allowed({ pod: 'x/a' }, { pod: 'x/b' }, TCP80)).toBe(false);
    expect(engine.explain({ pod: 'x/a' }, { pod: 'x/a' }, TCP80).ingress.exemption).toMatch(/cannot block connections to itself/);
    expect(evaluate(xyzModel(), [denyAll], [TCP80])['80/TCP']!['x/a']!['x/a']).toBe(true);
  });
});

describe('policyTypes defaulting', () => {
  test('omitted policyTypes without egress rules means Ingress only', () => {
    expect(denied([policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } } })])).toEqual(intoPods(['x/a']));
  });

  test('omitted policyTypes with egress rules means Ingress and Egress', () => {
    const p = policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] });
    expect(denied([p])).toEqual([...intoPods(['x/a']), ...pairsBetween(['x/a'], ALL_PODS.filter((pod) => pod !== 'x/b'))].filter((v, i, all) => all.indexOf(v) === i).sort());
  });

  test('omitted policyTypes with `egress: []` does not isolate egress', () => {
    expect(denied([policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, egress: [] })])).toEqual(intoPods(['x/a']));
  });

  test('policyTypes [Egress] ignores ingress rules entirely', () => {
    const p = policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'zzz' } } }] }] });
    expect(denied([p])).toEqual(fromPods(['x/a']));
  });
});

describe('label selectors', () => {
  const admitOnlyFrom = (peer: NonNullable<NetworkPolicy['spec']['ingress']>[number]['from']) =>
    policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: peer }] });
  const admittedInto = (p: NetworkPolicy, to = 'x/a') => {
    const table = evaluate(xyzModel(), [p], [TCP80])['80/TCP']!;
    return ALL_PODS.filter((from) => from !== to && table[from]![to]);
  };

  test('a peer with only podSelector selects pods of the policy namespace', () => {
    expect(admittedInto(admitOnlyFrom([{ podSelector: { matchLabels: { pod: 'b' } } }]))).toEqual(['x/b']);
  });

  test('a peer with only namespaceSelector selects every pod of matching namespaces', () => {
    expect(admittedInto(admitOnlyFrom([{ namespaceSelector: { matchLabels: { ns: 'y' } } }]))).toEqual(['y/a', 'y/b', 'y/c']);
  });

  test('an empty namespaceSelector selects every namespace', () => {
    expect(admittedInto(admitOnlyFrom([{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'b' } } }]))).toEqual(['x/b', 'y/b', 'z/b']);
  });

  test('both selectors in one peer mean AND; separate peers mean OR', () => {
    const and = admitOnlyFrom([{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }]);
    const or = admitOnlyFrom([{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }]);
    expect(admittedInto(and)).toEqual(['y/b']);
    expect(admittedInto(or)).toEqual(['x/b', 'y/a', 'y/b', 'y/c']);
  });

  test('matchExpressions In', () => {
    expect(admittedInto(admitOnlyFrom([{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] } }]))).toEqual(['x/b', 'x/c', 'y/b', 'y/c', 'z/b', 'z/c']);
  });

  test('matchExpressions NotIn also matches pods without the key', () => {
    const state = xyzModel();
    state.pods.find((pod) => pod.namespace === 'y' && pod.name === 'c')!.labels = {};
    const p = admitOnlyFrom([{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['a'] }] } }]);
    const table = evaluate(state, [p], [TCP80])['80/TCP']!;
    expect(['y/a', 'y/b', 'y/c'].filter((from) => table[from]!['x/a'])).toEqual(['y/b', 'y/c']);
  });

  test('matchExpressions Exists and DoesNotExist', () => {
    const state = xyzModel();
    state.namespaces['z'] = { ns: 'z', team: 'blue' };
    const exists = admitOnlyFrom([{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } }]);
    const absent = admitOnlyFrom([{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } }]);
    const admitted = (p: NetworkPolicy) => {
      const table = evaluate(state, [p], [TCP80])['80/TCP']!;
      return ALL_PODS.filter((from) => from !== 'x/a' && table[from]!['x/a']);
    };
    expect(admitted(exists)).toEqual(['z/a', 'z/b', 'z/c']);
    expect(admitted(absent)).toEqual(['x/b', 'x/c', 'y/a', 'y/b', 'y/c']);
  });

  test('matchLabels and matchExpressions in one selector are ANDed', () => {
    const p = admitOnlyFrom([{ namespaceSelector: { matchLabels: { ns: 'y' }, matchExpressions: [{ key: 'ns', operator: 'In', values: ['y', 'z'] }] } }]);
    expect(admittedInto(p)).toEqual(['y/a', 'y/b', 'y/c']);
  });

  test('namespaces carry kubernetes.io/metadata.name without declaring it', () => {
    const p = admitOnlyFrom([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'z' } } }]);
    expect(admittedInto(p)).toEqual(['z/a', 'z/b', 'z/c']);
  });

  test('a rule without `from`, or with `from: []`, admits every source', () => {
    for (const rule of [{}, { from: [] }]) {
      const p = policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [rule] });
      expect(denied([p])).toEqual([]);
    }
  });

  test('an egress rule without `to` admits every destination', () => {
    expect(denied([policy('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] })])).toEqual([]);
    expect(denied([policy('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] })], TCP81)).toEqual(fromPods(['x/a', 'x/b', 'x/c']));
  });
});

describe('ports and protocols', () => {
  const onPorts = (ports: NonNullable<NetworkPolicy['spec']['ingress']>[number]['ports']) =>
    policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports }] });
  const admits = (p: NetworkPolicy, probe: PortProbe, state = xyzModel()) => compilePolicies(state, [p]).allowed({ pod: 'y/b' }, { pod: 'x/a' }, probe);

  test('a numeric port admits only that port, and protocol defaults to TCP', () => {
    const p = onPorts([{ port: 80 }]);
    expect(admits(p, TCP80)).toBe(true);
    expect(admits(p, TCP81)).toBe(false);
    expect(admits(p, UDP80)).toBe(false);
  });

  test('UDP and SCTP entries admit only their protocol', () => {
    const p = onPorts([{ protocol: 'UDP', port: 53 }, { protocol: 'SCTP', port: 9999 }]);
    expect(admits(p, { port: 53, protocol: 'UDP' })).toBe(true);
    expect(admits(p, { port: 53, protocol: 'TCP' })).toBe(false);
    expect(admits(p, { port: 9999, protocol: 'SCTP' })).toBe(true);
    expect(admits(p, { port: 9999, protocol: 'UDP' })).toBe(false);
    expect(admits(p, { port: 53, protocol: 'SCTP' })).toBe(false);
  });

  test('endPort makes an inclusive range', () => {
    const p = onPorts([{ protocol: 'TCP', port: 32000, endPort: 32768 }]);
    expect([31999, 32000, 32500, 32768, 32769].map((port) => admits(p, { port, protocol: 'TCP' }))).toEqual([false, true, true, true, false]);
    expect(admits(p, { port: 32000, protocol: 'UDP' })).toBe(false);
  });

  test('an entry without port admits every port of its protocol; `{}` means every TCP port', () => {
    const udpOnly = onPorts([{ protocol: 'UDP' }]);
    expect(admits(udpOnly, { port: 12345, protocol: 'UDP' })).toBe(true);
    expect(admits(udpOnly, { port: 12345, protocol: 'TCP' })).toBe(false);
    const empty = onPorts([{}]);
    expect(admits(empty, { port: 12345, protocol: 'TCP' })).toBe(true);
    expect(admits(empty, { port: 12345, protocol: 'SCTP' })).toBe(false);
  });

  test('a missing or empty ports list admits every port and protocol', () => {
    for (const p of [onPorts(undefined), onPorts([])]) {
      for (const probe of [TCP80, UDP80, { port: 7, protocol: 'SCTP' as const }]) expect(admits(p, probe)).toBe(true);
    }
  });

  test('ingress named ports resolve against the selected destination pod', () => {
    const state = xyzModel();
    const xa = state.pods.find((pod) => pod.namespace === 'x' && pod.name === 'a')!;
    const xb = state.pods.find((pod) => pod.namespace === 'x' && pod.name === 'b')!;
    xa.containerPorts = [{ name: 'web', containerPort: 80 }];
    xb.containerPorts = [{ name: 'web', containerPort: 8080, protocol: 'TCP' }];
    const p = policy('x', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'web' }] }] });
    const engine = compilePolicies(state, [p]);
    expect(engine.allowed({ pod: 'y/a' }, { pod: 'x/a' }, TCP80)).toBe(true);
    expect(engine.allowed({ pod: 'y/a' }, { pod: 'x/b' }, TCP80)).toBe(false);
    expect(engine.allowed({ pod: 'y/a' }, { pod: 'x/b' }, { port: 8080, protocol: 'TCP' })).toBe(true);
    expect(engine.allowed({ pod: 'y/a' }, { pod: 'x/c' }, TCP80)).toBe(false);
    const table = engine.truthTable(TCP80);
    expect([table['y/a']!['x/a'], table['y/a']!['x/b']]).toEqual([true, false]);
  });

  test('egress named ports resolve against the destination pod, never the source', () => {
    const state = xyzModel();
    state.pods.find((pod) => pod.namespace === 'x' && pod.name === 'a')!.containerPorts = [{ name: 'db', containerPort: 5432 }];
    state.pods.find((pod) => pod.namespace === 'y' && pod.name === 'b')!.containerPorts = [{ name: 'db', containerPort: 80 }];
    const p = policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'db' }] }] });
    const engine = compilePolicies(state, [p]);
    expect(engine.allowed({ pod: 'x/a' }, { pod: 'y/b' }, TCP80)).toBe(true);
    expect(engine.allowed({ pod: 'x/a' }, { pod: 'y/a' }, TCP80)).toBe(false);
    // x/a's own "db" port (5432) says nothing about other pods.
    expect(engine.allowed({ pod: 'x/a' }, { pod: 'y/a' }, { port: 5432, protocol: 'TCP' })).toBe(false);
    // A bare IP has no container ports: a named port never matches it.
    expect(engine.allowed({ pod: 'x/a' }, { ip: '192.0.2.10' }, TCP80)).toBe(false);
    const table = engine.truthTable(TCP80);
    expect(Object.entries(table['x/a']!).filter(([, ok]) => ok).map(([to]) => to)).toEqual(['x/a', 'y/b']);
  });

  test('a named port matches only a container port of the same protocol', () => {
    const state = xyzModel();
    state.pods.find((pod) => pod.namespace === 'x' && pod.name === 'a')!.containerPorts = [{ name: 'dns', containerPort: 53, protocol: 'UDP' }];
    const tcpEntry = onPorts([{ port: 'dns' }]);
    const udpEntry = onPorts([{ port: 'dns', protocol: 'UDP' }]);
    expect(admits(tcpEntry, { port: 53, protocol: 'TCP' }, state)).toBe(false);
    expect(admits(tcpEntry, { port: 53, protocol: 'UDP' }, state)).toBe(false);
    expect(admits(udpEntry, { port: 53, protocol: 'UDP' }, state)).toBe(true);
  });

  test('the upstream serve-<port>-<proto> names resolve per protocol', () => {
    const p = onPorts([{ port: 'serve-81-udp', protocol: 'UDP' }]);
    expect(admits(p, { port: 81, protocol: 'UDP' })).toBe(true);
    expect(admits(p, { port: 80, protocol: 'UDP' })).toBe(false);
    expect(admits(p, TCP81)).toBe(false);
  });
});

describe('ipBlock', () => {
  test('cidr with except applies to pod IPs', () => {
    // x pods are 10.244.1.1-3; except removes x/b (10.244.1.2).
    const p = policy('z', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.244.1.0/24', except: ['10.244.1.2/32'] } }] }] });
    const table = evaluate(xyzModel(), [p], [TCP80])['80/TCP']!;
    expect(ALL_PODS.filter((from) => table[from]!['z/a'])).toEqual(['x/a', 'x/c', 'z/a']);
  });

  test('cidr with host bits set is read as its network', () => {
    const p = policy('z', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.244.2.77/24' } }] }] });
    const table = evaluate(xyzModel(), [p], [TCP80])['80/TCP']!;
    expect(ALL_PODS.filter((from) => table[from]!['z/b'])).toEqual(['y/a', 'y/b', 'y/c', 'z/b']);
  });

  test('bare IPs match ipBlocks but never selectors, and are never isolated', () => {
    const p = policy('x', 'p', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] } }] }],
      egress: [{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: '198.51.100.0/24' } }] }],
    });
    const engine = compilePolicies(xyzModel(), [p]);
    expect(engine.allowed({ ip: '192.0.2.1' }, { pod: 'x/a' }, TCP80)).toBe(true);
    expect(engine.allowed({ ip: '192.0.2.200' }, { pod: 'x/a' }, TCP80)).toBe(false);
    expect(engine.allowed({ ip: '203.0.113.5' }, { pod: 'x/a' }, TCP80)).toBe(false);
    expect(engine.allowed({ pod: 'x/a' }, { ip: '198.51.100.7' }, TCP80)).toBe(true);
    expect(engine.allowed({ pod: 'x/a' }, { ip: '192.0.2.1' }, TCP80)).toBe(false);
    expect(engine.allowed({ pod: 'y/a' }, { ip: '192.0.2.1' }, TCP80)).toBe(true);
    expect(engine.allowed({ ip: '192.0.2.1' }, { ip: '203.0.113.5' }, TCP80)).toBe(true);
    const fromOutside = engine.explain({ ip: '203.0.113.5' }, { pod: 'x/a' }, TCP80);
    expect(fromOutside.egress).toEqual({ isolated: false, isolatingPolicies: [] });
    expect(fromOutside.text).toBe('denied: x/a is isolated for ingress by policy x/p (selects all pods) and no ingress rule of x/p admits 203.0.113.5 on 80/TCP');
  });

  test('IPv6 cidrs and excepts, on pods and bare IPs', () => {
    const state: ClusterState = {
      namespaces: { v6: {} },
      pods: [
        { namespace: 'v6', name: 'server', labels: {}, ip: 'fd00:10::5', containerPorts: [] },
        { namespace: 'v6', name: 'inside', labels: {}, ip: 'fd00:10:0:1::7', containerPorts: [] },
        { namespace: 'v6', name: 'excepted', labels: {}, ip: 'fd00:10:0:2::7', containerPorts: [] },
        { namespace: 'v6', name: 'outside', labels: {}, ip: 'fd00:20::7', containerPorts: [] },
      ],
    };
    const p = policy('v6', 'p', { podSelector: { matchLabels: {} }, ingress: [{ from: [{ ipBlock: { cidr: 'fd00:10::/32', except: ['fd00:10:0:2::/64'] } }] }] });
    const engine = compilePolicies(state, [p]);
    expect(engine.allowed({ pod: 'v6/inside' }, { pod: 'v6/server' }, TCP80)).toBe(true);
    expect(engine.allowed({ pod: 'v6/excepted' }, { pod: 'v6/server' }, TCP80)).toBe(false);
    expect(engine.allowed({ pod: 'v6/outside' }, { pod: 'v6/server' }, TCP80)).toBe(false);
    expect(engine.allowed({ ip: 'fd00:10:ffff::1' }, { pod: 'v6/server' }, TCP80)).toBe(true);
    expect(engine.allowed({ ip: 'FD00:10:0:2:0:0:0:1' }, { pod: 'v6/server' }, TCP80)).toBe(false);
    // An IPv4 block never matches IPv6 addresses.
    const v4 = policy('v6', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] });
    expect(compilePolicies(state, [v4]).allowed({ pod: 'v6/inside' }, { pod: 'v6/server' }, TCP80)).toBe(false);
  });

  test('dual-stack pods: the connection family decides which pod address an ipBlock sees', () => {
    const state: ClusterState = {
      namespaces: { d: {} },
      pods: [
        { namespace: 'd', name: 'server', labels: {}, ip: '10.1.0.5', ips: ['10.1.0.5', 'fd00:1::5'], containerPorts: [] },
        { namespace: 'd', name: 'client', labels: {}, ip: '10.1.0.6', ips: ['10.1.0.6', 'fd00:1::6'], containerPorts: [] },
      ],
    };
    const onlyV6 = policy('d', 'p', { podSelector: { matchLabels: {} }, ingress: [{ from: [{ ipBlock: { cidr: 'fd00:1::/64' } }] }] });
    const engine = compilePolicies(state, [onlyV6]);
    expect(engine.allowed({ pod: 'd/client' }, { pod: 'd/server' }, TCP80)).toBe(false);
    expect(engine.allowed({ pod: 'd/client' }, { ip: 'fd00:1::5' }, TCP80)).toBe(true);
    expect(engine.truthTable(TCP80)['d/client']!['d/server']).toBe(false);
  });

  test('a source without an address of the destination family cannot connect', () => {
    const state: ClusterState = {
      namespaces: {},
      pods: [
        { namespace: 'm', name: 'v6', labels: {}, ip: 'fd00::1', containerPorts: [] },
        { namespace: 'm', name: 'v4', labels: {}, ip: '10.0.0.1', containerPorts: [] },
      ],
    };
    const engine = compilePolicies(state, []);
    expect(engine.explain({ pod: 'm/v4' }, { pod: 'm/v6' }, TCP80).text).toBe('denied: m/v4 has no IPv6 address, so m/v4 cannot reach m/v6 over IPv6');
    expect(engine.truthTable(TCP80)['m/v4']).toEqual({ 'm/v6': false, 'm/v4': true });
  });

  test('traffic between a pod and its own node is always allowed', () => {
    const state = xyzModel();
    state.pods.forEach((pod) => (pod.hostIP = pod.namespace === 'x' ? '172.18.0.2' : '172.18.0.3'));
    const engine = compilePolicies(state, [policy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
    expect(engine.allowed({ ip: '172.18.0.2' }, { pod: 'x/a' }, TCP80)).toBe(true);
    expect(engine.allowed({ pod: 'x/a' }, { ip: '172.18.0.2' }, TCP80)).toBe(true);
    expect(engine.allowed({ ip: '172.18.0.3' }, { pod: 'x/a' }, TCP80)).toBe(false);
    expect(engine.explain({ ip: '172.18.0.2' }, { pod: 'x/a' }, TCP80).ingress.exemption).toMatch(/own node/);
  });
});

describe('endpoints', () => {
  test('a pod reached by one of its IPs is that pod', () => {
    const engine = compilePolicies(xyzModel(), [policy('x', 'deny', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })]);
    expect(engine.allowed({ pod: 'x/b' }, { ip: '10.244.1.1' }, TCP80)).toBe(true);
    expect(engine.allowed({ pod: 'y/b' }, { ip: '10.244.1.1' }, TCP80)).toBe(false);
    expect(engine.allowed({ ip: '10.244.1.2' }, { pod: 'x/a' }, TCP80)).toBe(true);
  });

  test('an unknown pod is a bad-input error listing the known pods', () => {
    const engine = compilePolicies(xyzModel(), []);
    expect(() => engine.allowed({ pod: 'x/nope' }, { pod: 'x/a' }, TCP80)).toThrow(BadInputError);
    expect(() => engine.explain({ pod: 'x/a' }, { pod: 'q/a' }, TCP80)).toThrow('unknown pod "q/a"');
    try {
      engine.allowed({ pod: 'x/nope' }, { pod: 'x/a' }, TCP80);
    } catch (error) {
      expect((error as BadInputError).hint).toBe(`known pods: ${ALL_PODS.join(', ')}`);
      expect((error as BadInputError).exitCode).toBe(2);
    }
  });

  test('an endpoint that is neither a pod nor an IP is a bad-input error', () => {
    expect(() => compilePolicies(xyzModel(), []).allowed({ ip: 'not-an-ip' }, { pod: 'x/a' }, TCP80)).toThrow(/neither a pod/);
  });
});

describe('explanations', () => {
  const state = xyzModel();
  const denyAll = policy('y', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
  const allowX = policy('y', 'allow-x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }], ports: [{ port: 81 }, { port: 'serve-80-tcp' }] }] });
  const engine = compilePolicies(state, [denyAll, allowX]);

  test('a denial names the isolating policies, what they select, the peer and the probe', () => {
    expect(engine.explain({ pod: 'x/a' }, { pod: 'y/b' }, TCP80)).toEqual({
      allowed: false,
      egress: { isolated: false, isolatingPolicies: [] },
      ingress: { isolated: true, isolatingPolicies: ['y/deny-all'] },
      text: 'denied: y/b is isolated for ingress by policy y/deny-all (selects all pods) and no ingress rule of y/deny-all admits x/a on 80/TCP',
    });
    expect(engine.explain({ pod: 'z/a' }, { pod: 'y/a' }, TCP80).text).toBe(
      'denied: y/a is isolated for ingress by policies y/deny-all (selects all pods), y/allow-x (selects pod=a) and no ingress rule of y/deny-all, y/allow-x admits z/a on 80/TCP',
    );
  });

  test('an allowance names the policy, rule, peer and port entry on each side', () => {
    const explanation = engine.explain({ pod: 'x/c' }, { pod: 'y/a' }, TCP80);
    expect(explanation.allowed).toBe(true);
    expect(explanation.ingress).toEqual({ isolated: true, isolatingPolicies: ['y/deny-all', 'y/allow-x'], allowedBy: { policy: 'y/allow-x', rule: 0, peer: 0, port: 1 } });
    expect(explanation.text).toBe(
      'allowed: egress: x/c is not isolated for egress; ingress: y/a admitted by y/allow-x spec.ingress[0] (from[0] all pods in namespaces ns=x; ports[1] serve-80-tcp/TCP)',
    );
  });

  test('denials on both sides are both reported', () => {
    const egressDeny = policy('x', 'no-egress', { podSelector: {}, policyTypes: ['Egress'] });
    const text = compilePolicies(state, [denyAll, egressDeny]).explain({ pod: 'x/a' }, { pod: 'y/b' }, TCP80).text;
    expect(text).toBe(
      'denied: x/a is isolated for egress by policy x/no-egress (selects all pods) and no egress rule of x/no-egress admits y/b on 80/TCP; ' +
        'y/b is isolated for ingress by policy y/deny-all (selects all pods) and no ingress rule of y/deny-all admits x/a on 80/TCP',
    );
  });
});
