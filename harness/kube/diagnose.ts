// Why something is not ready, in one line: pod phase, container readiness and waiting reasons,
// how a crashing container last ended and what it last logged, the scheduler's or kubelet's last
// event about it.
import type { ExecTarget, KubeObject, ListOptions, ObjectRef } from './types.ts';

export interface KubeReader {
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, opts?: ListOptions): Promise<KubeObject[]>;
  logs?(target: ExecTarget, opts?: { tailLines?: number; previous?: boolean }): Promise<string>;
}

/** Log lines quoted from a container that keeps exiting: the cause is usually in the last ones. */
const CRASH_LOG_LINES = 3;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface Terminated {
  reason?: string;
  exitCode?: number;
  message?: string;
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: Terminated };
  lastState?: { terminated?: Terminated };
}

/** "cont-80 last exited 1 (Error), logging: …" for a container that ran and stopped. */
async function lastExit(kube: KubeReader, pod: KubeObject, status: ContainerStatus): Promise<string | undefined> {
  const t = status.lastState?.terminated;
  if (!t) return undefined;
  const message = t.message?.trim() ? `: ${t.message.trim().slice(0, 200)}` : '';
  let logged = '';
  if (kube.logs) {
    const target = { namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name, container: status.name };
    const tail = await kube.logs(target, { previous: true, tailLines: CRASH_LOG_LINES }).catch(() => '');
    const lines = tail.trim().split('\n').filter((l) => l.trim() !== '');
    if (lines.length > 0) logged = `, its last log lines: ${JSON.stringify(lines.join(' | ').slice(0, 300))}`;
  }
  return `${status.name} last exited ${t.exitCode ?? '?'} (${t.reason ?? 'terminated'}${message})${logged}`;
}

export function conditionsOf(obj: KubeObject | undefined): Condition[] {
  return ((obj?.['status'] as { conditions?: Condition[] } | undefined)?.conditions) ?? [];
}

export function hasCondition(obj: KubeObject | undefined, type: string, status = 'True'): boolean {
  return conditionsOf(obj).some((c) => c.type === type && c.status === status);
}

export function podIsReady(pod: KubeObject): boolean {
  return hasCondition(pod, 'Ready');
}

export function podPhase(pod: KubeObject): string {
  return ((pod['status'] as { phase?: string } | undefined)?.phase) ?? 'Unknown';
}

function eventTime(e: KubeObject): string {
  return String(e['lastTimestamp'] ?? e['eventTime'] ?? e['firstTimestamp'] ?? e.metadata['creationTimestamp'] ?? '');
}

/** The most telling recent event about an object: the latest Warning, else the latest event. */
export async function lastEvent(kube: KubeReader, obj: KubeObject): Promise<string | undefined> {
  const namespace = obj.metadata.namespace ?? 'default';
  let events: KubeObject[];
  try {
    events = await kube.list('v1', 'Event', { namespace, fieldSelector: `involvedObject.name=${obj.metadata.name}` });
  } catch {
    return undefined;
  }
  events = events.filter((e) => (e['involvedObject'] as { kind?: string } | undefined)?.kind === obj.kind);
  if (events.length === 0) return undefined;
  const sorted = events.sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
  const warnings = sorted.filter((e) => e['type'] === 'Warning');
  const e = (warnings.length > 0 ? warnings : sorted).at(-1)!;
  return `${String(e['reason'])}: ${String(e['message'])}`;
}

/** `cilium-abcde: Pending (0/1 containers ready, waiting: ImagePullBackOff), last event: Failed: ...` */
export async function describePod(kube: KubeReader, pod: KubeObject): Promise<string> {
  const statuses = ((pod['status'] as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses) ?? [];
  const containers = ((pod['spec'] as { containers?: unknown[] } | undefined)?.containers ?? []).length;
  const ready = statuses.filter((c) => c.ready).length;
  const waiting = [...new Set(statuses.map((c) => c.state?.waiting?.reason).filter((r): r is string => !!r))];
  const terminated = statuses.map((c) => c.state?.terminated).filter((t) => t !== undefined).map((t) => `${t.reason ?? 'terminated'} (exit ${t.exitCode ?? '?'})`);
  const parts = [`${ready}/${containers} containers ready`];
  if (waiting.length > 0) parts.push(`waiting: ${waiting.join(', ')}`);
  if (terminated.length > 0) parts.push(`terminated: ${terminated.join(', ')}`);
  const exits = (await Promise.all(statuses.filter((c) => !c.ready).map((c) => lastExit(kube, pod, c)))).filter((e): e is string => e !== undefined);
  parts.push(...exits);
  const unscheduled = conditionsOf(pod).find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) parts.push(`unschedulable`);
  const node = (pod['spec'] as { nodeName?: string } | undefined)?.nodeName;
  const event = await lastEvent(kube, pod);
  return `${pod.metadata.name}: ${podPhase(pod)} (${parts.join(', ')})${node ? ` on ${node}` : ''}${event ? `, last event: ${event}` : ''}`;
}

/** Up to `limit` not-ready pods, described; "no pods" (with the owner's last event) when there are none. */
export async function describeUnreadyPods(kube: KubeReader, pods: KubeObject[], owner?: KubeObject, limit = 3): Promise<string> {
  const unready = pods.filter((p) => !podIsReady(p) && podPhase(p) !== 'Succeeded');
  if (pods.length === 0) {
    const event = owner ? await lastEvent(kube, owner) : undefined;
    return `no pods${event ? `; last event: ${event}` : ''}`;
  }
  if (unready.length === 0) return 'all pods ready';
  const described = await Promise.all(unready.slice(0, limit).map((p) => describePod(kube, p)));
  const more = unready.length > limit ? `; and ${unready.length - limit} more not ready` : '';
  return `${described.join('; ')}${more}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}
