// Polling waits for every WaitCondition. Each condition knows what it waits for, how to check it
// cheaply, and how to explain (on timeout) what was still not ready and why.
import { conditionsOf, describePod, describeUnreadyPods, formatDuration, hasCondition, lastEvent, podIsReady, podPhase, type KubeReader } from './diagnose.ts';
import { isTransient } from './errors.ts';
import { CRD_API_VERSION } from './manifests.ts';
import type { KubeObject, WaitCondition } from './types.ts';

interface Check {
  /** Done, still waiting, or failed for good (a Job that failed will not complete). */
  state: 'done' | 'waiting' | 'failed';
  /** For failed: why. */
  reason?: string;
}

interface Waiter {
  what: string;
  check(): Promise<Check>;
  explain(): Promise<string>;
}

const DONE: Check = { state: 'done' };
const WAITING: Check = { state: 'waiting' };

type Status = Record<string, number | undefined>;
const statusOf = (o: KubeObject | undefined): Status => ((o?.['status'] as Status | undefined) ?? {});
const generation = (o: KubeObject): number => Number(o.metadata['generation'] ?? 0);
const selectorOf = (o: KubeObject): string | undefined => {
  const labels = (o['spec'] as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
  return labels ? Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') : undefined;
};

/**
 * The pods a workload selects. DaemonSet and Job pods name their owner directly, so pods of another
 * owner that happen to match are left out; Deployment pods belong to ReplicaSets, so the selector decides.
 */
async function podsOf(kube: KubeReader, owner: KubeObject, fallbackSelector: string): Promise<KubeObject[]> {
  const pods = await kube.list('v1', 'Pod', { namespace: owner.metadata.namespace!, labelSelector: selectorOf(owner) ?? fallbackSelector });
  if (owner.kind === 'Deployment') return pods;
  return pods.filter((p) => {
    const refs = (p.metadata['ownerReferences'] as Array<{ uid?: string }> | undefined) ?? [];
    return refs.some((r) => r.uid === owner.metadata.uid);
  });
}

function nonEmptyAt(obj: KubeObject, path: string[]): boolean {
  let node: unknown = obj;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined && node !== null && node !== '';
}

function waiterFor(kube: KubeReader, c: WaitCondition): Waiter {
  switch (c.kind) {
    case 'podsReady': {
      const min = c.minCount ?? 1;
      const opts = { namespace: c.namespace, ...(c.labelSelector ? { labelSelector: c.labelSelector } : {}) };
      const what = `pods in ${c.namespace}${c.labelSelector ? ` (${c.labelSelector})` : ''} to be Ready`;
      const live = async (): Promise<KubeObject[]> => (await kube.list('v1', 'Pod', opts)).filter((p) => podPhase(p) !== 'Succeeded');
      return {
        what,
        async check() {
          const pods = await live();
          return pods.length >= min && pods.every(podIsReady) ? DONE : WAITING;
        },
        async explain() {
          const pods = await live();
          return `${pods.filter(podIsReady).length}/${pods.length} pods ready (want all, at least ${min}); ${await describeUnreadyPods(kube, pods)}`;
        },
      };
    }
    case 'daemonSetRolledOut': {
      const ref = { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: c.namespace, name: c.name };
      return {
        what: `DaemonSet ${c.namespace}/${c.name} to roll out`,
        async check() {
          const ds = await kube.get(ref);
          if (!ds) return WAITING;
          const s = statusOf(ds);
          const desired = s['desiredNumberScheduled'] ?? 0;
          // No pod wanted on any node runs nothing: not a rollout (a nodeSelector matching no node).
          const rolledOut = desired > 0 && (s['observedGeneration'] ?? 0) >= generation(ds) && (s['updatedNumberScheduled'] ?? 0) >= desired && (s['numberAvailable'] ?? 0) >= desired;
          return rolledOut ? DONE : WAITING;
        },
        async explain() {
          const ds = await kube.get(ref);
          if (!ds) return 'the DaemonSet does not exist';
          const s = statusOf(ds);
          if ((s['desiredNumberScheduled'] ?? 0) === 0) return 'it wants no pod on any node (does its nodeSelector or affinity match no node, or do taints keep it off them all?)';
          const pods = await podsOf(kube, ds, `app=${c.name}`);
          return `${s['numberReady'] ?? 0}/${s['desiredNumberScheduled'] ?? 0} pods ready; ${await describeUnreadyPods(kube, pods, ds)}`;
        },
      };
    }
    case 'deploymentAvailable': {
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: c.namespace, name: c.name };
      return {
        what: `Deployment ${c.namespace}/${c.name} to be available`,
        async check() {
          const d = await kube.get(ref);
          if (!d) return WAITING;
          const s = statusOf(d);
          const desired = Number((d['spec'] as { replicas?: number } | undefined)?.replicas ?? 1);
          const ok = (s['observedGeneration'] ?? 0) >= generation(d) && (s['updatedReplicas'] ?? 0) >= desired && (s['availableReplicas'] ?? 0) >= desired && hasCondition(d, 'Available');
          return ok ? DONE : WAITING;
        },
        async explain() {
          const d = await kube.get(ref);
          if (!d) return 'the Deployment does not exist';
          const desired = Number((d['spec'] as { replicas?: number } | undefined)?.replicas ?? 1);
          const pods = await podsOf(kube, d, `app=${c.name}`);
          return `${statusOf(d)['availableReplicas'] ?? 0}/${desired} replicas available; ${await describeUnreadyPods(kube, pods, d)}`;
        },
      };
    }
    case 'jobComplete': {
      const ref = { apiVersion: 'batch/v1', kind: 'Job', namespace: c.namespace, name: c.name };
      const jobPods = async (job: KubeObject): Promise<KubeObject[]> => podsOf(kube, job, `job-name=${c.name}`);
      return {
        what: `Job ${c.namespace}/${c.name} to complete`,
        async check() {
          const job = await kube.get(ref);
          if (!job) return WAITING;
          if (hasCondition(job, 'Complete')) return DONE;
          const failed = conditionsOf(job).find((x) => x.type === 'Failed' && x.status === 'True');
          if (!failed) return WAITING;
          const pods = await jobPods(job);
          const detail = await Promise.all(pods.slice(0, 3).map((p) => describePod(kube, p)));
          return { state: 'failed', reason: `Job ${c.namespace}/${c.name} failed: ${failed.reason ?? ''}: ${failed.message ?? ''}${detail.length ? `; ${detail.join('; ')}` : ''}` };
        },
        async explain() {
          const job = await kube.get(ref);
          if (!job) return 'the Job does not exist';
          const s = statusOf(job);
          const pods = await jobPods(job);
          return `active ${s['active'] ?? 0}, succeeded ${s['succeeded'] ?? 0}, failed ${s['failed'] ?? 0}; ${await describeUnreadyPods(kube, pods, job)}`;
        },
      };
    }
    case 'nodesReady': {
      const min = c.minCount ?? 1;
      return {
        what: `nodes to be Ready`,
        async check() {
          const nodes = await kube.list('v1', 'Node');
          return nodes.length >= min && nodes.every((n) => hasCondition(n, 'Ready')) ? DONE : WAITING;
        },
        async explain() {
          const nodes = await kube.list('v1', 'Node');
          if (nodes.length === 0) return `the cluster has no nodes (want at least ${min} Ready)`;
          const notReady = nodes.filter((n) => !hasCondition(n, 'Ready')).map((n) => {
            const ready = conditionsOf(n).find((x) => x.type === 'Ready');
            return `${n.metadata.name}: NotReady (${ready ? `${ready.reason ?? ready.status}: ${ready.message ?? ''}` : 'no Ready condition'})`;
          });
          return `${nodes.length - notReady.length}/${nodes.length} nodes Ready (want all, at least ${min})${notReady.length ? `; ${notReady.join('; ')}` : ''}`;
        },
      };
    }
    case 'crdEstablished': {
      const ref = { apiVersion: CRD_API_VERSION, kind: 'CustomResourceDefinition', name: c.name };
      return {
        what: `CustomResourceDefinition ${c.name} to be Established`,
        async check() {
          return hasCondition(await kube.get(ref), 'Established') ? DONE : WAITING;
        },
        async explain() {
          const crd = await kube.get(ref);
          if (!crd) return 'the CRD does not exist';
          const conds = conditionsOf(crd).map((x) => `${x.type}=${x.status}${x.reason ? ` (${x.reason}${x.message ? `: ${x.message}` : ''})` : ''}`);
          return conds.length ? conds.join(', ') : 'no conditions yet';
        },
      };
    }
    case 'exists': {
      const r = c.ref;
      const name = `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
      const at = c.path === undefined ? '' : ` with ${c.path.join('.')} set`;
      return {
        what: `${name} to exist${at}`,
        async check() {
          const obj = await kube.get(r);
          return obj !== undefined && (c.path === undefined || nonEmptyAt(obj, c.path)) ? DONE : WAITING;
        },
        async explain() {
          const obj = await kube.get(r);
          if (!obj) return 'it does not exist';
          return `it exists but ${c.path?.join('.') ?? 'the path'} is empty`;
        },
      };
    }
    case 'deleted': {
      const r = c.ref;
      const name = `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
      return {
        what: `${name} to be deleted`,
        async check() {
          return (await kube.get(r)) ? WAITING : DONE;
        },
        async explain() {
          const obj = await kube.get(r);
          if (!obj) return 'it is gone now';
          const phase = (obj['status'] as { phase?: string } | undefined)?.phase;
          const finalizers = [...((obj.metadata['finalizers'] as string[] | undefined) ?? []), ...(((obj['spec'] as { finalizers?: string[] } | undefined)?.finalizers) ?? [])];
          const event = await lastEvent(kube, obj);
          // A Terminating Namespace says in its conditions what content (and whose finalizers) hold it.
          const holding = r.kind === 'Namespace' ? conditionsOf(obj).filter((x) => x.status === 'True').map((x) => `${x.type}: ${x.message ?? x.reason ?? ''}`) : [];
          const parts = [
            obj.metadata['deletionTimestamp'] ? `being deleted since ${String(obj.metadata['deletionTimestamp'])}` : 'not marked for deletion',
            ...(phase ? [`phase ${phase}`] : []),
            ...(finalizers.length ? [`finalizers: ${finalizers.join(', ')}`] : []),
            ...holding,
            ...(event ? [`last event: ${event}`] : []),
          ];
          return `still exists (${parts.join(', ')})`;
        },
      };
    }
  }
}

export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/** The run was interrupted while something was being waited for: not a timeout, and nothing is wrong with the cluster. */
export class WaitAbortedError extends Error {
  constructor(what: string) {
    super(`stopped waiting for ${what}: the run was interrupted`);
    this.name = 'WaitAbortedError';
  }
}

const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Polls (50 ms growing to 1 s) until the condition holds; rejects with the explanation on timeout.
 * Transient API errors (the server restarting) count as "not yet" and are named if time runs out.
 * An aborted `signal` (the run interrupted) stops the polling at once: a wait must not outlive the
 * run, polling a cluster that is being deleted until its deadline.
 */
export async function waitFor(kube: KubeReader, condition: WaitCondition, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const waiter = waiterFor(kube, condition);
  const deadline = Date.now() + timeoutMs;
  let interval = 50;
  let lastError: Error | undefined;
  for (;;) {
    if (signal?.aborted) throw new WaitAbortedError(waiter.what);
    let result: Check = WAITING;
    try {
      result = await waiter.check();
      lastError = undefined;
    } catch (err) {
      if (!isTransient(err)) throw err;
      lastError = err as Error;
    }
    if (result.state === 'done') return;
    if (result.state === 'failed') throw new Error(`${result.reason} (while waiting for ${waiter.what})`);
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(interval, left), signal);
    interval = Math.min(interval * 2, 1000);
  }
  let why: string;
  try {
    why = await waiter.explain();
  } catch (err) {
    why = `could not tell why: ${(err as Error).message}`;
  }
  const last = lastError ? ` (last API error: ${lastError.message})` : '';
  throw new WaitTimeoutError(`timed out after ${formatDuration(timeoutMs)} waiting for ${waiter.what}: ${why}${last}`);
}
