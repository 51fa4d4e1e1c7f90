// Every wait the kube adapter offers, against a real control plane without a kubelet (and against
// the sim where it can be made to look the same): a wait that times out must name what is not
// ready and why, in the words of the component that knows.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Kube, KubeObject } from '../../harness/kube/types.ts';
import { controlPlane } from './control-plane.ts';
import { realTestsRun } from './require.ts';
import { realServer, simServer, type Server } from './servers.ts';

const START_MS = 120_000;

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const container = { name: 'main', image: 'registry.k8s.io/e2e-test-images/agnhost:2.56' };
const podTemplate = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [container] } });

function deployment(namespace: string, name: string, replicas: number): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate(name) } };
}

function crd(plural: string, kind: string): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.waits.cnimatrix.io` },
    spec: {
      group: 'waits.cnimatrix.io', scope: 'Namespaced', names: { kind, plural },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}

async function timeoutMessage(kube: Kube, condition: Parameters<Kube['waitFor']>[0], timeoutMs: number): Promise<string> {
  const err = await kube.waitFor(condition, timeoutMs).then(() => undefined, (e: unknown) => e);
  if (!(err instanceof Error)) throw new Error(`expected ${condition.kind} to time out`);
  return err.message;
}

/** Until the scheduler said why it cannot place a pod (its FailedScheduling event). */
async function untilFailedScheduling(kube: Kube, namespace: string, count = 1): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await kube.list('v1', 'Event', { namespace })).filter((e) => e['reason'] === 'FailedScheduling').length < count) {
    if (Date.now() > deadline) throw new Error(`no FailedScheduling event in ${namespace}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Until the object has a condition of `type` that is True (the namespace controller reports after its first pass). */
async function untilCondition(kube: Kube, ref: Parameters<Kube['get']>[0], type: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  const holds = (obj: KubeObject | undefined): boolean =>
    ((obj?.['status'] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
  while (!holds(await kube.get(ref))) {
    if (Date.now() > deadline) throw new Error(`${ref.kind} ${ref.name} never had ${type}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A Node object with no kubelet behind it: NotReady for the reason given. */
async function registerNode(server: Server, name: string): Promise<void> {
  expect((await server.call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } })).status).toBe(201);
  const status = { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'no kubelet runs here' }] };
  expect((await server.call('PATCH', `/api/v1/nodes/${name}/status`, { status }, 'application/merge-patch+json')).status).toBe(200);
}

(realTestsRun('kube adapter contract: waits') ? describe : describe.skip)('kube adapter waits', () => {
  const servers = {} as Record<'real' | 'sim', Server>;

  beforeAll(async () => {
    // No nodes on either: pods stay Pending, unschedulable, and say so.
    [servers.real, servers.sim] = await Promise.all([realServer(controlPlane().withControllerManager().withScheduler()), simServer()]);
  }, START_MS);
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  });

  describe.each(['real', 'sim'] as const)('%s control plane without nodes', (which) => {
    const kube = (): Kube => servers[which].kube();

    test('nodesReady: the cluster has no nodes, said as such', async () => {
      expect(await timeoutMessage(kube(), { kind: 'nodesReady', minCount: 1 }, 300)).toBe('timed out after 300ms waiting for nodes to be Ready: the cluster has no nodes (want at least 1 Ready)');
    });

    test('podsReady: an unschedulable pod is named with the scheduler\'s reason', async () => {
      await kube().apply([ns('w-pods'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stuck', namespace: 'w-pods', labels: { app: 'stuck' } }, spec: { containers: [container] } }]);
      await untilFailedScheduling(kube(), 'w-pods');
      expect(await timeoutMessage(kube(), { kind: 'podsReady', namespace: 'w-pods', labelSelector: 'app=stuck' }, 500)).toBe(
        'timed out after 500ms waiting for pods in w-pods (app=stuck) to be Ready: 0/1 pods ready (want all, at least 1); stuck: Pending (0/1 containers ready, unschedulable), last event: FailedScheduling: no nodes available to schedule pods',
      );
    });

    test('podsReady: no pod at all says there are none', async () => {
      expect(await timeoutMessage(kube(), { kind: 'podsReady', namespace: 'default', labelSelector: 'app=absent', minCount: 2 }, 200)).toBe(
        'timed out after 200ms waiting for pods in default (app=absent) to be Ready: 0/0 pods ready (want all, at least 2); no pods',
      );
    });

    test('deploymentAvailable: names each unschedulable replica', async () => {
      await kube().apply([ns('w-deploy'), deployment('w-deploy', 'web', 2)]);
      await untilFailedScheduling(kube(), 'w-deploy', 2);
      const message = await timeoutMessage(kube(), { kind: 'deploymentAvailable', namespace: 'w-deploy', name: 'web' }, 500);
      const pod = 'web-[a-z0-9]+-[a-z0-9]{5}: Pending \\(0/1 containers ready, unschedulable\\), last event: FailedScheduling: no nodes available to schedule pods';
      expect(message).toMatch(new RegExp(`^timed out after 500ms waiting for Deployment w-deploy/web to be available: 0/2 replicas available; ${pod}; ${pod}$`));
    });

    test('deploymentAvailable: a Deployment that does not exist', async () => {
      expect(await timeoutMessage(kube(), { kind: 'deploymentAvailable', namespace: 'default', name: 'ghost' }, 200)).toBe(
        'timed out after 200ms waiting for Deployment default/ghost to be available: the Deployment does not exist',
      );
    });

    test('daemonSetRolledOut: with no node to run on, nothing is desired, which is not a rollout: the timeout says so', async () => {
      await kube().apply([{
        apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system' },
        spec: { selector: { matchLabels: { app: 'agent' } }, template: { ...podTemplate('agent'), spec: { tolerations: [{ operator: 'Exists' }], containers: [container] } } },
      }]);
      expect(await timeoutMessage(kube(), { kind: 'daemonSetRolledOut', namespace: 'kube-system', name: 'agent' }, 1000)).toMatch(
        /^timed out after 1s waiting for DaemonSet kube-system\/agent to roll out: it wants no pod on any node/,
      );
    });

    test('jobComplete: its pod is unschedulable', async () => {
      await kube().apply([ns('w-job'), { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'w-job' }, spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [container] } } } }]);
      await untilFailedScheduling(kube(), 'w-job');
      expect(await timeoutMessage(kube(), { kind: 'jobComplete', namespace: 'w-job', name: 'once' }, 500)).toMatch(
        /^timed out after 500ms waiting for Job w-job\/once to complete: active 1, succeeded 0, failed 0; once-[a-z0-9]{5}: Pending \(0\/1 containers ready, unschedulable\), last event: FailedScheduling: no nodes available to schedule pods$/,
      );
    });

    test('crdEstablished: a new CRD becomes Established', async () => {
      await kube().apply([crd('gears', 'Gear')]);
      await kube().waitFor({ kind: 'crdEstablished', name: 'gears.waits.cnimatrix.io' }, 10_000);
    });

    test('deleted: a Namespace held by an object with a finalizer names the finalizer, until it is removed', async () => {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'w-held', name: 'held' };
      await kube().apply([ns('w-held'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'w-held', finalizers: ['cnimatrix.io/hold'] } }]);
      const ref = { apiVersion: 'v1', kind: 'Namespace', name: 'w-held' };
      await kube().delete(ref);
      await untilCondition(kube(), ref, 'NamespaceFinalizersRemaining');
      const message = await timeoutMessage(kube(), { kind: 'deleted', ref }, 200);
      expect(message).toMatch(/^timed out after 200ms waiting for Namespace w-held to be deleted: still exists \(being deleted since \d{4}-\d\d-\d\dT[\d:]+Z, phase Terminating, finalizers: kubernetes, /);
      expect(message).toContain('NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: cnimatrix.io/hold in 1 resource instances');
      await kube().patch(cm, { metadata: { finalizers: null } });
      await kube().waitFor({ kind: 'deleted', ref }, 60_000);
    }, 90_000);
  });

  describe('real control plane only', () => {
    const kube = (): Kube => servers.real.kube();

    test('crdEstablished: a CRD whose kind another CRD of its group has is never Established, and the wait says why', async () => {
      await kube().apply([crd('sprockets', 'Sprocket')]);
      // apply would wait for Establishment itself; create it raw so that the wait under test is the only one.
      expect((await servers.real.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('cogs', 'Sprocket'))).status).toBe(201);
      expect(await timeoutMessage(kube(), { kind: 'crdEstablished', name: 'cogs.waits.cnimatrix.io' }, 2000)).toBe(
        'timed out after 2s waiting for CustomResourceDefinition cogs.waits.cnimatrix.io to be Established: NamesAccepted=False (ListKindConflict: "SprocketList" is already in use), Established=False (NotAccepted: not all names are accepted)',
      );
    });

    test('nodesReady: a node without a kubelet is named with its Ready condition', async () => {
      await registerNode(servers.real, 'lonely');
      expect(await timeoutMessage(kube(), { kind: 'nodesReady', minCount: 1 }, 300)).toBe(
        'timed out after 300ms waiting for nodes to be Ready: 0/1 nodes Ready (want all, at least 1); lonely: NotReady (KubeletNotReady: no kubelet runs here)',
      );
    });

    test('jobComplete: a Job whose pod failed rejects at once with the job controller\'s reason', async () => {
      await kube().apply([ns('w-failing'), { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'doomed', namespace: 'w-failing' }, spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [container] } } } }]);
      await untilFailedScheduling(kube(), 'w-failing');
      const [pod] = await kube().list('v1', 'Pod', { namespace: 'w-failing' });
      // What a kubelet would report for a container that exited 1.
      const failed = { status: { phase: 'Failed', containerStatuses: [{ name: 'main', ready: false, restartCount: 0, image: container.image, imageID: '', state: { terminated: { exitCode: 1, reason: 'Error' } } }] } };
      expect((await servers.real.call('PATCH', `/api/v1/namespaces/w-failing/pods/${pod!.metadata.name}/status`, failed, 'application/merge-patch+json')).status).toBe(200);
      const started = Date.now();
      const message = await timeoutMessage(kube(), { kind: 'jobComplete', namespace: 'w-failing', name: 'doomed' }, 30_000);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(message).toMatch(/^Job w-failing\/doomed failed: BackoffLimitExceeded: Job has reached the specified backoff limit; doomed-[a-z0-9]{5}: Failed \(0\/1 containers ready, terminated: Error \(exit 1\), unschedulable\), last event: FailedScheduling: /);
      expect(message).toMatch(/ \(while waiting for Job w-failing\/doomed to complete\)$/);
    }, 60_000);
  });
});
