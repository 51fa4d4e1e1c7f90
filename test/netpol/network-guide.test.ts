// The four NetworkPolicies of the project's network guide, each with the outcomes it promises.
import { describe, expect, test } from '@jest/globals';
import { compilePolicies, type ClusterState, type NetworkPolicy, type PortProbe } from '../../harness/netpol/index.ts';

const TCP = (port: number): PortProbe => ({ port, protocol: 'TCP' });
const UDP = (port: number): PortProbe => ({ port, protocol: 'UDP' });

function cluster(): ClusterState {
  const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string) => ({ namespace, name, labels, ip, containerPorts: [] });
  return {
    namespaces: { production: {}, backend: {}, frontend: { name: 'frontend' }, 'kube-system': {}, other: {}, default: {} },
    pods: [
      pod('production', 'web', { app: 'web' }, '10.244.1.1'),
      pod('production', 'database', { app: 'database' }, '10.244.1.2'),
      pod('production', 'worker', {}, '10.244.1.3'),
      pod('backend', 'api', { app: 'api' }, '10.244.2.1'),
      pod('backend', 'cache', { app: 'cache' }, '10.244.2.2'),
      pod('frontend', 'ui', { role: 'frontend' }, '10.244.3.1'),
      pod('frontend', 'batch', { role: 'batch' }, '10.244.3.2'),
      pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.244.0.10'),
      pod('other', 'database', { app: 'database' }, '10.244.4.1'),
      pod('other', 'frontend', { role: 'frontend' }, '10.244.4.2'),
      pod('default', 'db', { role: 'db' }, '10.244.5.1'),
      pod('default', 'in-block', {}, '10.0.0.77'),
    ],
  };
}

const denyAllIngress: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny-all-ingress', namespace: 'production' },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
};

const allowFromFrontend: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-from-frontend', namespace: 'backend' },
  spec: {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
  },
};

const restrictEgress: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'restrict-egress', namespace: 'production' },
  spec: {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: [
      { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] },
      { to: [{ podSelector: { matchLabels: { app: 'database' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ],
  },
};

// The guide gives no namespace: applied as written it lands in "default".
const complexPolicy: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'complex-policy' },
  spec: {
    podSelector: { matchLabels: { role: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [{ namespaceSelector: { matchLabels: { name: 'frontend' } }, podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { from: [{ ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.1/32'] } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ],
  },
};

describe('deny-all-ingress (production)', () => {
  const engine = compilePolicies(cluster(), [denyAllIngress]);
  test('no pod, inside or outside production, reaches a production pod', () => {
    for (const from of ['production/web', 'backend/api', 'frontend/ui']) {
      expect(engine.allowed({ pod: from }, { pod: 'production/database' }, TCP(5432))).toBe(false);
    }
    expect(engine.allowed({ ip: '192.0.2.1' }, { pod: 'production/worker' }, TCP(80))).toBe(false);
  });
  test('production pods still open connections out, and other namespaces are untouched', () => {
    expect(engine.allowed({ pod: 'production/web' }, { pod: 'backend/api' }, TCP(8080))).toBe(true);
    expect(engine.allowed({ pod: 'frontend/ui' }, { pod: 'backend/cache' }, TCP(6379))).toBe(true);
  });
});

describe('allow-from-frontend (backend)', () => {
  const engine = compilePolicies(cluster(), [allowFromFrontend]);
  test('app=api accepts TCP 8080 from any pod of namespaces labelled name=frontend', () => {
    expect(engine.allowed({ pod: 'frontend/ui' }, { pod: 'backend/api' }, TCP(8080))).toBe(true);
    expect(engine.allowed({ pod: 'frontend/batch' }, { pod: 'backend/api' }, TCP(8080))).toBe(true);
  });
  test('app=api refuses other ports, UDP, and other namespaces (its own included)', () => {
    expect(engine.allowed({ pod: 'frontend/ui' }, { pod: 'backend/api' }, TCP(80))).toBe(false);
    expect(engine.allowed({ pod: 'frontend/ui' }, { pod: 'backend/api' }, UDP(8080))).toBe(false);
    expect(engine.allowed({ pod: 'other/frontend' }, { pod: 'backend/api' }, TCP(8080))).toBe(false);
    expect(engine.allowed({ pod: 'backend/cache' }, { pod: 'backend/api' }, TCP(8080))).toBe(false);
  });
  test('other backend pods are not isolated', () => {
    expect(engine.allowed({ pod: 'other/frontend' }, { pod: 'backend/cache' }, TCP(6379))).toBe(true);
  });
});

describe('restrict-egress (production, app=web)', () => {
  const engine = compilePolicies(cluster(), [restrictEgress]);
  test('web reaches kube-dns in any namespace on UDP 53 only', () => {
    expect(engine.allowed({ pod: 'production/web' }, { pod: 'kube-system/coredns' }, UDP(53))).toBe(true);
    expect(engine.allowed({ pod: 'production/web' }, { pod: 'kube-system/coredns' }, TCP(53))).toBe(false);
  });
  test('web reaches app=database of its own namespace on TCP 5432 only', () => {
    expect(engine.allowed({ pod: 'production/web' }, { pod: 'production/database' }, TCP(5432))).toBe(true);
    expect(engine.allowed({ pod: 'production/web' }, { pod: 'production/database' }, UDP(5432))).toBe(false);
    expect(engine.allowed({ pod: 'production/web' }, { pod: 'other/database' }, TCP(5432))).toBe(false);
  });
  test('everything else from web is denied; other production pods are free', () => {
    expect(engine.allowed({ pod: 'production/web' }, { pod: 'backend/api' }, TCP(8080))).toBe(false);
    expect(engine.allowed({ pod: 'production/web' }, { ip: '203.0.113.9' }, TCP(443))).toBe(false);
    expect(engine.allowed({ pod: 'production/worker' }, { ip: '203.0.113.9' }, TCP(443))).toBe(true);
  });
  test('together with deny-all-ingress, web -> database dies on the database ingress side', () => {
    const both = compilePolicies(cluster(), [denyAllIngress, restrictEgress]);
    const explanation = both.explain({ pod: 'production/web' }, { pod: 'production/database' }, TCP(5432));
    expect(explanation.allowed).toBe(false);
    expect(explanation.egress.allowedBy).toEqual({ policy: 'production/restrict-egress', rule: 1, peer: 0, port: 0 });
    expect(explanation.text).toBe(
      'denied: production/database is isolated for ingress by policy production/deny-all-ingress (selects all pods) and no ingress rule of production/deny-all-ingress admits production/web on 5432/TCP',
    );
  });
});

describe('complex-policy (role=db)', () => {
  const engine = compilePolicies(cluster(), [complexPolicy]);
  test('accepts TCP 5432 from role=frontend pods in namespaces name=frontend (both must hold)', () => {
    expect(engine.allowed({ pod: 'frontend/ui' }, { pod: 'default/db' }, TCP(5432))).toBe(true);
    expect(engine.allowed({ pod: 'frontend/batch' }, { pod: 'default/db' }, TCP(5432))).toBe(false);
    expect(engine.allowed({ pod: 'other/frontend' }, { pod: 'default/db' }, TCP(5432))).toBe(false);
  });
  test('accepts TCP 5432 from 10.0.0.0/24 except 10.0.0.1, pods in the block included', () => {
    expect(engine.allowed({ ip: '10.0.0.5' }, { pod: 'default/db' }, TCP(5432))).toBe(true);
    expect(engine.allowed({ ip: '10.0.0.1' }, { pod: 'default/db' }, TCP(5432))).toBe(false);
    expect(engine.allowed({ ip: '10.0.1.5' }, { pod: 'default/db' }, TCP(5432))).toBe(false);
    expect(engine.allowed({ pod: 'default/in-block' }, { pod: 'default/db' }, TCP(5432))).toBe(true);
  });
  test('accepts nothing on other ports', () => {
    expect(engine.allowed({ pod: 'frontend/ui' }, { pod: 'default/db' }, TCP(5433))).toBe(false);
    expect(engine.allowed({ ip: '10.0.0.5' }, { pod: 'default/db' }, UDP(5432))).toBe(false);
  });
});
