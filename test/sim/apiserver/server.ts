// startApiServer: wires the store, REST surface, exec endpoint, built-in lifecycles (CRD
// establishment, namespace finalization, garbage collection), controllers, faults and stats.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceAllocator } from './admission.ts';
import { startControllers } from './controllers/index.ts';
import { NOT_READY_TAINT } from './controllers/scheduling.ts';
import { recordEvent, timestamp } from './events.ts';
import { ExecEndpoint } from './exec.ts';
import { apiVersionOf, ResourceRegistry, type ResourceType } from './resources.ts';
import { RestHandler, route, verbOf, type RestResponse } from './rest.ts';
import { ApiStatusError, notServed, statusBody } from './status.ts';
import { finalizersOf, terminatingConditions } from './namespaces.ts';
import { MemoryStore } from './store.ts';
import type { ApiServer, ApiServerOptions, ApiServerStats, ApiServerTiming, ExecHandler, KubeObject, LogHandler } from './types.ts';

const DEFAULT_TIMING: ApiServerTiming = { podStartMs: 50, podStopMs: 400, jobRunMs: 50, crdEstablishMs: 20, namespaceFinalizeMs: 50 };
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const noExec: ExecHandler = async () => {
  throw new Error('this API server has no exec handler');
};
const noLogs: LogHandler = () => '';

function send(res: ServerResponse, r: RestResponse): void {
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  res.writeHead(r.status, { 'Content-Type': r.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const timing: ApiServerTiming = { ...DEFAULT_TIMING, ...opts.timing };
  const store = new MemoryStore();
  const registry = new ResourceRegistry();
  const services = new ServiceAllocator(opts.serviceSubnet ?? '10.96.0.0/16', store);
  const stats: ApiServerStats = { requests: 0, execs: 0, byVerb: {} };
  const timers = new Set<NodeJS.Timeout>();
  let failNext: { n: number; status: number; message?: string } = { n: 0, status: 503 };
  let resetNext = 0;
  let port = 0;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** Background/Foreground propagation: dependents (by ownerReferences uid) go too. */
  const collectGarbage = (owner: KubeObject): void => {
    const uid = owner.metadata.uid;
    const candidates = owner.metadata.namespace ? store.listNamespace(owner.metadata.namespace) : store.listAll();
    for (const dep of candidates) {
      const refs = (dep.metadata['ownerReferences'] as Array<{ uid?: string }> | undefined) ?? [];
      if (!refs.some((r) => r.uid === uid)) continue;
      const removed = store.delete(dep.apiVersion, dep.kind, dep.metadata.namespace, dep.metadata.name);
      if (removed) collectGarbage(removed);
    }
  };

  /** An object with finalizers is only marked for deletion; it goes once a write removes the last one. */
  const markDeleted = (obj: KubeObject): KubeObject =>
    obj.metadata['deletionTimestamp'] ? obj : store.put({ ...obj, metadata: { ...obj.metadata, deletionTimestamp: timestamp(), deletionGracePeriodSeconds: 0 } });

  const resourceOf = (obj: KubeObject): string => {
    const t = registry.all().find((r) => apiVersionOf(r) === obj.apiVersion && r.kind === obj.kind);
    return `${t?.plural ?? obj.kind.toLowerCase()}.${t?.group ?? ''}`;
  };

  /** Deletes the namespace's content; while finalizers hold some of it, says so and tries again later. */
  const finalizeNamespace = (name: string): void => {
    const remaining: KubeObject[] = [];
    for (const obj of store.listNamespace(name)) {
      if (finalizersOf(obj).length > 0) remaining.push(markDeleted(obj));
      else store.delete(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    }
    const ns = store.get('v1', 'Namespace', undefined, name);
    if (!ns) return;
    if (remaining.length === 0) {
      store.delete('v1', 'Namespace', undefined, name);
      return;
    }
    store.put({ ...ns, status: { phase: 'Terminating', conditions: terminatingConditions(remaining, resourceOf) } });
    later(timing.namespaceFinalizeMs, () => finalizeNamespace(name));
  };

  const deleteObject = (rt: ResourceType, obj: KubeObject, propagation: string): KubeObject => {
    if (rt.kind !== 'Namespace' && finalizersOf(obj).length > 0) return markDeleted(obj);
    if (rt.kind === 'Namespace') {
      const status = obj['status'] as { phase?: string } | undefined;
      if (status?.phase === 'Terminating') return obj;
      const terminating = store.put({ ...obj, metadata: { ...obj.metadata, deletionTimestamp: timestamp() }, status: { phase: 'Terminating' } });
      later(timing.namespaceFinalizeMs, () => finalizeNamespace(obj.metadata.name));
      return terminating;
    }
    const removed = store.delete(apiVersionOf(rt), rt.kind, obj.metadata.namespace, obj.metadata.name) ?? obj;
    if (rt.kind === 'CustomResourceDefinition') {
      for (const t of registry.removeCrd(obj.metadata.name)) {
        for (const cr of store.list(apiVersionOf(t), t.kind)) store.delete(cr.apiVersion, cr.kind, cr.metadata.namespace, cr.metadata.name);
      }
    }
    if (propagation !== 'Orphan') collectGarbage(removed);
    return removed;
  };

  /** The apiextensions server accepts names and marks a new CRD Established a moment later. */
  const onCrdWritten = (crd: KubeObject): void => {
    later(timing.crdEstablishMs, () => {
      const current = store.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, crd.metadata.name);
      if (!current) return;
      const spec = current['spec'] as Parameters<ResourceRegistry['serveCrd']>[1];
      registry.serveCrd(current.metadata.name, spec);
      const previous = (current['status'] as { conditions?: Array<{ type: string; lastTransitionTime?: string }> } | undefined)?.conditions ?? [];
      const since = (type: string): string => previous.find((c) => c.type === type)?.lastTransitionTime ?? timestamp();
      store.put({
        ...current,
        status: {
          conditions: [
            { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: since('NamesAccepted') },
            { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: since('Established') },
          ],
          acceptedNames: spec.names,
          storedVersions: spec.versions.filter((v) => (v as { storage?: boolean }).storage !== false).map((v) => v.name),
        },
      });
    });
  };

  /** After every HTTP write: a new CRD gets established; a deleted object whose last finalizer went is removed. */
  const onWritten = (rt: ResourceType, obj: KubeObject): void => {
    if (rt.kind === 'CustomResourceDefinition') onCrdWritten(obj);
    if (rt.kind !== 'Namespace' && obj.metadata['deletionTimestamp'] && finalizersOf(obj).length === 0) deleteObject(rt, obj, 'Background');
  };

  const rest = new RestHandler({ store, registry, services, logs: opts.logs ?? noLogs, port: () => port, deleteObject, onWritten });
  const exec = new ExecEndpoint(store, opts.exec ?? noExec, opts.execProtocols);

  const count = (verb: string): void => {
    stats.requests++;
    stats.byVerb[verb] = (stats.byVerb[verb] ?? 0) + 1;
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let r: ReturnType<typeof route> | undefined;
    let routeError: ApiStatusError | undefined;
    try {
      r = route({ registry, port: () => port }, url.pathname);
    } catch (err) {
      routeError = err as ApiStatusError;
    }
    count(r ? verbOf(req.method ?? 'GET', r, url, (req.headers['content-type'] ?? '').toLowerCase()) : 'other');
    if (resetNext > 0) {
      resetNext--;
      req.socket.destroy();
      return;
    }
    if (failNext.n > 0) {
      failNext.n--;
      const message = failNext.message ?? `injected failure: the server answered ${failNext.status}`;
      send(res, { status: failNext.status, body: statusBody(failNext.status, message) });
      return;
    }
    try {
      if (routeError || !r) throw routeError ?? notServed();
      if (r.type === 'text') send(res, { status: r.status ?? 200, body: r.body, contentType: 'text/plain' });
      else if (r.type === 'json') send(res, { status: 200, body: r.body });
      else send(res, await rest.handle(req, url, r));
    } catch (err) {
      const body = err instanceof ApiStatusError ? err.body : statusBody(500, `Internal error occurred: ${(err as Error).message}`);
      send(res, { status: body.code, body });
    }
  };

  // kube-apiserver accepts long exec command lines (1 MiB of headers); Node's default is 16 KiB.
  const server = createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: statusBody(500, (err as Error).message) });
    });
  });
  server.on('upgrade', (req, socket, head) => {
    count('exec');
    stats.execs++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    if (!m) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    exec.upgrade(req, socket, head, url, decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
  });

  for (const name of SYSTEM_NAMESPACES) {
    store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }
  const kubernetesIP = services.kubernetesServiceIP;
  store.put({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: kubernetesIP, clusterIPs: [kubernetesIP], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
    status: { loadBalancer: {} },
  });

  const controllers = opts.controllers === false ? undefined : startControllers({ store, timing, podStartup: opts.podStartup });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    store,
    stats,
    faults: {
      failNext(n: number, status: number, message?: string) {
        failNext = { n, status, ...(message !== undefined ? { message } : {}) };
      },
      resetNext(n: number) {
        resetNext = n;
      },
    },
    kubeconfig(clusterName: string): string {
      const name = `kind-${clusterName}`;
      return [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: ${name}`,
        '  cluster:',
        `    server: ${url}`,
        // client-node refuses plain http unless TLS verification is explicitly off.
        '    insecure-skip-tls-verify: true',
        'contexts:',
        `- name: ${name}`,
        '  context:',
        `    cluster: ${name}`,
        `    user: ${name}`,
        `current-context: ${name}`,
        'preferences: {}',
        'users:',
        `- name: ${name}`,
        '  user:',
        '    token: cnimatrix-sim',
        '',
      ].join('\n');
    },
    setNodeReady(name: string, ready: boolean, reason?: string): void {
      const node = store.get('v1', 'Node', undefined, name);
      if (!node) throw new Error(`setNodeReady: node "${name}" does not exist`);
      const status = (node['status'] as { conditions?: Array<Record<string, unknown>> } | undefined) ?? {};
      const conditions = (status.conditions ?? []).filter((c) => c['type'] !== 'Ready');
      const previous = status.conditions?.find((c) => c['type'] === 'Ready');
      const value = ready ? 'True' : 'False';
      conditions.push({
        type: 'Ready',
        status: value,
        reason: ready ? 'KubeletReady' : 'KubeletNotReady',
        message: ready ? 'kubelet is posting ready status' : (reason ?? 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized'),
        lastHeartbeatTime: timestamp(),
        lastTransitionTime: previous?.['status'] === value ? previous['lastTransitionTime'] : timestamp(),
      });
      const spec = (node['spec'] as { taints?: Array<{ key: string; effect: string }> } | undefined) ?? {};
      const taints = (spec.taints ?? []).filter((t) => t.key !== NOT_READY_TAINT);
      if (!ready) taints.push({ key: NOT_READY_TAINT, effect: 'NoSchedule' });
      const nextSpec: Record<string, unknown> = { ...spec };
      if (taints.length > 0) nextSpec['taints'] = taints;
      else delete nextSpec['taints'];
      store.put({ ...node, spec: nextSpec, status: { ...status, conditions } });
    },
    recordEvent(obj, type, reason, message, component) {
      recordEvent(store, obj, type, reason, message, component);
    },
    async stop(): Promise<void> {
      controllers?.stop();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      exec.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

