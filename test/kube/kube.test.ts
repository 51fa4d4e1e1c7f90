// Contract tests of the kube adapter against the fake API server.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createKube, isNotFound, KubeApiError } from '../../harness/kube/index.ts';
import type { KubeObject } from '../../harness/kube/types.ts';
import { WaitAbortedError } from '../../harness/kube/waits.ts';
import { deployment, eventually, namespace, startCluster, type Cluster } from './fixtures.ts';
import { startApiServer } from '../sim/apiserver/index.ts';
import { miniShell } from './shell.ts';

const CRD_AND_CR = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.cnimatrix.io
spec:
  group: example.cnimatrix.io
  scope: Namespaced
  names: { kind: Widget, plural: widgets, singular: widget }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
---
apiVersion: example.cnimatrix.io/v1
kind: Widget
metadata:
  name: sprocket
  namespace: widgets
spec:
  size: 3
---
apiVersion: v1
kind: Namespace
metadata:
  name: widgets
`;

function spec(obj: KubeObject | undefined): Record<string, unknown> {
  return (obj?.['spec'] as Record<string, unknown> | undefined) ?? {};
}

function podObject(ns: string, name: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'main', image: 'busybox' }], ...extra } };
}

describe('kube adapter against the fake API server', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await startCluster({ exec: miniShell, logs: ({ container }) => `one ${container}\ntwo\nthree\n`, timing: { namespaceFinalizeMs: 1000 } }, ['kind-worker2'], 'run-42');
  });
  afterAll(async () => {
    await c.server.stop();
  });

  test('server is the API server URL from the kubeconfig', () => {
    expect(c.kube.server).toBe(c.server.url);
  });

  describe('apply', () => {
    test('creates objects with server-side apply, labelled with the run id', async () => {
      const [ns, deploy] = await c.kube.apply([namespace('apply-a'), deployment('apply-a', 'web', 2)]);
      expect(ns?.metadata.labels?.['cnimatrix.io/run']).toBe('run-42');
      expect(deploy?.metadata.labels?.['cnimatrix.io/run']).toBe('run-42');
      expect(deploy?.metadata.uid).toBeTruthy();
      const managers = (deploy?.metadata['managedFields'] as Array<{ manager: string; operation: string }>).map((m) => `${m.manager}/${m.operation}`);
      expect(managers).toContain('cnimatrix/Apply');
      expect(c.server.stats.byVerb['apply']).toBeGreaterThanOrEqual(2);
    });

    test('applying again changes the fields that changed and drops fields no longer applied', async () => {
      const first = deployment('apply-a', 'api', 1);
      first.metadata.labels = { tier: 'backend', legacy: 'yes' };
      const [v1] = await c.kube.apply([first]);
      const second = deployment('apply-a', 'api', 3);
      second.metadata.labels = { tier: 'backend' };
      const [v2] = await c.kube.apply([second]);
      expect(v2?.metadata.uid).toBe(v1?.metadata.uid);
      expect(spec(v2)['replicas']).toBe(3);
      expect(v2?.metadata.labels).toEqual({ tier: 'backend', 'cnimatrix.io/run': 'run-42' });
      expect(Number(v2?.metadata['generation'])).toBe(Number(v1?.metadata['generation']) + 1);
    });

    test('force-applies over fields another manager changed', async () => {
      await c.kube.apply([deployment('apply-a', 'edited', 1)]);
      const res = await fetch(`${c.server.url}/apis/apps/v1/namespaces/apply-a/deployments/edited?fieldManager=kubectl-edit`, {
        method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { replicas: 5 } }),
      });
      expect(res.status).toBe(200);
      const [after] = await c.kube.apply([deployment('apply-a', 'edited', 2)]);
      expect(spec(after)['replicas']).toBe(2);
    });

    test('multi-document YAML: the CRD is Established before its custom resource is applied', async () => {
      const applied = await c.kube.apply(CRD_AND_CR);
      expect(applied.map((o) => o.kind)).toEqual(['CustomResourceDefinition', 'Widget', 'Namespace']);
      const widget = await c.kube.get({ apiVersion: 'example.cnimatrix.io/v1', kind: 'Widget', namespace: 'widgets', name: 'sprocket' });
      expect(spec(widget)['size']).toBe(3);
      const crd = await c.kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'widgets.example.cnimatrix.io' });
      const established = ((crd?.['status'] as { conditions: Array<{ type: string; status: string }> }).conditions).find((x) => x.type === 'Established');
      expect(established?.status).toBe('True');
    });

    test('a custom resource whose CRD is missing is a 404 that names the kind', async () => {
      const cr = { apiVersion: 'missing.cnimatrix.io/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'default' } };
      const err = await c.kube.apply([cr]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).status).toBe(404);
      expect((err as Error).message).toContain('Gadget');
      expect((err as Error).message).toContain('CustomResourceDefinition');
    });

    test("mode 'create' POSTs, and AlreadyExists keeps the existing object unchanged", async () => {
      const cm = (value: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'apply-a' }, data: { value } });
      const before = c.server.stats.byVerb['create'] ?? 0;
      const [created] = await c.kube.apply([cm('first')], { mode: 'create' });
      expect(c.server.stats.byVerb['create']).toBe(before + 1);
      const [kept] = await c.kube.apply([cm('second')], { mode: 'create' });
      expect(kept?.metadata.uid).toBe(created?.metadata.uid);
      expect(kept?.['data']).toEqual({ value: 'first' });
    });

    test("mode 'create' fails when the existing object is being deleted", async () => {
      await c.kube.apply([namespace('doomed')]);
      const rt = await fetch(`${c.server.url}/api/v1/namespaces/doomed`, { method: 'DELETE' });
      expect(rt.status).toBe(200);
      const err = await c.kube.apply([namespace('doomed')], { mode: 'create' }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/^create Namespace doomed failed: 409 AlreadyExists: object is being deleted: namespaces "doomed" already exists \(since [\dT:-]+Z\); wait for it to be gone and create it again$/);
    });

    test('rejects a document without a name before sending anything', async () => {
      const requests = c.server.stats.requests;
      await expect(c.kube.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n')).rejects.toThrow('manifest document 1 (kind ConfigMap) has no metadata.name');
      expect(c.server.stats.requests).toBe(requests);
    });
  });

  describe('get, list, patch, delete', () => {
    beforeAll(async () => {
      await c.kube.apply([
        namespace('crud'),
        podObject('crud', 'a', {}, { tier: 'web', zone: 'x' }),
        podObject('crud', 'b', {}, { tier: 'db', zone: 'y' }),
        podObject('crud', 'c', {}, { zone: 'x' }),
      ]);
    });

    test('get returns undefined for an absent object', async () => {
      expect(await c.kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'crud', name: 'nope' })).toBeUndefined();
    });

    test.each([
      ['tier=web', ['a']],
      ['tier!=web', ['b', 'c']],
      ['tier in (web,db)', ['a', 'b']],
      ['tier notin (web)', ['b', 'c']],
      ['tier', ['a', 'b']],
      ['!tier', ['c']],
      ['zone=x,tier', ['a']],
    ])('list with label selector %s', async (selector, names) => {
      const pods = await c.kube.list('v1', 'Pod', { namespace: 'crud', labelSelector: selector });
      expect(pods.map((p) => p.metadata.name)).toEqual(names);
      expect(pods.every((p) => p.kind === 'Pod' && p.apiVersion === 'v1')).toBe(true);
    });

    test('list with a field selector', async () => {
      const pods = await c.kube.list('v1', 'Pod', { namespace: 'crud', fieldSelector: 'metadata.name=b' });
      expect(pods.map((p) => p.metadata.name)).toEqual(['b']);
    });

    test('patch merges into the object', async () => {
      const patched = await c.kube.patch({ apiVersion: 'v1', kind: 'Pod', namespace: 'crud', name: 'a' }, { metadata: { labels: { tier: 'api', zone: null } } });
      expect(patched.metadata.labels).toEqual({ tier: 'api', 'cnimatrix.io/run': 'run-42' });
    });

    test('a 404 is a KubeApiError naming the object, the status and the API message', async () => {
      const err = await c.kube.patch({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'crud', name: 'nope' }, { spec: {} }).catch((e: unknown) => e);
      expect(isNotFound(err)).toBe(true);
      expect((err as Error).message).toBe('patch Deployment crud/nope failed: 404 NotFound: deployments.apps "nope" not found');
    });

    test('a stale resourceVersion is a 409 Conflict, raised without retrying', async () => {
      const pod = await c.kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'crud', name: 'b' });
      await c.kube.patch({ apiVersion: 'v1', kind: 'Pod', namespace: 'crud', name: 'b' }, { metadata: { annotations: { touched: 'yes' } } });
      const patches = c.server.stats.byVerb['patch'] ?? 0;
      const err = await c.kube
        .patch({ apiVersion: 'v1', kind: 'Pod', namespace: 'crud', name: 'b' }, { metadata: { resourceVersion: pod!.metadata.resourceVersion, annotations: { touched: 'again' } } })
        .catch((e: unknown) => e);
      expect((err as KubeApiError).status).toBe(409);
      expect((err as KubeApiError).reason).toBe('Conflict');
      expect((err as Error).message).toContain('the object has been modified');
      expect(c.server.stats.byVerb['patch']).toBe(patches + 1);
    });

    test('delete of an absent object is fine; delete with wait returns once it is gone', async () => {
      await c.kube.delete({ apiVersion: 'v1', kind: 'Pod', namespace: 'crud', name: 'nope' });
      await c.kube.delete({ apiVersion: 'v1', kind: 'Pod', namespace: 'crud', name: 'c' }, { wait: true, timeoutMs: 2000 });
      expect(await c.kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'crud', name: 'c' })).toBeUndefined();
    });

    test('deleting a namespace with wait removes it and everything in it', async () => {
      await c.kube.apply([namespace('gone'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'gone' } }]);
      await c.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'gone' }, { wait: true, timeoutMs: 2000 });
      expect(await c.kube.get({ apiVersion: 'v1', kind: 'Namespace', name: 'gone' })).toBeUndefined();
      expect(c.server.store.get('v1', 'ConfigMap', 'gone', 'x')).toBeUndefined();
    });
  });

  describe('waitFor', () => {
    test('Deployment available', async () => {
      await c.kube.apply([namespace('w-deploy'), deployment('w-deploy', 'web', 2)]);
      await c.kube.waitFor({ kind: 'deploymentAvailable', namespace: 'w-deploy', name: 'web' }, 3000);
      const pods = await c.kube.list('v1', 'Pod', { namespace: 'w-deploy', labelSelector: 'app=web' });
      expect(pods.filter((p) => (p['status'] as { phase: string }).phase === 'Running')).toHaveLength(2);
    });

    test('DaemonSet rolled out on every node its tolerations allow', async () => {
      const ds: KubeObject = {
        apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true, tolerations: [{ operator: 'Exists' }], containers: [{ name: 'agent', image: 'agent:1' }] } },
        },
      };
      await c.kube.apply([ds]);
      await c.kube.waitFor({ kind: 'daemonSetRolledOut', namespace: 'kube-system', name: 'agent' }, 3000);
      const pods = await c.kube.list('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'app=agent' });
      expect(pods.map((p) => spec(p)['nodeName']).sort()).toEqual(['kind-control-plane', 'kind-worker', 'kind-worker2']);
      const hostNetworkIPs = pods.map((p) => `${String(spec(p)['nodeName'])}=${(p['status'] as { podIP: string }).podIP}`).sort();
      expect(hostNetworkIPs).toEqual(['kind-control-plane=172.18.0.2', 'kind-worker2=172.18.0.4', 'kind-worker=172.18.0.3']);
    });

    test('a DaemonSet that wants no pod on any node is not rolled out, and the timeout says why', async () => {
      const ds: KubeObject = {
        apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'nowhere', namespace: 'kube-system' },
        spec: {
          selector: { matchLabels: { app: 'nowhere' } },
          template: { metadata: { labels: { app: 'nowhere' } }, spec: { nodeSelector: { 'no-such-label': 'x' }, containers: [{ name: 'agent', image: 'agent:1' }] } },
        },
      };
      await c.kube.apply([ds]);
      const err = await c.kube.waitFor({ kind: 'daemonSetRolledOut', namespace: 'kube-system', name: 'nowhere' }, 500).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/it wants no pod on any node \(does its nodeSelector or affinity match no node/);
    });

    test('an aborted signal (the run interrupted) stops the wait at once, not at its deadline', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const waiting = c.kube.waitFor({ kind: 'nodesReady', minCount: 99 }, 60_000, controller.signal).catch((e: unknown) => e);
      setTimeout(() => controller.abort(), 200);
      const err = await waiting;
      expect(err).toBeInstanceOf(WaitAbortedError);
      expect((err as Error).message).toBe('stopped waiting for nodes to be Ready: the run was interrupted');
      // Well before the 60 s deadline: the poll ends with the abort, not with its next look.
      expect(Date.now() - started).toBeLessThan(30_000);
      const already = await c.kube.waitFor({ kind: 'nodesReady', minCount: 1 }, 60_000, controller.signal).catch((e: unknown) => e);
      expect(already).toBeInstanceOf(WaitAbortedError);
    });

    test('Job complete', async () => {
      await c.kube.apply([{
        apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'default' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'run', image: 'busybox' }] } } },
      }]);
      await c.kube.waitFor({ kind: 'jobComplete', namespace: 'default', name: 'once' }, 3000);
      const job = await c.kube.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'default', name: 'once' });
      expect((job?.['status'] as { succeeded: number }).succeeded).toBe(1);
    });

    test('CRD established', async () => {
      await c.kube.waitFor({ kind: 'crdEstablished', name: 'widgets.example.cnimatrix.io' }, 2000);
    });

    test('a pod on a NotReady node times out naming the pod, Pending and the FailedScheduling event', async () => {
      await c.kube.apply([namespace('w-stuck'), podObject('w-stuck', 'pinned', { nodeSelector: { 'kubernetes.io/hostname': 'kind-worker2' } }, { app: 'pinned' })]);
      await eventually(() => c.server.store.list('v1', 'Event', { namespace: 'w-stuck' }).some((e) => e['reason'] === 'FailedScheduling'), 'the scheduler gave up on the pod');
      const err = await c.kube.waitFor({ kind: 'podsReady', namespace: 'w-stuck', labelSelector: 'app=pinned' }, 300).catch((e: unknown) => e);
      const message = (err as Error).message;
      expect(message).toMatch(/^timed out after 300ms waiting for pods in w-stuck \(app=pinned\) to be Ready: 0\/1 pods ready/);
      expect(message).toContain('pinned: Pending (0/1 containers ready, unschedulable)');
      // kube-scheduler 1.34's words: taints are checked before the node selector, and not named.
      expect(message).toContain(
        "last event: FailedScheduling: 0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint(s). no new claims to deallocate, preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      );
    });

    test('nodes Ready once the last node turns Ready, then the stuck pod runs', async () => {
      const err = await c.kube.waitFor({ kind: 'nodesReady', minCount: 3 }, 200).catch((e: unknown) => e);
      expect((err as Error).message).toContain('2/3 nodes Ready (want all, at least 3); kind-worker2: NotReady (KubeletNotReady: container runtime network not ready');
      setTimeout(() => c.server.setNodeReady('kind-worker2', true), 100);
      await c.kube.waitFor({ kind: 'nodesReady', minCount: 3 }, 2000);
      await c.kube.waitFor({ kind: 'podsReady', namespace: 'w-stuck', labelSelector: 'app=pinned' }, 2000);
    });

    test('a DaemonSet whose image cannot be pulled times out with the waiting reason and the kubelet event', async () => {
      const broken = await startCluster({ podStartup: (pod) => ((spec(pod)['containers'] as Array<{ image: string }>)[0]?.image === 'broken:1' ? { state: 'waiting', reason: 'ImagePullBackOff', message: 'Back-off pulling image "broken:1"' } : undefined) });
      try {
        await broken.kube.apply([{
          apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cilium', namespace: 'kube-system' },
          spec: {
            selector: { matchLabels: { 'k8s-app': 'cilium' } },
            template: { metadata: { labels: { 'k8s-app': 'cilium' } }, spec: { tolerations: [{ operator: 'Exists' }], containers: [{ name: 'cilium-agent', image: 'broken:1' }] } },
          },
        }]);
        const pulling = (p: KubeObject): boolean => JSON.stringify(p['status']).includes('ImagePullBackOff');
        await eventually(() => broken.server.store.list('v1', 'Pod', { namespace: 'kube-system' }).filter(pulling).length === 3, 'three pods in ImagePullBackOff');
        const err = await broken.kube.waitFor({ kind: 'daemonSetRolledOut', namespace: 'kube-system', name: 'cilium' }, 400).catch((e: unknown) => e);
        expect((err as Error).message).toMatch(
          /^timed out after 400ms waiting for DaemonSet kube-system\/cilium to roll out: 0\/3 pods ready; cilium-\w{5}: Pending \(0\/1 containers ready, waiting: ImagePullBackOff\) on kind-[\w-]+, last event: Failed: Back-off pulling image "broken:1"/,
        );
      } finally {
        await broken.server.stop();
      }
    });

    test('a wait rides out an API server that fails for a while', async () => {
      c.server.faults.failNext(6, 503);
      await c.kube.waitFor({ kind: 'crdEstablished', name: 'widgets.example.cnimatrix.io' }, 2000);
    });

    test('a permanent API error ends a wait at once', async () => {
      c.server.faults.failNext(1, 403, 'nodes is forbidden: User "system:anonymous" cannot list resource "nodes"');
      await expect(c.kube.waitFor({ kind: 'nodesReady' }, 5000)).rejects.toThrow('list Node in the cluster failed: 403 Forbidden: nodes is forbidden');
    });

    test('deleted', async () => {
      await c.kube.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tmp', namespace: 'default' } }]);
      const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'tmp' };
      const err = await c.kube.waitFor({ kind: 'deleted', ref }, 100).catch((e: unknown) => e);
      expect((err as Error).message).toBe('timed out after 100ms waiting for ConfigMap default/tmp to be deleted: still exists (not marked for deletion)');
      setTimeout(() => void c.kube.delete(ref), 50);
      await c.kube.waitFor({ kind: 'deleted', ref }, 2000);
    });
  });

  describe('exec, logs, events', () => {
    const target = { namespace: 'exec', pod: 'shell' };

    beforeAll(async () => {
      await c.kube.apply([namespace('exec'), podObject('exec', 'shell', { nodeName: 'kind-worker' }, { app: 'shell' })]);
      await c.kube.waitFor({ kind: 'podsReady', namespace: 'exec', labelSelector: 'app=shell' }, 2000);
    });

    test('exit code 0 and separate stdout and stderr', async () => {
      const execs = c.server.stats.execs;
      const r = await c.kube.exec(target, ['sh', '-c', 'echo hello; echo oops >&2']);
      expect(r).toEqual({ stdout: 'hello\n', stderr: 'oops\n', exitCode: 0 });
      expect(c.server.stats.execs).toBe(execs + 1);
    });

    test('a non-zero exit code comes from the status channel', async () => {
      expect(await c.kube.exec(target, ['sh', '-c', 'echo partial; exit 3'])).toEqual({ stdout: 'partial\n', stderr: '', exitCode: 3 });
    });

    test('stdin reaches the command', async () => {
      const r = await c.kube.exec({ ...target, container: 'main' }, ['sh', '-c', 'cat'], { stdin: 'line one\nline two\n' });
      expect(r.stdout).toBe('line one\nline two\n');
    });

    test('an API server that speaks only v4.channel.k8s.io: exec without stdin works, with stdin it is refused saying why', async () => {
      const old = await startCluster({ exec: miniShell, execProtocols: ['v4.channel.k8s.io'] });
      try {
        await old.kube.apply([namespace('exec'), podObject('exec', 'shell', { nodeName: 'kind-worker' }, { app: 'shell' })]);
        await old.kube.waitFor({ kind: 'podsReady', namespace: 'exec', labelSelector: 'app=shell' }, 2000);
        expect(await old.kube.exec(target, ['sh', '-c', 'echo hello'])).toEqual({ stdout: 'hello\n', stderr: '', exitCode: 0 });
        await expect(old.kube.exec(target, ['sh', '-c', 'cat'], { stdin: 'lost\n', timeoutMs: 5000 })).rejects.toThrow(
          'exec [sh -c cat] in exec/shell needs to send stdin, which this API server cannot end: it speaks v4.channel.k8s.io for exec, and only v5.channel.k8s.io can close stdin',
        );
      } finally {
        await old.server.stop();
      }
    });

    test('a command that outlives the timeout rejects and closes the connection', async () => {
      await expect(c.kube.exec(target, ['sh', '-c', 'sleep 0.5'], { timeoutMs: 100 })).rejects.toThrow(
        'exec [sh -c sleep 0.5] in exec/shell timed out after 100ms (the command was still running; the connection was closed)',
      );
    });

    test('errors quote a long command (a batched probe script) shortened', async () => {
      const script = `sleep 0.5; ${'x'.repeat(70_000)}`;
      await expect(c.kube.exec(target, ['sh', '-c', script], { timeoutMs: 100 })).rejects.toThrow(
        /^exec \[sh -c sleep 0\.5; x{283}… \(70017 chars\)\] in exec\/shell timed out after 100ms/,
      );
    });

    test('exec in a missing pod is a 404 naming the pod', async () => {
      const err = await c.kube.exec({ namespace: 'exec', pod: 'ghost' }, ['sh', '-c', 'true']).catch((e: unknown) => e);
      expect(isNotFound(err)).toBe(true);
      expect((err as Error).message).toContain('pods "ghost" not found');
    });

    test('exec in a pod that is not running says so', async () => {
      await c.kube.apply([podObject('exec', 'waiting', { nodeSelector: { missing: 'label' } })]);
      const err = await c.kube.exec({ namespace: 'exec', pod: 'waiting' }, ['sh', '-c', 'true']).catch((e: unknown) => e);
      // The refusal's body does not reach the adapter; the reason is the one the server gives a 400.
      expect([(err as KubeApiError).status, (err as KubeApiError).reason]).toEqual([400, 'BadRequest']);
      expect((err as Error).message).toMatch(/^exec Pod exec\/waiting failed: 400 BadRequest: exec \[sh -c true\] in exec\/waiting: the pod is not running: waiting: Pending/);
    });

    test('logs honour tailLines', async () => {
      expect(await c.kube.logs(target)).toBe('one main\ntwo\nthree\n');
      expect(await c.kube.logs(target, { tailLines: 2 })).toBe('two\nthree\n');
    });

    test('events come sorted by time and name their object', async () => {
      const events = await c.kube.events('exec');
      const forShell = events.filter((e) => e.involvedObject === 'Pod/shell').map((e) => e.reason);
      expect(forShell).toEqual(['Created', 'Started']);
      const times = events.map((e) => e.lastTimestamp);
      expect([...times].sort()).toEqual(times);
    });
  });

  describe('retries', () => {
    const ref = { apiVersion: 'v1', kind: 'Namespace', name: 'default' };

    test('transient 503s are retried and the retried request really happened', async () => {
      const gets = c.server.stats.byVerb['get'] ?? 0;
      c.server.faults.failNext(2, 503);
      expect((await c.kube.get(ref))?.metadata.name).toBe('default');
      expect(c.server.stats.byVerb['get']).toBe(gets + 3);
    });

    test('reset connections are retried', async () => {
      const gets = c.server.stats.byVerb['get'] ?? 0;
      c.server.faults.resetNext(2);
      expect((await c.kube.get(ref))?.metadata.name).toBe('default');
      expect(c.server.stats.byVerb['get']).toBe(gets + 3);
    });

    test('an admission webhook that is not reachable yet is retried', async () => {
      c.server.faults.failNext(1, 500, 'Internal error occurred: failed calling webhook "validate.nginx.ingress.kubernetes.io": connect: connection refused');
      const [cm] = await c.kube.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-webhook', namespace: 'default' } }]);
      expect(cm?.metadata.name).toBe('after-webhook');
    });

    test('giving up reports the status, the message and the attempts', async () => {
      c.server.faults.failNext(10, 503);
      const err = await c.kube.get(ref).catch((e: unknown) => e);
      c.server.faults.failNext(0, 503);
      expect((err as Error).message).toBe('get Namespace default failed: 503 ServiceUnavailable: injected failure: the server answered 503 (after 4 attempts)');
    });

    test('a 500 for an apply the server cannot type against its schema is raised at once', async () => {
      const applies = c.server.stats.byVerb['apply'] ?? 0;
      c.server.faults.failNext(1, 500, '.spec.template.spec.containers[name="agent"].bogus: field not declared in schema: failed to create typed patch object (apps/v1, Kind=DaemonSet)');
      const err = await c.kube.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'untyped', namespace: 'default' } }]).catch((e: unknown) => e);
      expect((err as KubeApiError).status).toBe(500);
      expect((err as KubeApiError).attempts).toBe(1);
      expect(c.server.stats.byVerb['apply']).toBe(applies + 1);
    });

    test('422 Invalid is raised at once', async () => {
      const applies = c.server.stats.byVerb['apply'] ?? 0;
      const err = await c.kube.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', namespace: 'default' } }]).catch((e: unknown) => e);
      expect((err as KubeApiError).status).toBe(422);
      expect((err as Error).message).toContain('apply ConfigMap default/Bad_Name failed: 422 Invalid: ConfigMap "Bad_Name" is invalid: metadata.name');
      expect(c.server.stats.byVerb['apply']).toBe(applies + 1);
    });

    test('403 Forbidden is raised at once', async () => {
      await c.kube.apply([namespace('closing')]);
      await fetch(`${c.server.url}/api/v1/namespaces/closing`, { method: 'DELETE' });
      const applies = c.server.stats.byVerb['apply'] ?? 0;
      const err = await c.kube.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'closing' } }]).catch((e: unknown) => e);
      expect((err as KubeApiError).status).toBe(403);
      expect((err as Error).message).toContain('because it is being terminated');
      expect(c.server.stats.byVerb['apply']).toBe(applies + 1);
    });

    test('connection refused is retried, then reported with the server address', async () => {
      const dead = await startCluster();
      const kubeconfig = dead.server.kubeconfig('dead');
      await dead.server.stop();
      const kube = createKube({ kubeconfig, retry: { retries: 2, minTimeoutMs: 5 } });
      const err = await kube.get(ref).catch((e: unknown) => e);
      expect((err as KubeApiError).reason).toBe('ECONNREFUSED');
      expect((err as Error).message).toContain(`(${dead.server.url})`);
      expect((err as KubeApiError).attempts).toBe(3);
    });

    test('once the server could not be reached, later requests are tried once until it answers again', async () => {
      const kube = createKube({ kubeconfig: c.server.kubeconfig('flaky'), retry: { retries: 2, minTimeoutMs: 5 } });
      const gets = () => c.server.stats.byVerb['get'] ?? 0;
      await kube.get(ref); // discovery done: every later request is one get
      const before = gets();
      c.server.faults.resetNext(3);
      expect(((await kube.get(ref).catch((e: unknown) => e)) as KubeApiError).attempts).toBe(3);
      c.server.faults.resetNext(1);
      const once = (await kube.get(ref).catch((e: unknown) => e)) as KubeApiError;
      expect(once.reason).toBe('ECONNRESET');
      expect(once.message).toMatch(/\(the API server has not been reachable since \d\d:\d\d:\d\d UTC, so this request was tried once\)$/);
      expect(gets()).toBe(before + 4);
      // It answers: the next failures get their retries again.
      expect((await kube.get(ref))?.metadata.name).toBe('default');
      c.server.faults.resetNext(2);
      expect((await kube.get(ref))?.metadata.name).toBe('default');
      expect(gets()).toBe(before + 8);
    });

    test('an exec after the server was lost fails at once, naming since when', async () => {
      const dead = await startCluster();
      const kubeconfig = dead.server.kubeconfig('dead');
      await dead.server.stop();
      const kube = createKube({ kubeconfig, retry: { retries: 3, minTimeoutMs: 20 } });
      expect(((await kube.get(ref).catch((e: unknown) => e)) as KubeApiError).attempts).toBe(4);
      const err = (await kube.exec({ namespace: 'exec', pod: 'shell' }, ['true']).catch((e: unknown) => e)) as KubeApiError;
      expect(err.reason).toBe('ECONNREFUSED');
      expect(err.attempts).toBe(1);
      expect(err.message).toContain('so this request was tried once');
    });
  });

  describe('a cluster without nodes', () => {
    test('nodesReady says there are none; a pod is unschedulable in the scheduler\'s words', async () => {
      const empty = await startApiServer();
      try {
        const kube = createKube({ kubeconfig: empty.kubeconfig('empty'), retry: { retries: 1, minTimeoutMs: 10 } });
        await expect(kube.waitFor({ kind: 'nodesReady', minCount: 2 }, 100)).rejects.toThrow('timed out after 100ms waiting for nodes to be Ready: the cluster has no nodes (want at least 2 Ready)');
        await kube.apply([podObject('default', 'nowhere', {}, { app: 'nowhere' })]);
        await eventually(() => empty.store.list('v1', 'Event', { namespace: 'default' }).some((e) => e['reason'] === 'FailedScheduling'), 'the scheduler gave up');
        await expect(kube.waitFor({ kind: 'podsReady', namespace: 'default', labelSelector: 'app=nowhere' }, 100)).rejects.toThrow(
          'nowhere: Pending (0/1 containers ready, unschedulable), last event: FailedScheduling: no nodes available to schedule pods',
        );
      } finally {
        await empty.stop();
      }
    });
  });

  describe('a namespace held by a finalizer', () => {
    test('the deleted wait names the namespace condition that holds it, and ends once the finalizer goes', async () => {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'held', name: 'held' };
      await c.kube.apply([namespace('held'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'held', finalizers: ['example.io/hold'] } }]);
      const ref = { apiVersion: 'v1', kind: 'Namespace', name: 'held' };
      await c.kube.delete(ref);
      await eventually(() => (c.server.store.get('v1', 'Namespace', undefined, 'held')?.['status'] as { conditions?: unknown[] } | undefined)?.conditions, 'the namespace conditions');
      await expect(c.kube.waitFor({ kind: 'deleted', ref }, 100)).rejects.toThrow(
        'NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: example.io/hold in 1 resource instances',
      );
      await c.kube.patch(cm, { metadata: { finalizers: null } });
      await c.kube.waitFor({ kind: 'deleted', ref }, 3000);
    });
  });

  describe('configuration errors', () => {
    test('no kubeconfig given is bad input, never the default kubeconfig', () => {
      expect(() => createKube({})).toThrow('createKube needs kubeconfigPath or kubeconfig');
    });

    test('an unknown context names the contexts there are', () => {
      expect(() => createKube({ kubeconfig: c.server.kubeconfig('kind'), context: 'kind-other' })).toThrow('kubeconfig has no context "kind-other"');
    });
  });
});
