// Deployment and Job controllers, simplified (DaemonSets: daemonsets.ts): Deployments own their
// pods directly (no ReplicaSets) and replace a changed template at once; a Job runs one pod to
// completion and, with ttlSecondsAfterFinished, is deleted (with its pods) that long after it
// finished, as the TTL-after-finished controller does.
import { recordEvent, timestamp } from '../events.ts';
import type { KubeObject, ObjectStore } from '../types.ts';
import type { PodSpec } from './scheduling.ts';
import { ownedPods, podFromTemplate, podPhase, podReady, randomSuffix, setCondition, templateHash, type Condition } from './shared.ts';

interface WorkloadSpec {
  replicas?: number;
  completions?: number;
  backoffLimit?: number;
  ttlSecondsAfterFinished?: number;
  template?: { metadata?: Record<string, unknown>; spec?: PodSpec };
  strategy?: { rollingUpdate?: { maxUnavailable?: number | string } };
}

function spec(obj: KubeObject): WorkloadSpec {
  return (obj['spec'] as WorkloadSpec | undefined) ?? {};
}

function createPod(store: ObjectStore, owner: KubeObject, pod: KubeObject): void {
  store.put(pod);
  recordEvent(store, owner, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, `${owner.kind.toLowerCase()}-controller`);
}

function deletePod(store: ObjectStore, owner: KubeObject, pod: KubeObject): void {
  store.delete('v1', 'Pod', pod.metadata.namespace, pod.metadata.name);
  recordEvent(store, owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, `${owner.kind.toLowerCase()}-controller`);
}

function writeStatus(store: ObjectStore, obj: KubeObject, status: Record<string, unknown>): void {
  store.put({ ...obj, status });
}

/** maxUnavailable as a pod count (percentages round down, as the Deployment controller does). */
function maxUnavailable(s: WorkloadSpec, desired: number): number {
  const v = s.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  if (typeof v === 'number') return v;
  return Math.floor((desired * Number.parseInt(v, 10)) / 100);
}

export function reconcileDeployments(store: ObjectStore): void {
  for (const d of store.list('apps/v1', 'Deployment')) {
    const s = spec(d);
    const desired = s.replicas ?? 1;
    const hash = templateHash(s.template);
    let pods = ownedPods(store, d);
    for (const p of pods) {
      if (p.metadata.labels?.['pod-template-hash'] !== hash || podPhase(p) === 'Failed' || podPhase(p) === 'Succeeded') deletePod(store, d, p);
    }
    pods = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash && podPhase(p) !== 'Failed' && podPhase(p) !== 'Succeeded');
    for (let i = pods.length; i < desired; i++) {
      const pod = podFromTemplate(d, `${d.metadata.name}-${hash}-${randomSuffix()}`, { 'pod-template-hash': hash });
      createPod(store, d, pod);
      pods.push(pod);
    }
    if (pods.length > desired) {
      const byPreference = [...pods].sort((a, b) => Number(podReady(a)) - Number(podReady(b)));
      for (const p of byPreference.slice(0, pods.length - desired)) deletePod(store, d, p);
      pods = byPreference.slice(pods.length - desired);
    }
    const ready = pods.filter(podReady).length;
    const prev = (d['status'] as { conditions?: Condition[] } | undefined)?.conditions;
    const available = ready >= desired - maxUnavailable(s, desired);
    let conditions = setCondition(prev, available
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
    const complete = ready === desired && pods.length === desired;
    conditions = setCondition(conditions, complete
      ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${d.metadata.name}-${hash}" has successfully progressed.` }
      : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${d.metadata.name}-${hash}" is progressing.` });
    writeStatus(store, d, {
      observedGeneration: d.metadata['generation'],
      replicas: pods.length,
      updatedReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(desired - ready > 0 ? { unavailableReplicas: desired - ready } : {}),
      conditions,
    });
  }
}

/** When a finished Job's TTL runs out (ms since the epoch); undefined without a TTL or before it finished. */
function ttlExpiry(job: KubeObject, conditions: Condition[] | undefined, completionTime: string | undefined): number | undefined {
  const ttl = spec(job).ttlSecondsAfterFinished;
  if (ttl === undefined) return undefined;
  const failedAt = conditions?.find((c) => c.type === 'Failed' && c.status === 'True')?.lastTransitionTime;
  const finishedAt = completionTime ?? failedAt;
  return finishedAt === undefined ? undefined : Date.parse(finishedAt) + ttl * 1000;
}

/** Deletes the Job and, as garbage collection of a background deletion does, the pods it owns. */
function deleteFinishedJob(store: ObjectStore, job: KubeObject): void {
  for (const pod of ownedPods(store, job)) store.delete('v1', 'Pod', pod.metadata.namespace, pod.metadata.name);
  store.delete('batch/v1', 'Job', job.metadata.namespace, job.metadata.name);
}

export function reconcileJobs(store: ObjectStore, wakeAt: (at: number) => void): void {
  for (const job of store.list('batch/v1', 'Job')) {
    const s = spec(job);
    const status = (job['status'] as { conditions?: Condition[]; startTime?: string; completionTime?: string } | undefined) ?? {};
    const done = (status.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const pods = ownedPods(store, job);
    const succeeded = pods.filter((p) => podPhase(p) === 'Succeeded').length;
    const failed = pods.filter((p) => podPhase(p) === 'Failed').length;
    const active = pods.filter((p) => podPhase(p) !== 'Succeeded' && podPhase(p) !== 'Failed');
    let conditions = status.conditions;
    let completionTime = status.completionTime;
    if (!done) {
      if (succeeded >= (s.completions ?? 1)) {
        conditions = setCondition(conditions, { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
        conditions = setCondition(conditions, { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
        completionTime = timestamp();
        recordEvent(store, job, 'Normal', 'Completed', 'Job completed', 'job-controller');
      } else if (failed > (s.backoffLimit ?? 6)) {
        conditions = setCondition(conditions, { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
      } else if (active.length === 0) {
        const pod = podFromTemplate(job, `${job.metadata.name}-${randomSuffix()}`, {
          'batch.kubernetes.io/controller-uid': job.metadata.uid!,
          'batch.kubernetes.io/job-name': job.metadata.name,
          'controller-uid': job.metadata.uid!,
          'job-name': job.metadata.name,
        });
        createPod(store, job, pod);
        active.push(pod);
      }
    }
    const expiry = ttlExpiry(job, conditions, completionTime);
    // A Job is first written as finished, then deleted on a later pass, as two controllers do it.
    if (done && expiry !== undefined && expiry <= Date.now()) {
      deleteFinishedJob(store, job);
      continue;
    }
    if (expiry !== undefined) wakeAt(expiry);
    writeStatus(store, job, {
      startTime: status.startTime ?? timestamp(),
      active: active.length,
      ready: active.filter(podReady).length,
      ...(succeeded ? { succeeded } : {}),
      ...(failed ? { failed } : {}),
      ...(completionTime ? { completionTime } : {}),
      ...(conditions ? { conditions } : {}),
      uncountedTerminatedPods: {},
    });
  }
}
