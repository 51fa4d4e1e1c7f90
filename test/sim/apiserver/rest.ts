// The REST surface: path routing, discovery, CRUD verbs, server-side apply, status subresources,
// logs. Exec upgrades are handled in exec.ts.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ServiceAllocator, validateCrd, validateName } from './admission.ts';
import { mergePatch, recordUpdate, sameApartFromWriteTimes, serverSideApply } from './fields.ts';
import { apiVersionOf, type ResourceRegistry, type ResourceType } from './resources.ts';
import { locateExec } from './exec.ts';
import { alreadyExists, ApiStatusError, kindDetails, notFound, notServed, qualifiedResource, resourceDetails, statusBody } from './status.ts';
import { clone, type MemoryStore } from './store.ts';
import type { KubeObject, LogHandler } from './types.ts';

export type Route =
  | { type: 'text'; body: string; status?: number }
  | { type: 'json'; body: unknown }
  | { type: 'resource'; rt: ResourceType; namespace?: string; name?: string; sub?: string };

export interface RestContext {
  store: MemoryStore;
  registry: ResourceRegistry;
  services: ServiceAllocator;
  logs: LogHandler;
  port: () => number;
  /** Namespace deletion, CRD removal and garbage collection live with the server's lifecycle. */
  deleteObject: (rt: ResourceType, obj: KubeObject, propagation: string) => KubeObject;
  onWritten: (rt: ResourceType, obj: KubeObject) => void;
}

export interface RestResponse {
  status: number;
  body: unknown;
  contentType?: string;
}

const VERSION = { major: '1', minor: '36', gitVersion: 'v1.36.1', platform: 'linux/amd64', goVersion: 'go1.25' };

/** Outside the groups it serves, the real server's mux answers a plain-text 404, not a Status. */
const PAGE_NOT_FOUND: Route = { type: 'text', body: '404 page not found\n', status: 404 };

function resourceList(registry: ResourceRegistry, group: string, version: string): unknown {
  const resources: unknown[] = [];
  for (const t of registry.all().filter((r) => r.group === group && r.version === version)) {
    const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update'];
    resources.push({ name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs, ...(t.shortNames ? { shortNames: t.shortNames } : {}) });
    if (t.statusSubresource) resources.push({ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
    if (t.kind === 'Pod') {
      resources.push({ name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] });
      resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}

/** Maps a URL path to discovery documents or a resource reference; throws 404 for anything else. */
export function route(ctx: Pick<RestContext, 'registry' | 'port'>, pathname: string): Route {
  const segs = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  const [first] = segs;
  if (segs.length === 1 && (first === 'healthz' || first === 'readyz' || first === 'livez')) return { type: 'text', body: 'ok' };
  if (segs.length === 1 && first === 'version') return { type: 'json', body: VERSION };
  const groups = ctx.registry.groupVersions();
  let group: string;
  let version: string;
  let rest: string[];
  if (first === 'api') {
    if (segs.length === 1) {
      return { type: 'json', body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${ctx.port()}` }] } };
    }
    [group, version, rest] = ['', segs[1]!, segs.slice(2)];
  } else if (first === 'apis') {
    if (segs.length === 1) {
      const list = [...groups].filter(([g]) => g !== '').map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      }));
      return { type: 'json', body: { kind: 'APIGroupList', apiVersion: 'v1', groups: list } };
    }
    if (segs.length === 2) {
      const versions = groups.get(segs[1]!);
      if (!versions || segs[1] === '') return PAGE_NOT_FOUND;
      const versionList = versions.map((v) => ({ groupVersion: `${segs[1]}/${v}`, version: v }));
      return { type: 'json', body: { kind: 'APIGroup', apiVersion: 'v1', name: segs[1], versions: versionList, preferredVersion: versionList[0] } };
    }
    [group, version, rest] = [segs[1]!, segs[2]!, segs.slice(3)];
  } else {
    return PAGE_NOT_FOUND;
  }
  if (group !== '' && !groups.has(group)) return PAGE_NOT_FOUND;
  if (!groups.get(group)?.includes(version)) throw notServed();
  if (rest.length === 0) return { type: 'json', body: resourceList(ctx.registry, group, version) };

  let namespace: string | undefined;
  let plural: string;
  let name: string | undefined;
  let sub: string | undefined;
  const isNamespaceItself = rest[0] === 'namespaces' && (rest.length <= 2 || (rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize')));
  if (rest[0] === 'namespaces' && !isNamespaceItself) {
    [namespace, plural, name, sub] = [rest[1], rest[2]!, rest[3], rest[4]];
    if (rest.length > 5) throw notServed();
  } else {
    [plural, name, sub] = [rest[0]!, rest[1], rest[2]];
    if (rest.length > 3) throw notServed();
  }
  const rt = ctx.registry.byPlural(group, version, plural);
  if (!rt || (namespace !== undefined && !rt.namespaced)) throw notServed();
  if (sub !== undefined && sub !== 'status' && !(rt.kind === 'Pod' && (sub === 'exec' || sub === 'log'))) throw notServed();
  if (sub === 'status' && !rt.statusSubresource) throw notServed();
  return { type: 'resource', rt, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}), ...(sub !== undefined ? { sub } : {}) };
}

export function verbOf(method: string, r: Route, url: URL, contentType: string): string {
  if (r.type !== 'resource') return 'discovery';
  if (r.sub === 'exec') return 'exec';
  if (r.sub === 'log') return 'log';
  switch (method) {
    case 'GET':
      return r.name === undefined ? (url.searchParams.get('watch') === 'true' ? 'watch' : 'list') : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return contentType.startsWith('application/apply-patch') ? 'apply' : 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'other';
  }
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  try {
    const parsed: unknown = contentType.includes('yaml') ? parseYaml(raw) : JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('body is not an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ApiStatusError(400, `the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp'] as const;

export class RestHandler {
  readonly #ctx: RestContext;

  constructor(ctx: RestContext) {
    this.#ctx = ctx;
  }

  async handle(req: IncomingMessage, url: URL, r: Extract<Route, { type: 'resource' }>): Promise<RestResponse> {
    const method = req.method ?? 'GET';
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    const needsBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    const raw = needsBody || method === 'DELETE' ? await readBody(req) : '';
    const { rt } = r;
    if (r.sub === 'log') {
      if (method !== 'GET') throw new ApiStatusError(405, `the server does not allow this method on the requested resource`);
      return this.#log(r, url);
    }
    if (r.sub === 'exec') {
      const refused = locateExec(this.#ctx.store, r.namespace!, r.name!, url);
      const body = 'kind' in refused ? refused : statusBody(400, 'Upgrade request required');
      return { status: body.code, body };
    }
    if (r.name === undefined) {
      if (method === 'GET') {
        if (url.searchParams.get('watch') === 'true') throw new ApiStatusError(405, 'watch is not supported by this server');
        return { status: 200, body: this.#list(r, url) };
      }
      if (method === 'POST') return this.#create(r, parseBody(raw, contentType), url);
      throw new ApiStatusError(405, 'the server does not allow this method on the requested resource');
    }
    switch (method) {
      case 'GET':
        return { status: 200, body: this.#mustGet(rt, r.namespace, r.name) };
      case 'PUT':
        return this.#update(r, parseBody(raw, contentType), url);
      case 'PATCH':
        return this.#patch(r, parseBody(raw, contentType), url, contentType);
      case 'DELETE': {
        const options = raw.trim() === '' ? {} : parseBody(raw, 'application/json');
        const propagation = url.searchParams.get('propagationPolicy') ?? (options['propagationPolicy'] as string | undefined) ?? 'Background';
        const current = this.#mustGet(rt, r.namespace, r.name);
        return { status: 200, body: this.#ctx.deleteObject(rt, current, propagation) };
      }
      default:
        throw new ApiStatusError(405, 'the server does not allow this method on the requested resource');
    }
  }

  #mustGet(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.#ctx.store.get(apiVersionOf(rt), rt.kind, namespace, name);
    if (!obj) throw notFound(rt, name);
    return obj;
  }

  #list(r: Extract<Route, { type: 'resource' }>, url: URL): unknown {
    const { rt } = r;
    let items: KubeObject[];
    try {
      items = this.#ctx.store.list(apiVersionOf(rt), rt.kind, {
        ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
        ...(url.searchParams.get('labelSelector') ? { labelSelector: url.searchParams.get('labelSelector')! } : {}),
        ...(url.searchParams.get('fieldSelector') ? { fieldSelector: url.searchParams.get('fieldSelector')! } : {}),
      });
    } catch (err) {
      throw new ApiStatusError(400, (err as Error).message);
    }
    return {
      apiVersion: apiVersionOf(rt),
      kind: `${rt.kind}List`,
      metadata: { resourceVersion: String(this.#ctx.store.resourceVersion) },
      items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    };
  }

  /** apiVersion/kind/name/namespace of a written object must agree with the request path. */
  #checkIdentity(r: Extract<Route, { type: 'resource' }>, body: Record<string, unknown>): KubeObject {
    const { rt } = r;
    const expected = apiVersionOf(rt);
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== expected) {
      throw new ApiStatusError(400, `the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${expected})`);
    }
    if (body['kind'] !== undefined && body['kind'] !== rt.kind) {
      throw new ApiStatusError(400, `the kind in the data (${String(body['kind'])}) does not match the expected kind (${rt.kind})`);
    }
    const metadata = (body['metadata'] as Record<string, unknown> | undefined) ?? {};
    const obj = { ...body, apiVersion: expected, kind: rt.kind, metadata } as KubeObject;
    if (rt.namespaced) {
      if (metadata['namespace'] !== undefined && metadata['namespace'] !== r.namespace) {
        throw new ApiStatusError(400, 'the namespace of the provided object does not match the namespace sent on the request');
      }
      if (r.namespace === undefined) throw new ApiStatusError(404, 'the server could not find the requested resource');
      obj.metadata.namespace = r.namespace;
    } else {
      delete obj.metadata.namespace;
    }
    if (r.name !== undefined) {
      if (metadata['name'] !== undefined && metadata['name'] !== r.name) {
        throw new ApiStatusError(400, `the name of the object (${String(metadata['name'])}) does not match the name on the URL (${r.name})`);
      }
      obj.metadata.name = r.name;
    }
    return obj;
  }

  #requireLiveNamespace(rt: ResourceType, obj: KubeObject): void {
    if (!rt.namespaced) return;
    const ns = this.#ctx.store.get('v1', 'Namespace', undefined, obj.metadata.namespace!);
    if (!ns) throw new ApiStatusError(404, `namespaces "${obj.metadata.namespace}" not found`, { details: resourceDetails({ group: '', plural: 'namespaces' }, obj.metadata.namespace!) });
    if ((ns['status'] as { phase?: string } | undefined)?.phase === 'Terminating') {
      const cause = { reason: 'NamespaceTerminating', message: `namespace ${obj.metadata.namespace} is being terminated`, field: 'metadata.namespace' };
      throw new ApiStatusError(403, `${qualifiedResource(rt)} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${obj.metadata.namespace} because it is being terminated`, { details: resourceDetails(rt, obj.metadata.name, [cause]) });
    }
  }

  /** Server-side defaults and checks shared by every write; `previous` is the stored object on update. */
  #admit(rt: ResourceType, obj: KubeObject, previous: KubeObject | undefined): void {
    for (const key of SERVER_METADATA) delete obj.metadata[key];
    if (previous) {
      obj.metadata.uid = previous.metadata.uid;
      obj.metadata['creationTimestamp'] = previous.metadata['creationTimestamp'];
      if (previous.metadata['deletionTimestamp']) obj.metadata['deletionTimestamp'] = previous.metadata['deletionTimestamp'];
    } else {
      validateName(rt, obj.metadata.name);
      this.#requireLiveNamespace(rt, obj);
    }
    if (rt.kind === 'Service') this.#ctx.services.admit(rt, obj, previous);
    if (rt.kind === 'CustomResourceDefinition') validateCrd(rt, obj);
    if (rt.kind === 'Namespace') {
      obj['spec'] = previous?.['spec'] ?? { finalizers: ['kubernetes'] };
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
    }
    if (!previous && rt.kind === 'Pod') obj['status'] = { phase: 'Pending', qosClass: 'BestEffort' };
    if (!previous && rt.kind === 'Namespace') obj['status'] = { phase: 'Active' };
  }

  /** Status of a resource with a status subresource changes only through /status, and vice versa. */
  #splitStatus(rt: ResourceType, sub: string | undefined, incoming: KubeObject, previous: KubeObject | undefined): void {
    if (!rt.statusSubresource) return;
    if (sub === 'status') {
      if (!previous) return;
      const status = incoming['status'];
      for (const key of Object.keys(incoming)) delete incoming[key];
      Object.assign(incoming, clone(previous), { status });
    } else if (previous) {
      if (previous['status'] === undefined) delete incoming['status'];
      else incoming['status'] = clone(previous['status']);
    } else {
      delete incoming['status'];
    }
  }

  #write(rt: ResourceType, obj: KubeObject): KubeObject {
    const stored = this.#ctx.store.put(obj);
    this.#ctx.onWritten(rt, stored);
    return stored;
  }

  #create(r: Extract<Route, { type: 'resource' }>, body: Record<string, unknown>, url: URL): RestResponse {
    const { rt } = r;
    const obj = this.#checkIdentity(r, body);
    if (!obj.metadata.name) {
      const generateName = obj.metadata['generateName'];
      if (typeof generateName !== 'string' || generateName === '') {
        const detail = 'Required value: name or generateName is required';
        throw new ApiStatusError(422, `${rt.kind} "" is invalid: metadata.name: ${detail}`, { details: kindDetails(rt, '', [{ reason: 'FieldValueRequired', message: detail, field: 'metadata.name' }]) });
      }
      obj.metadata.name = `${generateName}${randomSuffix()}`;
    }
    const existing = this.#ctx.store.get(apiVersionOf(rt), rt.kind, obj.metadata.namespace, obj.metadata.name);
    if (existing) throw alreadyExists(rt, obj.metadata.name, existing.metadata['deletionTimestamp'] !== undefined);
    this.#splitStatus(rt, undefined, obj, undefined);
    this.#admit(rt, obj, undefined);
    recordUpdate(undefined, obj, url.searchParams.get('fieldManager') ?? 'unknown');
    return { status: 201, body: this.#write(rt, obj) };
  }

  #update(r: Extract<Route, { type: 'resource' }>, body: Record<string, unknown>, url: URL): RestResponse {
    const { rt } = r;
    const previous = this.#mustGet(rt, r.namespace, r.name!);
    const obj = this.#checkIdentity(r, body);
    this.#checkResourceVersion(rt, obj, previous);
    obj.metadata['managedFields'] = previous.metadata['managedFields'];
    this.#splitStatus(rt, r.sub, obj, previous);
    const managed = obj.metadata['managedFields'];
    this.#admit(rt, obj, previous);
    obj.metadata['managedFields'] = managed;
    recordUpdate(previous, obj, url.searchParams.get('fieldManager') ?? 'unknown', r.sub);
    return { status: 200, body: this.#write(rt, obj) };
  }

  #checkResourceVersion(rt: ResourceType, obj: KubeObject, previous: KubeObject): void {
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== previous.metadata.resourceVersion) {
      throw new ApiStatusError(409, `Operation cannot be fulfilled on ${qualifiedResource(rt)} "${obj.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`, { details: resourceDetails(rt, obj.metadata.name) });
    }
  }

  #patch(r: Extract<Route, { type: 'resource' }>, body: Record<string, unknown>, url: URL, contentType: string): RestResponse {
    const { rt } = r;
    const previous = this.#ctx.store.get(apiVersionOf(rt), rt.kind, r.namespace, r.name!);
    if (contentType.startsWith('application/apply-patch')) return this.#apply(r, body, url, previous);
    if (!contentType.startsWith('application/merge-patch+json') && !contentType.startsWith('application/strategic-merge-patch+json')) {
      throw new ApiStatusError(415, `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml`);
    }
    if (!previous) throw notFound(rt, r.name!);
    const merged = mergePatch(previous as unknown as Record<string, unknown>, body) as unknown as KubeObject;
    const obj = this.#checkIdentity(r, merged as unknown as Record<string, unknown>);
    const patchRv = (body['metadata'] as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (patchRv !== undefined) this.#checkResourceVersion(rt, { ...obj, metadata: { ...obj.metadata, resourceVersion: patchRv } }, previous);
    this.#splitStatus(rt, r.sub, obj, previous);
    const managed = previous.metadata['managedFields'];
    this.#admit(rt, obj, previous);
    if (managed) obj.metadata['managedFields'] = managed;
    recordUpdate(previous, obj, url.searchParams.get('fieldManager') ?? 'unknown', r.sub);
    return { status: 200, body: this.#write(rt, obj) };
  }

  #apply(r: Extract<Route, { type: 'resource' }>, body: Record<string, unknown>, url: URL, previous: KubeObject | undefined): RestResponse {
    const { rt } = r;
    const manager = url.searchParams.get('fieldManager');
    if (!manager) {
      const detail = 'Required value: is required for apply patch';
      throw new ApiStatusError(422, `PatchOptions.meta.k8s.io "" is invalid: fieldManager: ${detail}`, {
        details: kindDetails({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ reason: 'FieldValueRequired', message: detail, field: 'fieldManager' }]),
      });
    }
    if (body['apiVersion'] === undefined || body['kind'] === undefined) {
      throw new ApiStatusError(400, 'apiVersion and kind must be set in an apply request');
    }
    if (r.sub === 'status' && !previous) throw notFound(rt, r.name!);
    const applied = this.#checkIdentity(r, body);
    for (const key of SERVER_METADATA) delete applied.metadata[key];
    if (rt.statusSubresource) {
      if (r.sub === 'status') {
        for (const key of Object.keys(applied)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(key)) delete applied[key];
      } else {
        delete applied['status'];
      }
    }
    const force = url.searchParams.get('force') === 'true';
    const result = serverSideApply(previous, applied, manager, force, r.sub);
    if ('conflicts' in result) {
      const n = result.conflicts.length;
      const lines = result.conflicts.map((c) => `conflict with "${c.manager}": ${c.path}`);
      // The real server names no object in the details of an apply conflict, only the fields.
      throw new ApiStatusError(409, `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${lines.join('\n')}`, {
        details: { causes: result.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: c.path })) },
      });
    }
    const obj = result.object;
    if (previous) obj.metadata.uid = previous.metadata.uid;
    const managed = obj.metadata['managedFields'];
    this.#admit(rt, obj, previous);
    obj.metadata['managedFields'] = managed;
    // An apply that changes nothing is not written: same resourceVersion, managedFields times kept.
    if (previous && sameApartFromWriteTimes(previous, obj)) return { status: 200, body: previous };
    return { status: previous ? 200 : 201, body: this.#write(rt, obj) };
  }

  #log(r: Extract<Route, { type: 'resource' }>, url: URL): RestResponse {
    const pod = this.#mustGet(r.rt, r.namespace, r.name!);
    const containers = ((pod['spec'] as { containers?: Array<{ name: string }> } | undefined)?.containers ?? []).map((c) => c.name);
    let container = url.searchParams.get('container') ?? '';
    if (container === '') {
      if (containers.length !== 1) {
        throw new ApiStatusError(400, `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`);
      }
      container = containers[0]!;
    }
    if (!containers.includes(container)) throw new ApiStatusError(400, `container ${container} is not valid for pod ${pod.metadata.name}`);
    const previous = url.searchParams.get('previous') === 'true';
    let text = this.#ctx.logs({ pod, container, previous, store: this.#ctx.store });
    const tail = url.searchParams.get('tailLines');
    if (tail !== null) {
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const n = Math.max(0, Number(tail));
      text = lines.slice(Math.max(0, lines.length - n)).map((l) => `${l}\n`).join('');
      if (n === 0) text = '';
    }
    return { status: 200, body: text, contentType: 'text/plain' };
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

