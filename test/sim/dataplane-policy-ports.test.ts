// The sim's side of the policy suite's port and ipBlock checks: agnhost porter's listeners, named
// ports resolved on each destination pod (and the fault that resolves them on the wrong pod),
// endPort ranges (and the faults that misread them), and Cilium's ipBlocks that never match
// in-cluster addresses.
import { describe, expect, test } from '@jest/globals';
import type { KubeObject } from './apiserver/index.ts';
import { createDataplane } from './dataplane/index.ts';
import { connectFromOutside } from './dataplane/network.ts';
import { addIngressController, execHarness, IPS, NODES, pod, seededStore, type FixtureOptions } from './testing/fixture.ts';

const connect = (ip: string, port: number) => ['/agnhost', 'connect', `${ip}:${port}`, '--timeout=1s', '--protocol=tcp'];
const curl = (url: string) => ['curl', '-sS', '--max-time', '2', url];

const P1 = '10.244.1.20';
const P2 = '10.244.2.20';

function policy(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** An agnhost porter container serving 9001 and 9002; `api` names the pod's own one of them. */
function porter(api: number): Record<string, unknown> {
  return {
    name: 'porter',
    image: 'registry.k8s.io/e2e-test-images/agnhost:2.56',
    args: ['porter'],
    env: [9001, 9002].map((port) => ({ name: `SERVE_PORT_${port}`, value: `porter ${port}` })),
    ports: [9001, 9002].map((port) => ({ name: port === api ? 'api' : `serve-${port}-tcp`, containerPort: port, protocol: 'TCP' })),
  };
}

/** Two porter pods in x whose port named api differs: p1 9001, p2 9002. */
function withPorterPods(opts: FixtureOptions = {}) {
  const store = seededStore(opts);
  store.put(pod({ ns: 'x', name: 'p1', node: NODES.w1[0], ip: P1, labels: { role: 'api' }, containers: [porter(9001)] }));
  store.put(pod({ ns: 'x', name: 'p2', node: NODES.w2[0], ip: P2, labels: { role: 'api' }, containers: [porter(9002)] }));
  return store;
}

async function reachable(h: ReturnType<typeof execHarness>, targets: [string, number][]): Promise<boolean[]> {
  return Promise.all(targets.map(async ([ip, port]) => (await h.run('y/c', connect(ip, port))).exitCode === 0));
}

describe('agnhost porter', () => {
  test('serves HTTP on every SERVE_PORT_<n>, answering with its value, and nothing else', async () => {
    const h = execHarness(withPorterPods());
    expect(await reachable(h, [[P1, 9001], [P1, 9002], [P1, 9003]])).toEqual([true, true, false]);
    expect((await h.run('y/c', curl(`http://${P1}:9002/`))).stdout).toBe('porter 9002');
  });
});

describe('named ports', () => {
  const allowApi = policy('x', 'allow-api', { podSelector: { matchLabels: { role: 'api' } }, ingress: [{ ports: [{ port: 'api' }] }] });
  const targets: [string, number][] = [[P1, 9001], [P1, 9002], [P2, 9001], [P2, 9002]];

  test('resolve on each destination pod; policy-named-port-first-pod uses the first selected pod\'s number for all', async () => {
    const store = withPorterPods();
    store.put(allowApi);
    const h = execHarness(store);
    expect(await reachable(h, targets)).toEqual([true, false, false, true]);
    h.faults = ['policy-named-port-first-pod'];
    expect(await reachable(h, targets)).toEqual([true, false, true, false]);
  });
});

describe('endPort ranges', () => {
  const range = policy('x', 'range', { podSelector: { matchLabels: { role: 'api' } }, ingress: [{ ports: [{ port: 9001, endPort: 9002 }] }] });

  test.each([
    ['(faithful)', [], [true, true]],
    ['policy-endport-first-port-only', ['policy-endport-first-port-only'], [true, false]],
    ['policy-endport-exclusive', ['policy-endport-exclusive'], [true, false]],
  ] as [string, string[], boolean[]][])('9001..9002 %s', async (_name, faults, expected) => {
    const store = withPorterPods();
    store.put(range);
    const h = execHarness(store);
    h.faults = faults;
    expect(await reachable(h, [[P1, 9001], [P1, 9002]])).toEqual(expected);
  });
});

describe('ipBlock and in-cluster addresses', () => {
  const fromPodNetwork = policy('x', 'from-pods', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16' } }] }] });
  const fromNodeNetwork = policy('x', 'from-nodes', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ ipBlock: { cidr: '172.18.0.0/16' } }] }] });

  test.each([
    { cni: 'kindnet', admitted: true },
    { cni: 'calico-node', admitted: true },
    { cni: 'cilium', admitted: false },
  ] as { cni: FixtureOptions['cni']; admitted: boolean }[])('$cni: an ipBlock of the pod network admits a pod: $admitted', async ({ cni, admitted }) => {
    const store = seededStore({ cni });
    store.put(fromPodNetwork);
    expect((await execHarness(store).run('y/c', connect(IPS.a, 80))).exitCode === 0).toBe(admitted);
  });

  test('cilium: an ipBlock of the node network admits no node (a hostNetwork pod on another node)', async () => {
    const kindnet = seededStore();
    kindnet.put(fromNodeNetwork);
    expect((await execHarness(kindnet).run('y/host', connect(IPS.b, 80))).exitCode).toBe(0);
    const cilium = seededStore({ cni: 'cilium' });
    cilium.put(fromNodeNetwork);
    expect((await execHarness(cilium).run('y/host', connect(IPS.b, 80))).stderr).toBe('TIMEOUT\n');
  });

  test('cilium: the same ipBlock still admits an address outside the cluster', () => {
    const store = seededStore({ cni: 'cilium' });
    addIngressController(store);
    store.put(policy('ingress-nginx', 'from-outside', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '172.18.0.0/16' } }] }] }));
    const ctx = createDataplane().context(store);
    // Through the controller's hostPort the client's own address reaches the pod.
    expect(connectFromOutside(ctx, '172.18.0.100', NODES.cp[1], 80, 'TCP').outcome).toBe('connected');
  });
});
