// Exec and logs failures as a user of the kube adapter sees them, against a real control plane
// with no kubelet: pods that were never scheduled, pods bound to a node nobody runs, missing pods
// and containers, a user without RBAC. The refusals the sim can reproduce are checked on it too.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createKube, KubeApiError } from '../../harness/kube/index.ts';
import type { Kube, KubeObject } from '../../harness/kube/types.ts';
import { controlPlane } from './control-plane.ts';
import { freePort } from './processes.ts';
import { realTestsRun } from './require.ts';
import { answerShape, realServer, simServer, type RealServer, type Server } from './servers.ts';

const START_MS = 120_000;
const NS = 'exec';
const image = 'registry.k8s.io/e2e-test-images/agnhost:2.56';

function pod(name: string, spec: Record<string, unknown>, containers = ['main']): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { containers: containers.map((c) => ({ name: c, image })), ...spec } };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof Error)) throw new Error('expected a failure');
  return err;
}

/** A Node whose kubelet endpoint is a closed port on 127.0.0.1: every connection to it is refused. */
async function nodeWithoutKubelet(server: Server, name: string): Promise<number> {
  const port = await freePort();
  expect((await server.call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name } })).status).toBe(201);
  const status = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } }, conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'no kubelet' }] };
  expect((await server.call('PATCH', `/api/v1/nodes/${name}/status`, { status }, 'application/merge-patch+json')).status).toBe(200);
  return port;
}

/** Exec requests answered without upgrading, so their Status can be compared; the checks are the same. */
const refusals: Array<[string, string]> = [
  ['a missing pod', 'ghost'],
  ['a pod without a node', 'unscheduled'],
  ['a pod bound to a node that does not exist', 'on-missing-node'],
  ['a container the pod does not have', 'unscheduled?container=nope&'],
  ['no container named in a pod of two', 'two-containers'],
];

(realTestsRun('kube adapter contract: exec and logs') ? describe : describe.skip)('kube adapter exec and logs without a kubelet', () => {
  const servers = {} as { real: RealServer; sim: Server };
  let kube: Kube;
  let kubeletPort: number;

  beforeAll(async () => {
    [servers.real, servers.sim] = await Promise.all([realServer(controlPlane().withControllerManager().withScheduler()), simServer()]);
    kube = servers.real.kube();
    kubeletPort = await nodeWithoutKubelet(servers.real, 'no-kubelet');
    for (const server of Object.values(servers)) {
      await server.kube().apply([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
        pod('unscheduled', { nodeSelector: { 'cnimatrix.io/none': 'true' } }),
        pod('on-missing-node', { nodeName: 'missing-node' }),
        pod('two-containers', { nodeSelector: { 'cnimatrix.io/none': 'true' } }, ['a', 'b']),
      ]);
    }
    await kube.apply([pod('bound', { nodeName: 'no-kubelet' })]);
    // Explanations quote the scheduler's event: wait until it has spoken.
    const deadline = Date.now() + 30_000;
    while (!(await kube.events(NS)).some((e) => e.involvedObject === 'Pod/unscheduled' && e.reason === 'FailedScheduling')) {
      if (Date.now() > deadline) throw new Error('the scheduler never gave up on exec/unscheduled');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, START_MS);
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  });

  test.each(refusals)('the exec refusal for %s is the same on the sim', async (_what, podAndQuery) => {
    const [name, query = ''] = podAndQuery.split('?');
    const path = `/api/v1/namespaces/${NS}/pods/${name}/exec?${query}command=true&stdout=true`;
    const real = await servers.real.call('GET', path);
    const sim = await servers.sim.call('GET', path);
    expect(real.status).toBeGreaterThanOrEqual(400);
    expect(answerShape(sim)).toEqual(answerShape(real));
  });

  test('a missing pod: 404 naming the pod', async () => {
    const err = await failure(kube.exec({ namespace: NS, pod: 'ghost' }, ['true']));
    expect([(err as KubeApiError).status, (err as KubeApiError).reason]).toEqual([404, 'NotFound']);
    expect(err.message).toBe('exec Pod exec/ghost failed: 404 NotFound: exec [true] in exec/ghost: pods "ghost" not found');
  });

  test('a pod that was never scheduled: 400, explained from the pod and the scheduler', async () => {
    const err = await failure(kube.exec({ namespace: NS, pod: 'unscheduled' }, ['true']));
    expect([(err as KubeApiError).status, (err as KubeApiError).reason]).toEqual([400, 'BadRequest']);
    expect(err.message).toMatch(/^exec Pod exec\/unscheduled failed: 400 BadRequest: exec \[true\] in exec\/unscheduled: the pod is not running: unscheduled: Pending \(0\/1 containers ready, unschedulable\), last event: FailedScheduling: /);
  });

  test('a pod bound to a node with no kubelet: the dial error arrives on the status channel, and the pod state is added', async () => {
    const err = await failure(kube.exec({ namespace: NS, pod: 'bound' }, ['sh', '-c', 'true']));
    expect(err).not.toBeInstanceOf(KubeApiError);
    expect(err.message).toBe(
      `exec [sh -c true] in exec/bound failed: InternalError: Internal error occurred: error sending request: Post "https://127.0.0.1:${kubeletPort}/exec/exec/bound/main?command=sh&command=-c&command=true&error=1&output=1": dial tcp 127.0.0.1:${kubeletPort}: connect: connection refused (the pod is not running: bound: Pending (0/1 containers ready) on no-kubelet)`,
    );
  });

  // Seen both ways here: the dial error on the status channel, or (as the socket closes after
  // stdin's end) a normal close with no status at all. Either way the pod state says why.
  test('with stdin, the real server negotiates v5.channel.k8s.io (no refusal); its dial error or a close without status, with the pod state', async () => {
    const err = await failure(kube.exec({ namespace: NS, pod: 'bound' }, ['sh', '-c', 'cat'], { stdin: 'x\n' }));
    expect(err.message).toMatch(
      /^exec \[sh -c cat\] in exec\/bound(: the connection closed without an exit status \(stdout: "", stderr: ""\)| failed: InternalError: Internal error occurred: error sending request: .*connect: connection refused) \(the pod is not running: bound: Pending \(0\/1 containers ready\) on no-kubelet\)$/,
    );
  });

  test('a container the pod does not have: named with the containers there are', async () => {
    const err = await failure(kube.exec({ namespace: NS, pod: 'bound', container: 'nope' }, ['true']));
    expect(err.message).toBe('exec Pod exec/bound failed: 400 BadRequest: exec [true] in exec/bound (container nope): the pod is not running: bound: Pending (0/1 containers ready) on no-kubelet');
  });

  test('a user without RBAC grants: 403, and the pod cannot be read either', async () => {
    const nobody = createKube({ kubeconfig: servers.real.cp.unprivilegedKubeconfig, retry: { retries: 0, minTimeoutMs: 10 } });
    const err = await failure(nobody.exec({ namespace: NS, pod: 'bound' }, ['true']));
    expect([(err as KubeApiError).status, (err as KubeApiError).reason]).toEqual([403, 'Forbidden']);
    expect(err.message).toBe(
      'exec Pod exec/bound failed: 403 Forbidden: exec [true] in exec/bound: Unexpected server response: 403 (and the pod could not be read: get Pod exec/bound failed: 403 Forbidden: pods "bound" is forbidden: User "cnimatrix-nobody" cannot get resource "pods" in API group "" in the namespace "exec")',
    );
  });

  test('logs of a pod bound to a node with no kubelet: a 500, retried, with the dial error', async () => {
    const err = await failure(kube.logs({ namespace: NS, pod: 'bound' }));
    expect([(err as KubeApiError).status, (err as KubeApiError).reason, (err as KubeApiError).attempts]).toEqual([500, 'InternalError', 3]);
    expect(err.message).toBe(`logs Pod exec/bound failed: 500 InternalError: Get "https://127.0.0.1:${kubeletPort}/containerLogs/exec/bound/main": dial tcp 127.0.0.1:${kubeletPort}: connect: connection refused (after 3 attempts)`);
  });

  test.each([
    ['a container the pod does not have', 'bound', 'nope', 'logs Pod exec/bound failed: 400 BadRequest: container nope is not valid for pod bound'],
    ['no container named in a pod of two', 'two-containers', undefined, 'logs Pod exec/two-containers failed: 400 BadRequest: a container name must be specified for pod two-containers, choose one of: [a b]'],
  ])('logs for %s: 400 with the server message', async (_what, name, container, message) => {
    await expect(kube.logs({ namespace: NS, pod: name, ...(container ? { container } : {}) })).rejects.toThrow(message);
  });

  test('logs of a pod that was never scheduled are empty, not an error', async () => {
    expect(await kube.logs({ namespace: NS, pod: 'unscheduled' })).toBe('');
  });
});
