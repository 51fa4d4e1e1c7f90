// API discovery: which path serves a kind (plural name, namespaced or not), learned from /api/v1
// and /apis/<group>/<version>, cached per adapter and refreshed when a kind is missing (a CRD that
// became Established since the last look).
import type { KubeHttp } from './http.ts';
import { isNotFound, KubeApiError } from './errors.ts';

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** API groups Kubernetes itself serves (never from a CRD); "" is the core group. */
const BUILT_IN_GROUPS = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'discovery.k8s.io', 'rbac.authorization.k8s.io',
  'apiextensions.k8s.io', 'admissionregistration.k8s.io', 'storage.k8s.io', 'scheduling.k8s.io', 'node.k8s.io',
  'coordination.k8s.io', 'certificates.k8s.io', 'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'resource.k8s.io',
]);

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

export class Discovery {
  readonly #http: KubeHttp;
  readonly #cache = new Map<string, Map<string, ResourceInfo>>();

  constructor(http: KubeHttp) {
    this.#http = http;
  }

  async #load(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    const kinds = new Map<string, ResourceInfo>();
    try {
      const list = await this.#http.json<ApiResourceList>({ method: 'GET', path: groupVersionPath(apiVersion), verb: 'discover', ref: apiVersion });
      for (const r of list.resources) if (!r.name.includes('/')) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.#cache.set(apiVersion, kinds);
    return kinds;
  }

  /** Throws a 404 KubeApiError when the server has no such kind (e.g. its CRD is not installed, or the server is too old). */
  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let kinds = this.#cache.get(apiVersion);
    let info = kinds?.get(kind);
    if (!info) {
      kinds = await this.#load(apiVersion);
      info = kinds.get(kind);
    }
    if (!info) {
      throw new KubeApiError({
        verb: 'discover',
        ref: `${kind} (${apiVersion})`,
        status: 404,
        reason: 'NotFound',
        apiMessage: `the server has no resource type for kind ${kind} in ${apiVersion} (${BUILT_IN_GROUPS.has(groupOf(apiVersion)) ? 'a built-in API: this server does not serve it, perhaps too old or with it disabled; `kubectl api-versions` lists what it serves' : 'is its CustomResourceDefinition installed and Established?'})`,
      });
    }
    return info;
  }

  /** Forget what is known about a group-version (after its CRD changed). */
  invalidate(apiVersion: string): void {
    this.#cache.delete(apiVersion);
  }
}
