// The examples of the Kubernetes "Network Policies" concept page, with the outcomes it describes.
import { describe, expect, test } from '@jest/globals';
import { compilePolicies, type ClusterState, type NetworkPolicy, type PortProbe } from '../../harness/netpol/index.ts';
import { policy } from './fixtures.ts';

const REDIS: PortProbe = { port: 6379, protocol: 'TCP' };
const P5978: PortProbe = { port: 5978, protocol: 'TCP' };

function cluster(): ClusterState {
  const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string) => ({ namespace, name, labels, ip, containerPorts: [] });
  return {
    namespaces: { default: {}, myproject: { project: 'myproject' }, other: {} },
    pods: [
      pod('default', 'db', { role: 'db' }, '10.244.0.10'),
      pod('default', 'frontend', { role: 'frontend' }, '10.244.0.11'),
      pod('default', 'backend', { role: 'backend' }, '10.244.0.12'),
      pod('myproject', 'anything', {}, '10.244.1.10'),
      pod('other', 'frontend', { role: 'frontend' }, '10.244.2.10'),
      pod('other', 'in-block', {}, '172.17.2.9'),
    ],
  };
}

// spec copied in shape from the page's "test-network-policy" example.
const testNetworkPolicy: NetworkPolicy = policy('default', 'test-network-policy', {
  podSelector: { matchLabels: { role: 'db' } },
  policyTypes: ['Ingress', 'Egress'],
  ingress: [
    {
      from: [
        { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
        { namespaceSelector: { matchLabels: { project: 'myproject' } } },
        { podSelector: { matchLabels: { role: 'frontend' } } },
      ],
      ports: [{ protocol: 'TCP', port: 6379 }],
    },
  ],
  egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
});

describe('test-network-policy', () => {
  const engine = compilePolicies(cluster(), [testNetworkPolicy]);

  test('db accepts TCP 6379 from role=frontend pods of its own namespace only', () => {
    expect(engine.allowed({ pod: 'default/frontend' }, { pod: 'default/db' }, REDIS)).toBe(true);
    expect(engine.allowed({ pod: 'other/frontend' }, { pod: 'default/db' }, REDIS)).toBe(false);
    expect(engine.allowed({ pod: 'default/backend' }, { pod: 'default/db' }, REDIS)).toBe(false);
  });

  test('db accepts TCP 6379 from every pod of namespaces labelled project=myproject', () => {
    expect(engine.allowed({ pod: 'myproject/anything' }, { pod: 'default/db' }, REDIS)).toBe(true);
  });

  test('db accepts TCP 6379 from 172.17.0.0/16 except 172.17.1.0/24', () => {
    expect(engine.allowed({ ip: '172.17.0.1' }, { pod: 'default/db' }, REDIS)).toBe(true);
    expect(engine.allowed({ ip: '172.17.255.254' }, { pod: 'default/db' }, REDIS)).toBe(true);
    expect(engine.allowed({ ip: '172.17.1.20' }, { pod: 'default/db' }, REDIS)).toBe(false);
    expect(engine.allowed({ ip: '172.18.0.1' }, { pod: 'default/db' }, REDIS)).toBe(false);
    expect(engine.allowed({ pod: 'other/in-block' }, { pod: 'default/db' }, REDIS)).toBe(true);
  });

  test('db accepts nothing else: other ports and protocols are denied', () => {
    expect(engine.allowed({ pod: 'default/frontend' }, { pod: 'default/db' }, { port: 6380, protocol: 'TCP' })).toBe(false);
    expect(engine.allowed({ pod: 'default/frontend' }, { pod: 'default/db' }, { port: 6379, protocol: 'UDP' })).toBe(false);
  });

  test('db may open connections only to 10.0.0.0/24 on TCP 5978', () => {
    expect(engine.allowed({ pod: 'default/db' }, { ip: '10.0.0.7' }, P5978)).toBe(true);
    expect(engine.allowed({ pod: 'default/db' }, { ip: '10.0.1.7' }, P5978)).toBe(false);
    expect(engine.allowed({ pod: 'default/db' }, { ip: '10.0.0.7' }, REDIS)).toBe(false);
    expect(engine.allowed({ pod: 'default/db' }, { pod: 'default/frontend' }, P5978)).toBe(false);
  });

  test('pods the policy does not select are untouched', () => {
    expect(engine.allowed({ pod: 'other/frontend' }, { pod: 'default/backend' }, REDIS)).toBe(true);
    expect(engine.allowed({ pod: 'default/backend' }, { ip: '203.0.113.1' }, REDIS)).toBe(true);
  });
});

describe('default policies', () => {
  const probes: PortProbe[] = [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }, { port: 9, protocol: 'SCTP' }];
  const decide = (policies: NetworkPolicy[], from: string, to: string) => probes.map((probe) => compilePolicies(cluster(), policies).allowed({ pod: from }, { pod: to }, probe));

  test('default deny all ingress traffic', () => {
    const p = policy('default', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    expect(decide([p], 'other/frontend', 'default/db')).toEqual([false, false, false]);
    expect(decide([p], 'default/frontend', 'default/db')).toEqual([false, false, false]);
    expect(decide([p], 'default/db', 'other/frontend')).toEqual([true, true, true]);
  });

  test('allow all ingress traffic, even with a default deny present', () => {
    const deny = policy('default', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    const allow = policy('default', 'allow-all-ingress', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] });
    expect(decide([deny, allow], 'other/frontend', 'default/db')).toEqual([true, true, true]);
  });

  test('default deny all egress traffic', () => {
    const p = policy('default', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
    expect(decide([p], 'default/db', 'other/frontend')).toEqual([false, false, false]);
    expect(decide([p], 'other/frontend', 'default/db')).toEqual([true, true, true]);
    expect(compilePolicies(cluster(), [p]).allowed({ pod: 'default/db' }, { ip: '8.8.8.8' }, probes[1]!)).toBe(false);
  });

  test('allow all egress traffic', () => {
    const deny = policy('default', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
    const allow = policy('default', 'allow-all-egress', { podSelector: {}, egress: [{}], policyTypes: ['Egress'] });
    expect(decide([deny, allow], 'default/db', 'other/frontend')).toEqual([true, true, true]);
    expect(compilePolicies(cluster(), [deny, allow]).allowed({ pod: 'default/db' }, { ip: '8.8.8.8' }, probes[1]!)).toBe(true);
  });

  test('default deny all ingress and all egress traffic', () => {
    const p = policy('default', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(decide([p], 'default/db', 'default/frontend')).toEqual([false, false, false]);
    expect(decide([p], 'other/frontend', 'default/db')).toEqual([false, false, false]);
    expect(decide([p], 'myproject/anything', 'other/frontend')).toEqual([true, true, true]);
  });
});

test('targeting a range of ports: endPort 32000-32768', () => {
  const p = policy('default', 'multi-port-egress', {
    podSelector: { matchLabels: { role: 'db' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }],
  });
  const engine = compilePolicies(cluster(), [p]);
  const to = (port: number, ip = '10.0.0.9') => engine.allowed({ pod: 'default/db' }, { ip }, { port, protocol: 'TCP' });
  expect([to(31999), to(32000), to(32768), to(32769)]).toEqual([false, true, true, false]);
  expect(to(32100, '10.0.1.9')).toBe(false);
  expect(engine.allowed({ pod: 'default/db' }, { ip: '10.0.0.9' }, { port: 32100, protocol: 'UDP' })).toBe(false);
});

test('from selectors: one element with both selectors is AND, two elements are OR', () => {
  const state: ClusterState = {
    namespaces: { alice: { user: 'alice' }, bob: { user: 'bob' }, default: {} },
    pods: [
      { namespace: 'default', name: 'server', labels: {}, ip: '10.1.0.1', containerPorts: [] },
      { namespace: 'alice', name: 'client', labels: { role: 'client' }, ip: '10.1.0.2', containerPorts: [] },
      { namespace: 'alice', name: 'tool', labels: {}, ip: '10.1.0.3', containerPorts: [] },
      { namespace: 'bob', name: 'client', labels: { role: 'client' }, ip: '10.1.0.4', containerPorts: [] },
      { namespace: 'default', name: 'client', labels: { role: 'client' }, ip: '10.1.0.5', containerPorts: [] },
    ],
  };
  const and = policy('default', 'and', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } }, podSelector: { matchLabels: { role: 'client' } } }] }] });
  const or = policy('default', 'or', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }] });
  const sources = ['alice/client', 'alice/tool', 'bob/client', 'default/client'];
  const admitted = (p: NetworkPolicy) => sources.filter((from) => compilePolicies(state, [p]).allowed({ pod: from }, { pod: 'default/server' }, { port: 80, protocol: 'TCP' }));
  expect(admitted(and)).toEqual(['alice/client']);
  expect(admitted(or)).toEqual(['alice/client', 'alice/tool', 'default/client']);
});
