// Public types of the simulated Kubernetes API server. The simulated cluster (fake kind, bootstrap
// objects, dataplane, faults) builds on these; the kube adapter's tests drive the server through them.
import type { KubeObject } from '../../../harness/kube/types.ts';

export type { KubeObject };

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreChange {
  type: ChangeType;
  /** A copy of the object after the change (before deletion, for DELETED). */
  object: KubeObject;
}

export interface StoreListOptions {
  namespace?: string;
  /** Kubernetes label selector syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h`. */
  labelSelector?: string;
  /** metadata.name, metadata.namespace, spec.nodeName, status.phase with = / == / !=. */
  fieldSelector?: string;
}

/**
 * In-memory object store of the fake API server. Objects are keyed by API group (the version part of
 * apiVersion is ignored), kind, namespace and name. Every read returns a copy; every write assigns
 * metadata.uid (on create), a monotonic metadata.resourceVersion, metadata.generation (bumped when
 * anything outside metadata and status changes) and metadata.creationTimestamp (on create).
 * Writes made here bypass HTTP: no admission, no field ownership, status is taken as given.
 */
export interface ObjectStore {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, opts?: StoreListOptions): KubeObject[];
  /** Create or replace (no resourceVersion check). Returns the stored copy. */
  put(obj: KubeObject): KubeObject;
  /** Removes the object at once (no finalizing). Returns what was removed. */
  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Listener runs synchronously after each write; returns an unsubscribe function. */
  onChange(listener: (change: StoreChange) => void): () => void;
  /** The latest resourceVersion handed out. */
  readonly resourceVersion: number;
}

export interface ExecRequest {
  pod: KubeObject;
  container: string;
  command: string[];
  /** Present when the client asked for stdin; the whole input, read until the client closed it. */
  stdin?: string;
  store: ObjectStore;
}

export interface ExecReply {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type ExecHandler = (req: ExecRequest) => Promise<ExecReply>;

export interface LogRequest {
  pod: KubeObject;
  container: string;
  previous: boolean;
  store: ObjectStore;
}

/** Returns the full log text of one container; the server applies tailLines. */
export type LogHandler = (req: LogRequest) => string;

/**
 * How a pod's containers start once the pod is bound to a Ready node. `running` (the default) makes
 * the pod Running and Ready after timing.podStartMs, except that the containers named in `unready`
 * (a readiness probe that never passes) stay not ready, and so does the pod; `waiting` keeps it
 * Pending with every container waiting for `reason` (e.g. ImagePullBackOff) and records a Warning
 * event; `crash` makes it Running but not Ready, containers waiting with CrashLoopBackOff and
 * restartCount 1 — only those named in `containers` when given, the others running.
 */
export type PodStartup =
  | { state: 'running'; unready?: string[] }
  | { state: 'waiting'; reason: string; message?: string }
  | { state: 'crash'; message?: string; containers?: string[] };

export type PodStartupHook = (pod: KubeObject, node: KubeObject) => PodStartup | undefined;

export interface ApiServerTiming {
  /** Bound pod → Running and Ready. Default 50. */
  podStartMs: number;
  /**
   * A pod a controller deleted gracefully (a DaemonSet's rolling update) → not Ready at once, gone
   * this much later, as its containers exit on SIGTERM. Default 400.
   */
  podStopMs: number;
  /** Job pod Running → Succeeded, Job Complete. Default 50. */
  jobRunMs: number;
  /** CRD created → NamesAccepted and Established (served from then on). Default 20. */
  crdEstablishMs: number;
  /** Namespace Terminating → its objects and the namespace are gone. Default 50. */
  namespaceFinalizeMs: number;
}

export interface ApiServerOptions {
  host?: '127.0.0.1';
  /** 0 (default) picks a free port. */
  port?: number;
  exec?: ExecHandler;
  logs?: LogHandler;
  podStartup?: PodStartupHook;
  /** Workload, scheduling, service and endpoint controllers. Default true. */
  controllers?: boolean;
  /** ClusterIP range. Default 10.96.0.0/16; the first host address goes to the `kubernetes` Service. */
  serviceSubnet?: string;
  timing?: Partial<ApiServerTiming>;
  /** Exec subprotocols spoken, most preferred first. Default v5 then v4; an older server: v4 only. */
  execProtocols?: string[];
}

export interface ApiServerStats {
  /** Every HTTP request, exec upgrades included. */
  requests: number;
  execs: number;
  /** get, list, create, update, patch, apply, delete, exec, log, discovery, other. */
  byVerb: Record<string, number>;
}

export interface ApiServerFaults {
  /**
   * The next n non-exec requests answer `status` with a Status body and do nothing. `message`
   * replaces the default text, e.g. to mimic `failed calling webhook "...": connection refused`.
   */
  failNext(n: number, status: number, message?: string): void;
  /** The next n non-exec requests have their socket destroyed without a response. */
  resetNext(n: number): void;
}

export interface ApiServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly store: ObjectStore;
  readonly stats: ApiServerStats;
  readonly faults: ApiServerFaults;
  /** Kubeconfig YAML for this server: cluster/context/user `kind-<clusterName>`, a dummy token. */
  kubeconfig(clusterName: string): string;
  /** Sets the node's Ready condition (and the not-ready taint kubelet's controller would add). */
  setNodeReady(name: string, ready: boolean, reason?: string): void;
  /** Records (or bumps the count of) an Event about `obj`, as a component would. */
  recordEvent(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component?: string): void;
  stop(): Promise<void>;
}
