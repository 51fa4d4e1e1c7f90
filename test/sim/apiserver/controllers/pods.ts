// Scheduler and kubelet, simulated: bind pending pods to fitting nodes, then start them (IP from the
// node's podCIDR, Running, Ready) after timing.podStartMs; job pods finish after timing.jobRunMs;
// a pod deleted gracefully stops being Ready at once and is gone after timing.podStopMs.
import { createHash } from 'node:crypto';
import { recordEvent, timestamp } from '../events.ts';
import { firstFree, intToIp, ipToInt, ipv6InPrefix, parseCidr } from '../ipam.ts';
import type { ApiServerTiming, KubeObject, ObjectStore, PodStartup, PodStartupHook } from '../types.ts';
import { nodeReady, unfitReason, unschedulableMessage, type PodSpec } from './scheduling.ts';
import { controllerKind, setCondition, type Condition } from './shared.ts';

interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: Record<string, Record<string, unknown>>;
  lastState?: Record<string, Record<string, unknown>>;
}

interface PodStatus {
  phase?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  hostIP?: string;
  hostIPs?: Array<{ ip: string }>;
  startTime?: string;
  qosClass?: string;
  [key: string]: unknown;
}

export interface PodControllerContext {
  store: ObjectStore;
  timing: ApiServerTiming;
  podStartup: PodStartupHook | undefined;
  /** Ask for another reconcile pass at this epoch-ms time. */
  wakeAt(ms: number): void;
}

function nodeInternalIP(node: KubeObject): string | undefined {
  const addresses = (node['status'] as { addresses?: Array<{ type: string; address: string }> } | undefined)?.addresses ?? [];
  return addresses.find((a) => a.type === 'InternalIP')?.address;
}

function containerID(pod: KubeObject, name: string): string {
  return `containerd://${createHash('sha256').update(`${pod.metadata.uid}/${name}`).digest('hex')}`;
}

export class PodController {
  readonly #ctx: PodControllerContext;
  /** When each pod was first seen bound to a node, and first seen Running (epoch ms). */
  readonly #boundAt = new Map<string, number>();
  readonly #runningAt = new Map<string, number>();
  /** When each gracefully deleted pod was first seen terminating (epoch ms). */
  readonly #stoppingAt = new Map<string, number>();

  constructor(ctx: PodControllerContext) {
    this.#ctx = ctx;
  }

  reconcile(): void {
    const { store } = this.#ctx;
    const nodes = store.list('v1', 'Node');
    const pods = store.list('v1', 'Pod');
    const live = new Set(pods.map((p) => p.metadata.uid!));
    for (const uid of this.#boundAt.keys()) if (!live.has(uid)) this.#boundAt.delete(uid);
    for (const uid of this.#runningAt.keys()) if (!live.has(uid)) this.#runningAt.delete(uid);
    for (const uid of this.#stoppingAt.keys()) if (!live.has(uid)) this.#stoppingAt.delete(uid);
    for (const pod of pods) {
      const phase = (pod['status'] as PodStatus | undefined)?.phase;
      // A pod held by finalizers waits for them (the API server removes it once they are gone).
      if (pod.metadata['deletionTimestamp'] && (pod.metadata['finalizers'] as string[] | undefined)?.length) continue;
      if (pod.metadata['deletionTimestamp']) {
        this.#stop(pod);
        continue;
      }
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const spec = pod['spec'] as PodSpec;
      if (!spec.nodeName) this.#schedule(pod, spec, nodes, pods);
      else this.#run(pod, spec, nodes.find((n) => n.metadata.name === spec.nodeName));
    }
  }

  #schedule(pod: KubeObject, spec: PodSpec, nodes: KubeObject[], pods: KubeObject[]): void {
    const { store } = this.#ctx;
    const reasons: string[] = [];
    const fitting: KubeObject[] = [];
    for (const node of nodes) {
      const reason = unfitReason(spec, node);
      if (reason) reasons.push(reason);
      else fitting.push(node);
    }
    const status = (pod['status'] as PodStatus | undefined) ?? {};
    if (fitting.length === 0) {
      const message = unschedulableMessage(reasons, nodes.length);
      const previous = status.conditions?.find((c) => c.type === 'PodScheduled')?.message;
      store.put({ ...pod, status: { ...status, phase: 'Pending', conditions: setCondition(status.conditions, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null }) } });
      if (previous !== message) recordEvent(store, pod, 'Warning', 'FailedScheduling', message, 'default-scheduler');
      return;
    }
    const load = (n: KubeObject): number => pods.filter((p) => (p['spec'] as PodSpec).nodeName === n.metadata.name).length;
    const chosen = fitting.sort((a, b) => load(a) - load(b) || a.metadata.name.localeCompare(b.metadata.name))[0]!;
    const bound = store.put({
      ...pod,
      spec: { ...spec, nodeName: chosen.metadata.name },
      status: { ...status, phase: 'Pending', conditions: setCondition(status.conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null }) },
    });
    pods.push(bound);
    recordEvent(store, pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${chosen.metadata.name}`, 'default-scheduler');
  }

  #allocateIP(pod: KubeObject, spec: PodSpec, node: KubeObject): string | undefined {
    if (spec.hostNetwork) return nodeInternalIP(node);
    const podCIDR = (node['spec'] as { podCIDR?: string } | undefined)?.podCIDR;
    if (!podCIDR) return undefined;
    const used = new Set(
      this.#ctx.store
        .list('v1', 'Pod', { fieldSelector: `spec.nodeName=${node.metadata.name}` })
        .filter((p) => p.metadata.uid !== pod.metadata.uid && !(p['spec'] as PodSpec).hostNetwork)
        .map((p) => (p['status'] as PodStatus | undefined)?.podIP)
        .filter((ip): ip is string => !!ip),
    );
    const cidr = parseCidr(podCIDR);
    used.add(intToIp(cidr.base + 1)); // the bridge/gateway address
    return firstFree(cidr, used, 2);
  }

  /**
   * Every address of the pod: on a dual-stack node (an IPv6 /64 in spec.podCIDRs) a pod-network pod
   * also gets the IPv6 address with the same host part, IPv4 first as kind lists the families.
   */
  #podIPs(ip: string, spec: PodSpec, node: KubeObject): Array<{ ip: string }> {
    const cidrs = (node['spec'] as { podCIDR?: string; podCIDRs?: string[] } | undefined) ?? {};
    const v6 = cidrs.podCIDRs?.find((c) => c.includes(':'));
    if (spec.hostNetwork || v6 === undefined || cidrs.podCIDR === undefined) return [{ ip }];
    return [{ ip }, { ip: ipv6InPrefix(v6, ipToInt(ip) - parseCidr(cidrs.podCIDR).base) }];
  }

  #run(pod: KubeObject, spec: PodSpec, node: KubeObject | undefined): void {
    if (!node) return;
    const { store, timing } = this.#ctx;
    const uid = pod.metadata.uid!;
    const now = Date.now();
    const status = { ...((pod['status'] as PodStatus | undefined) ?? {}) };
    status.hostIP = nodeInternalIP(node) ?? '';
    status.hostIPs = status.hostIP ? [{ ip: status.hostIP }] : [];
    status.startTime ??= timestamp();
    status.conditions = setCondition(status.conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null });
    const boundAt = this.#boundAt.get(uid) ?? now;
    this.#boundAt.set(uid, boundAt);
    const containers = spec.containers ?? [];
    const ready = nodeReady(node);

    const waiting = (reason: string, message?: string): ContainerStatus[] =>
      containers.map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason, ...(message ? { message } : {}) } } }));
    const setReady = (value: boolean, reason?: string, unready = containers.map((c) => c.name)): void => {
      const r = value ? {} : { reason: reason ?? 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
      status.conditions = setCondition(status.conditions, { type: 'Ready', status: value ? 'True' : 'False', ...r, lastProbeTime: null });
      status.conditions = setCondition(status.conditions, { type: 'ContainersReady', status: value ? 'True' : 'False', ...r, lastProbeTime: null });
    };

    // Running pods (including ones written straight into the store as Running) are left as they are.
    if (status.phase === 'Running') {
      this.#progressRunning(pod, status);
      return;
    }
    if (!spec.hostNetwork && !ready) {
      const message = 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type not initialized: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';
      const before = JSON.stringify(pod['status']);
      status.phase = 'Pending';
      status.containerStatuses = waiting('ContainerCreating');
      setReady(false);
      const after = store.put({ ...pod, status });
      if (JSON.stringify(after['status']) !== before) recordEvent(store, pod, 'Warning', 'FailedCreatePodSandBox', message, 'kubelet');
      return;
    }
    const startAt = boundAt + timing.podStartMs;
    if (now < startAt) {
      this.#ctx.wakeAt(startAt);
      status.phase = 'Pending';
      status.containerStatuses = waiting('ContainerCreating');
      setReady(false);
      store.put({ ...pod, status });
      return;
    }
    const ip = this.#allocateIP(pod, spec, node);
    if (!ip) {
      status.phase = 'Pending';
      status.containerStatuses = waiting('ContainerCreating');
      setReady(false);
      const after = store.put({ ...pod, status });
      if (JSON.stringify(after['status']) !== JSON.stringify(pod['status'])) {
        recordEvent(store, pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: no IP addresses available: node ${node.metadata.name} has no free address in spec.podCIDR`, 'kubelet');
      }
      return;
    }
    const startup: PodStartup = this.#ctx.podStartup?.(pod, node) ?? { state: 'running' };
    const previousReason = (pod['status'] as PodStatus | undefined)?.containerStatuses?.[0]?.state['waiting']?.['reason'];
    status.conditions = setCondition(status.conditions, { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null });
    status.conditions = setCondition(status.conditions, { type: 'Initialized', status: 'True', lastProbeTime: null });
    if (startup.state === 'waiting') {
      status.phase = 'Pending';
      status.podIP = ip;
      status.podIPs = this.#podIPs(ip, spec, node);
      status.containerStatuses = waiting(startup.reason, startup.message);
      setReady(false);
      store.put({ ...pod, status });
      if (previousReason !== startup.reason) recordEvent(store, pod, 'Warning', 'Failed', startup.message ?? `Error: ${startup.reason}`, 'kubelet');
      return;
    }
    status.phase = 'Running';
    status.podIP = ip;
    status.podIPs = this.#podIPs(ip, spec, node);
    if (startup.state === 'crash') {
      const crashing = containers.filter((c) => startup.containers?.includes(c.name) ?? true);
      const since = timestamp();
      status.containerStatuses = containers.map((c): ContainerStatus =>
        crashing.includes(c)
          ? {
              name: c.name, image: c.image ?? '', imageID: '', containerID: containerID(pod, c.name), ready: false, started: false, restartCount: 1,
              state: { waiting: { reason: 'CrashLoopBackOff', message: startup.message ?? `back-off 10s restarting failed container=${c.name} pod=${pod.metadata.name}` } },
              // containerd's CRI names a non-zero exit "Error" (pkg/cri/server/helpers.go, errorExitReason).
              lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: since, finishedAt: since, containerID: containerID(pod, c.name) } },
            }
          : { name: c.name, image: c.image ?? '', imageID: '', containerID: containerID(pod, c.name), ready: true, started: true, restartCount: 0, state: { running: { startedAt: since } } },
      );
      setReady(false);
      store.put({ ...pod, status });
      const crashedBefore = (pod['status'] as PodStatus | undefined)?.containerStatuses?.some((s) => s.state['waiting']?.['reason'] === 'CrashLoopBackOff');
      if (!crashedBefore) recordEvent(store, pod, 'Warning', 'BackOff', `Back-off restarting failed container ${crashing[0]?.name ?? ''} in pod ${pod.metadata.name}`, 'kubelet');
      return;
    }
    const startedAt = timestamp();
    const unready = startup.state === 'running' ? (startup.unready ?? []) : [];
    status.containerStatuses = containers.map((c) => ({
      name: c.name, image: c.image ?? '', imageID: '', containerID: containerID(pod, c.name), ready: !unready.includes(c.name), started: true, restartCount: 0,
      state: { running: { startedAt } },
    }));
    setReady(unready.length === 0, undefined, unready);
    store.put({ ...pod, status });
    for (const c of containers) {
      recordEvent(store, pod, 'Normal', 'Created', `Created container: ${c.name}`, 'kubelet');
      recordEvent(store, pod, 'Normal', 'Started', `Started container ${c.name}`, 'kubelet');
    }
    this.#runningAt.set(uid, now);
    if (controllerKind(pod) === 'Job') this.#ctx.wakeAt(now + timing.jobRunMs);
  }

  /** A terminating pod: no longer Ready (kubelet's SIGTERM), removed once its containers had time to exit. */
  #stop(pod: KubeObject): void {
    const { store, timing } = this.#ctx;
    const uid = pod.metadata.uid!;
    const now = Date.now();
    const since = this.#stoppingAt.get(uid) ?? now;
    this.#stoppingAt.set(uid, since);
    if (now >= since + timing.podStopMs) {
      store.delete('v1', 'Pod', pod.metadata.namespace, pod.metadata.name);
      return;
    }
    this.#ctx.wakeAt(since + timing.podStopMs);
    const status = { ...((pod['status'] as PodStatus | undefined) ?? {}) };
    const names = ((pod['spec'] as PodSpec).containers ?? []).map((c) => c.name);
    for (const type of ['Ready', 'ContainersReady']) {
      status.conditions = setCondition(status.conditions, { type, status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${names.join(' ')}]`, lastProbeTime: null });
    }
    if (JSON.stringify(status) !== JSON.stringify(pod['status'])) store.put({ ...pod, status });
  }

  /** Job pods complete timing.jobRunMs after they started running; other running pods stay as they are. */
  #progressRunning(pod: KubeObject, status: PodStatus): void {
    const { store, timing } = this.#ctx;
    const uid = pod.metadata.uid!;
    const runningAt = this.#runningAt.get(uid) ?? Date.now();
    this.#runningAt.set(uid, runningAt);
    if (controllerKind(pod) !== 'Job') return;
    const doneAt = runningAt + timing.jobRunMs;
    if (Date.now() < doneAt) {
      this.#ctx.wakeAt(doneAt);
      return;
    }
    const finishedAt = timestamp();
    status.phase = 'Succeeded';
    status.containerStatuses = (status.containerStatuses ?? []).map((c) => ({
      ...c, ready: false, started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: (c.state['running']?.['startedAt'] as string | undefined) ?? finishedAt, finishedAt, containerID: c.containerID } },
    }));
    for (const type of ['Ready', 'ContainersReady']) {
      status.conditions = setCondition(status.conditions, { type, status: 'False', reason: 'PodCompleted', lastProbeTime: null });
    }
    store.put({ ...pod, status });
  }
}
