// The harness's view of a Kubernetes API server. Implemented over @kubernetes/client-node in
// harness/kube; suites and the run orchestration depend on this interface only.

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ApplyOptions {
  /** "apply" = server-side apply (fieldManager cnimatrix); "create" = POST, for objects too large for apply. */
  mode?: 'apply' | 'create';
  /** Label every object with cnimatrix.io/run=<runId>. */
  runId?: string;
  /** How long to wait for each applied CRD to be Established before applying the rest (default 60 s). */
  crdTimeoutMs?: number;
  /** Stops waiting for CRDs when aborted (the run interrupted). */
  signal?: AbortSignal;
}

export interface ExecTarget {
  namespace: string;
  pod: string;
  container?: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  stdin?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type WaitCondition =
  | { kind: 'podsReady'; namespace: string; labelSelector?: string; minCount?: number }
  | { kind: 'daemonSetRolledOut'; namespace: string; name: string }
  | { kind: 'deploymentAvailable'; namespace: string; name: string }
  | { kind: 'jobComplete'; namespace: string; name: string }
  | { kind: 'nodesReady'; minCount?: number }
  | { kind: 'crdEstablished'; name: string }
  | { kind: 'deleted'; ref: ObjectRef }
  /** The object exists and, when `path` is given, holds a non-empty value there (numeric keys index lists). */
  | { kind: 'exists'; ref: ObjectRef; path?: string[] };

export interface KubeEvent {
  namespace: string;
  involvedObject: string; // Kind/name
  type: string;
  reason: string;
  message: string;
  lastTimestamp: string;
}

export interface Kube {
  /** Multi-document YAML or objects; CRDs first and established before the rest. */
  apply(manifests: string | KubeObject[], opts?: ApplyOptions): Promise<KubeObject[]>;
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, opts?: ListOptions): Promise<KubeObject[]>;
  /** Absent objects are not an error. With wait, returns once the object is gone. */
  delete(ref: ObjectRef, opts?: { wait?: boolean; timeoutMs?: number }): Promise<void>;
  /** Merge-patch (or strategic for core kinds) an object, e.g. to change labels mid-test. */
  patch(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject>;
  /**
   * Rejects with a message naming what was still not ready and why (phase, last event); with an
   * aborted `signal`, at once with WaitAbortedError.
   */
  waitFor(condition: WaitCondition, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  exec(target: ExecTarget, command: string[], opts?: ExecOptions): Promise<ExecResult>;
  logs(target: ExecTarget, opts?: { tailLines?: number; previous?: boolean }): Promise<string>;
  events(namespace: string): Promise<KubeEvent[]>;
  /** Host and port of the API server, as named in the kubeconfig. */
  readonly server: string;
}
