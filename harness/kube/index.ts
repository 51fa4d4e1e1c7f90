// The kube adapter: the Kube interface over @kubernetes/client-node (kubeconfig loading, auth and
// TLS, WebSocket exec) with its own small REST layer for server-side apply, discovery and retries.
//
// Decisions worth knowing:
// - apply uses server-side apply (fieldManager cnimatrix, force=true): cnimatrix owns what it applies.
// - mode 'create' POSTs (for Calico's CRDs, too large for apply). AlreadyExists counts as success
//   and the existing object is kept unchanged (like `kubectl create` on a re-run with the same
//   pinned manifest), unless that object is being deleted: then it is an error, since what exists
//   is about to vanish.
// - patch sends a JSON merge patch (RFC 7386) for every kind: one predictable meaning (lists are
//   replaced, null deletes), and custom resources accept no strategic merge.
// - delete uses propagationPolicy Background; an absent object is not an error.
import { KubeConfig } from '@kubernetes/client-node';
import { BadInputError } from '../model/errors.ts';
import { Discovery, groupVersionPath } from './discovery.ts';
import { isAlreadyExists, isNotFound, KubeApiError } from './errors.ts';
import { KubeExec } from './exec.ts';
import { DEFAULT_RETRY, KubeHttp, type RetryPolicy } from './http.ts';
import { ApiReachability } from './reachability.ts';
import { applyOrder, isCrd, parseManifests, withRunLabel } from './manifests.ts';
import type { ApplyOptions, ExecOptions, ExecResult, ExecTarget, Kube, KubeEvent, KubeObject, ListOptions, ObjectRef, WaitCondition } from './types.ts';
import { waitFor } from './waits.ts';

export { isAlreadyExists, isConflict, isNotFound, isTransient, isUnreachable, KubeApiError } from './errors.ts';
export { WaitTimeoutError } from './waits.ts';
export { RUN_LABEL } from './manifests.ts';
export type { RetryPolicy } from './http.ts';

export const FIELD_MANAGER = 'cnimatrix';
const DEFAULT_CRD_TIMEOUT_MS = 60_000;
const DEFAULT_DELETE_TIMEOUT_MS = 60_000;

export interface CreateKubeOptions {
  kubeconfigPath?: string;
  /** Kubeconfig YAML text (instead of a path). */
  kubeconfig?: string;
  /** Context to use; default: the kubeconfig's current-context. */
  context?: string;
  /** Label every applied object with cnimatrix.io/run=<runId>. */
  runId?: string;
  retry?: Partial<RetryPolicy>;
}

function refText(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function loadKubeConfig(opts: CreateKubeOptions): KubeConfig {
  const kc = new KubeConfig();
  // Never fall back to ~/.kube/config: a test run must not touch whatever cluster that names.
  if (opts.kubeconfig !== undefined) kc.loadFromString(opts.kubeconfig);
  else if (opts.kubeconfigPath !== undefined) kc.loadFromFile(opts.kubeconfigPath);
  else throw new BadInputError('createKube needs kubeconfigPath or kubeconfig', 'Pass the kubeconfig of the cluster under test (e.g. from `kind get kubeconfig --name <cluster>`).');
  if (opts.context !== undefined) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(opts.context)) {
      throw new BadInputError(`kubeconfig has no context "${opts.context}"`, `Contexts in it: ${names.join(', ') || '(none)'}.`);
    }
    kc.setCurrentContext(opts.context);
  }
  const where = `kubeconfig${opts.kubeconfigPath ? ` ${opts.kubeconfigPath}` : ''}`;
  if (kc.getContexts().length === 0) throw new BadInputError(`${where} has no contexts`, 'Give a kubeconfig with a context and current-context, e.g. from `kind get kubeconfig --name <cluster>`.');
  if (!kc.getCurrentContext()) throw new BadInputError(`${where} sets no current-context`, `Set one of: ${kc.getContexts().map((c) => c.name).join(', ')}.`);
  if (!kc.getCurrentCluster()) {
    throw new BadInputError(`kubeconfig${opts.kubeconfigPath ? ` ${opts.kubeconfigPath}` : ''} names no cluster for context "${kc.getCurrentContext()}"`, 'Check current-context and the clusters list.');
  }
  return kc;
}

class ClientNodeKube implements Kube {
  readonly server: string;
  readonly #http: KubeHttp;
  readonly #discovery: Discovery;
  readonly #exec: KubeExec;
  readonly #runId: string | undefined;
  readonly #defaultNamespace: string;

  constructor(opts: CreateKubeOptions) {
    const kc = loadKubeConfig(opts);
    const retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.server = kc.getCurrentCluster()!.server;
    const reachability = new ApiReachability();
    this.#http = new KubeHttp(kc, this.server, retry, reachability);
    this.#discovery = new Discovery(this.#http);
    this.#exec = new KubeExec(kc, this, retry, reachability);
    this.#runId = opts.runId;
    this.#defaultNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  }

  /** Collection and object paths for a ref, through discovery. */
  async #paths(ref: { apiVersion: string; kind: string; namespace?: string; name?: string }): Promise<{ collection: string; object: string; namespace?: string }> {
    const info = await this.#discovery.resolve(ref.apiVersion, ref.kind);
    const namespace = info.namespaced ? (ref.namespace ?? this.#defaultNamespace) : undefined;
    const collection = `${groupVersionPath(ref.apiVersion)}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${info.plural}`;
    return { collection, object: `${collection}/${encodeURIComponent(ref.name ?? '')}`, ...(namespace ? { namespace } : {}) };
  }

  async apply(manifests: string | KubeObject[], opts: ApplyOptions = {}): Promise<KubeObject[]> {
    const objects = parseManifests(manifests).map((o) => withRunLabel(o, opts.runId ?? this.#runId));
    const results: KubeObject[] = new Array<KubeObject>(objects.length);
    const order = applyOrder(objects);
    const crds = order.filter((i) => isCrd(objects[i]!));
    for (const i of crds) results[i] = await this.#applyOne(objects[i]!, opts.mode ?? 'apply');
    for (const i of crds) {
      await this.waitFor({ kind: 'crdEstablished', name: objects[i]!.metadata.name }, opts.crdTimeoutMs ?? DEFAULT_CRD_TIMEOUT_MS, opts.signal);
      const spec = objects[i]!['spec'] as { group?: string; versions?: Array<{ name: string }> } | undefined;
      for (const v of spec?.versions ?? []) this.#discovery.invalidate(`${spec?.group}/${v.name}`);
    }
    for (const i of order.filter((j) => !isCrd(objects[j]!))) results[i] = await this.#applyOne(objects[i]!, opts.mode ?? 'apply');
    return results;
  }

  async #applyOne(obj: KubeObject, mode: 'apply' | 'create'): Promise<KubeObject> {
    const paths = await this.#paths({ ...obj, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) });
    // The namespace comes from discovery: the context's for namespaced kinds, none for cluster-scoped ones.
    const { namespace: _given, ...metadata } = obj.metadata;
    const body = { ...obj, metadata: { ...metadata, ...(paths.namespace ? { namespace: paths.namespace } : {}) } };
    const ref = refText({ kind: obj.kind, name: obj.metadata.name, ...(paths.namespace ? { namespace: paths.namespace } : {}) });
    if (mode === 'apply') {
      return this.#http.json<KubeObject>({
        method: 'PATCH', path: paths.object, query: { fieldManager: FIELD_MANAGER, force: true },
        body, contentType: 'application/apply-patch+yaml', verb: 'apply', ref,
      });
    }
    try {
      return await this.#http.json<KubeObject>({ method: 'POST', path: paths.collection, query: { fieldManager: FIELD_MANAGER }, body, verb: 'create', ref });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.#http.json<KubeObject>({ method: 'GET', path: paths.object, verb: 'get', ref });
      if (existing.metadata['deletionTimestamp']) {
        // The server's message already begins "object is being deleted: "; the adapter adds since when.
        throw new KubeApiError({ verb: 'create', ref, status: 409, reason: 'AlreadyExists', apiMessage: `${(err as KubeApiError).apiMessage} (since ${String(existing.metadata['deletionTimestamp'])}); wait for it to be gone and create it again` });
      }
      return existing;
    }
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      const paths = await this.#paths(ref);
      return await this.#http.json<KubeObject>({ method: 'GET', path: paths.object, verb: 'get', ref: refText(ref) });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<KubeObject[]> {
    const info = await this.#discovery.resolve(apiVersion, kind);
    const ns = info.namespaced ? opts.namespace : undefined;
    const path = `${groupVersionPath(apiVersion)}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${info.plural}`;
    const list = await this.#http.json<{ items?: KubeObject[] }>({
      method: 'GET', path, query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
      verb: 'list', ref: `${kind} in ${ns ?? (info.namespaced ? 'all namespaces' : 'the cluster')}`,
    });
    return (list.items ?? []).map((item) => ({ ...item, apiVersion, kind }));
  }

  async delete(ref: ObjectRef, opts: { wait?: boolean; timeoutMs?: number } = {}): Promise<void> {
    try {
      const paths = await this.#paths(ref);
      await this.#http.text({
        method: 'DELETE', path: paths.object, query: { propagationPolicy: 'Background' },
        body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }, verb: 'delete', ref: refText(ref),
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (opts.wait) await this.waitFor({ kind: 'deleted', ref }, opts.timeoutMs ?? DEFAULT_DELETE_TIMEOUT_MS);
  }

  async patch(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject> {
    const paths = await this.#paths(ref);
    return this.#http.json<KubeObject>({
      method: 'PATCH', path: paths.object, query: { fieldManager: FIELD_MANAGER }, body: patch,
      contentType: 'application/merge-patch+json', verb: 'patch', ref: refText(ref),
    });
  }

  waitFor(condition: WaitCondition, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return waitFor(this, condition, timeoutMs, signal);
  }

  exec(target: ExecTarget, command: string[], opts?: ExecOptions): Promise<ExecResult> {
    return this.#exec.run(target, command, opts);
  }

  async logs(target: ExecTarget, opts: { tailLines?: number; previous?: boolean } = {}): Promise<string> {
    return this.#http.text({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/log`,
      query: { container: target.container, tailLines: opts.tailLines, previous: opts.previous ? true : undefined },
      verb: 'logs', ref: refText({ kind: 'Pod', namespace: target.namespace, name: target.pod }),
    });
  }

  async events(namespace: string): Promise<KubeEvent[]> {
    const items = await this.list('v1', 'Event', { namespace });
    return items
      .map((e): KubeEvent => {
        const io = (e['involvedObject'] as { kind?: string; name?: string } | undefined) ?? {};
        return {
          namespace,
          involvedObject: `${io.kind ?? '?'}/${io.name ?? '?'}`,
          type: String(e['type'] ?? ''),
          reason: String(e['reason'] ?? ''),
          message: String(e['message'] ?? ''),
          lastTimestamp: String(e['lastTimestamp'] ?? e['eventTime'] ?? e['firstTimestamp'] ?? e.metadata['creationTimestamp'] ?? ''),
        };
      })
      .map((event, i) => ({ event, rv: Number(items[i]!.metadata.resourceVersion) }))
      // Timestamps have one-second resolution; the resourceVersion orders events within a second.
      .sort((a, b) => a.event.lastTimestamp.localeCompare(b.event.lastTimestamp) || (a.rv - b.rv || 0))
      .map((x) => x.event);
  }
}

export function createKube(opts: CreateKubeOptions): Kube {
  return new ClientNodeKube(opts);
}

