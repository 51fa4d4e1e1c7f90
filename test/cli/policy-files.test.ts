// `cnimatrix policy` on the files users have: the network guide's four NetworkPolicies as one
// multi-document YAML, plain Kubernetes objects (Pod, Namespace, List), YAML on standard input.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { BIN, CLI_TIMEOUT_MS, emptyDir } from './spawn.ts';

/** The four policies of ../shared/network-guide.md, as a user would save them (comments dropped). */
const GUIDE_POLICIES = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all-ingress
  namespace: production
spec:
  podSelector: {}
  policyTypes:
    - Ingress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-from-frontend
  namespace: backend
spec:
  podSelector:
    matchLabels:
      app: api
  policyTypes:
    - Ingress
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              name: frontend
      ports:
        - protocol: TCP
          port: 8080
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: restrict-egress
  namespace: production
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
    - Egress
  egress:
    - to:
        - namespaceSelector: {}
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
    - to:
        - podSelector:
            matchLabels:
              app: database
      ports:
        - protocol: TCP
          port: 5432
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: complex-policy
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
    - Ingress
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              name: frontend
          podSelector:
            matchLabels:
              role: frontend
      ports:
        - protocol: TCP
          port: 5432
    - from:
        - ipBlock:
            cidr: 10.0.0.0/24
            except:
              - 10.0.0.1/32
      ports:
        - protocol: TCP
          port: 5432
`;

/** The pods the guide's policies talk about, described as a user would: no IPs needed. */
const PODS = `pods:
  - {namespace: production, name: web, labels: {app: web}}
  - {namespace: production, name: database, labels: {app: database}}
  - {namespace: backend, name: api, labels: {app: api}}
  - {namespace: frontend, name: ui, labels: {role: frontend}}
  - {namespace: kube-system, name: coredns, labels: {k8s-app: kube-dns}}
namespaces:
  frontend: {name: frontend}
`;

async function cnimatrix(args: string[], input?: string) {
  const dir = emptyDir();
  writeFileSync(path.join(dir, 'policies.yaml'), GUIDE_POLICIES);
  writeFileSync(path.join(dir, 'pods.yaml'), PODS);
  return execa(process.execPath, [BIN, ...args], { cwd: dir, reject: false, ...(input === undefined ? {} : { input }) });
}

describe('policy eval and explain on Kubernetes YAML', () => {
  test("eval: the guide's policies and a pods file; probes come from the policies' ports", async () => {
    const result = await cnimatrix(['policy', 'eval', 'policies.yaml', 'pods.yaml']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const tables = JSON.parse(result.stdout) as Record<string, Record<string, Record<string, boolean>>>;
    expect(Object.keys(tables)).toEqual(['53/UDP', '5432/TCP', '8080/TCP']);
    expect(tables['8080/TCP']?.['frontend/ui']?.['backend/api']).toBe(true);
    expect(tables['8080/TCP']?.['production/database']?.['backend/api']).toBe(false);
    expect(tables['5432/TCP']?.['production/web']?.['production/database']).toBe(false);
  }, CLI_TIMEOUT_MS);

  test('explain exits 0 when allowed and 1 when denied; --protocol takes any case', async () => {
    const allowed = await cnimatrix(['policy', 'explain', 'policies.yaml', 'pods.yaml', '--from', 'production/web', '--to', 'kube-system/coredns', '--port', '53', '--protocol', 'udp']);
    expect([allowed.exitCode, allowed.stderr]).toEqual([0, '']);
    expect(allowed.stdout).toMatch(/^allowed: /);
    expect(allowed.stdout).toContain('egress: isolated by production/restrict-egress; admitted by production/restrict-egress spec.egress[0]');
    const denied = await cnimatrix(['policy', 'explain', 'policies.yaml', 'pods.yaml', '--from', 'production/web', '--to', 'production/database', '--port', '5432']);
    expect([denied.exitCode, denied.stderr]).toEqual([1, '']);
    expect(denied.stdout).toMatch(/^denied: .*production\/deny-all-ingress/);
  }, CLI_TIMEOUT_MS);

  test('YAML on standard input, with Pod and Namespace objects in a List', async () => {
    const objects = `${GUIDE_POLICIES}---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Namespace
    metadata: {name: frontend, labels: {name: frontend}}
  - apiVersion: v1
    kind: Pod
    metadata: {name: api, namespace: backend, labels: {app: api}}
    spec: {containers: [{name: api, image: x, ports: [{containerPort: 8080}]}]}
    status: {podIP: 10.244.2.1, hostIP: 172.18.0.3}
  - apiVersion: v1
    kind: Pod
    metadata: {name: ui, namespace: frontend, labels: {role: frontend}}
    status: {podIP: 10.244.3.1}
`;
    const result = await cnimatrix(['policy', 'explain', '-', '--from', 'frontend/ui', '--to', 'backend/api', '--port', '8080'], objects);
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain('ingress: isolated by backend/allow-from-frontend; admitted by backend/allow-from-frontend spec.ingress[0]');
  }, CLI_TIMEOUT_MS);

  test('objects policy eval does not read get a hint, not "unknown field apiVersion"', async () => {
    const result = await cnimatrix(['policy', 'eval', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('document 1: kind Deployment is not something policy eval reads');
    expect(result.stderr).toMatch(/hint: give NetworkPolicy, Pod, Namespace, List objects/);
    expect(result.stderr).not.toMatch(/unknown field/);
  }, CLI_TIMEOUT_MS);

  test('policies alone: says pods are needed and how to give them', async () => {
    const result = await cnimatrix(['policy', 'eval', 'policies.yaml']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no pods: the verdicts are about pods, and the files hold none');
  }, CLI_TIMEOUT_MS);
});
