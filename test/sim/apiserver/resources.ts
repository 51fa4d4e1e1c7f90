// Resource types the fake API server serves: the built-in kinds plus CRDs once Established.
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name used in paths. */
  plural: string;
  singular: string;
  namespaced: boolean;
  /** Has a /status subresource: main-resource writes keep status, /status writes change only status. */
  statusSubresource: boolean;
  shortNames?: string[];
}

export function apiVersionOf(t: ResourceType): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

function builtin(group: string, version: string, kind: string, plural: string, namespaced: boolean, statusSubresource: boolean, shortNames?: string[]): ResourceType {
  return { group, version, kind, plural, singular: kind.toLowerCase(), namespaced, statusSubresource, ...(shortNames ? { shortNames } : {}) };
}

export const BUILTIN_TYPES: ResourceType[] = [
  builtin('', 'v1', 'Namespace', 'namespaces', false, true, ['ns']),
  builtin('', 'v1', 'Node', 'nodes', false, true, ['no']),
  builtin('', 'v1', 'Pod', 'pods', true, true, ['po']),
  builtin('', 'v1', 'Service', 'services', true, true, ['svc']),
  builtin('', 'v1', 'Endpoints', 'endpoints', true, false, ['ep']),
  builtin('', 'v1', 'ConfigMap', 'configmaps', true, false, ['cm']),
  builtin('', 'v1', 'Secret', 'secrets', true, false),
  builtin('', 'v1', 'ServiceAccount', 'serviceaccounts', true, false, ['sa']),
  builtin('', 'v1', 'Event', 'events', true, false, ['ev']),
  builtin('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true, false),
  builtin('apps', 'v1', 'Deployment', 'deployments', true, true, ['deploy']),
  builtin('apps', 'v1', 'DaemonSet', 'daemonsets', true, true, ['ds']),
  builtin('apps', 'v1', 'ReplicaSet', 'replicasets', true, true, ['rs']),
  builtin('batch', 'v1', 'Job', 'jobs', true, true),
  builtin('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, false, ['netpol']),
  builtin('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, true, ['ing']),
  builtin('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false, false),
  builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, true, ['crd', 'crds']),
  builtin('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false, false),
  builtin('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false, false),
  builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true, false),
  builtin('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true, false),
  builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false, false),
  builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false, false),
  builtin('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, true, ['pdb']),
  builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', true, false),
];

interface CrdVersion {
  name: string;
  served?: boolean;
  subresources?: { status?: unknown };
}

interface CrdSpec {
  group: string;
  scope: string;
  names: { kind: string; plural: string; singular?: string; shortNames?: string[] };
  versions: CrdVersion[];
}

/** The served versions of a CRD as resource types. */
export function typesOfCrd(spec: CrdSpec): ResourceType[] {
  return spec.versions
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      kind: spec.names.kind,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      statusSubresource: v.subresources?.status !== undefined,
      ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
    }));
}

export class ResourceRegistry {
  #types: ResourceType[] = [...BUILTIN_TYPES];
  /** CRD name → the types it contributed. */
  #crds = new Map<string, ResourceType[]>();

  all(): ResourceType[] {
    return this.#types;
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.#types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  groupVersions(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const t of this.#types) {
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return groups;
  }

  serveCrd(name: string, spec: CrdSpec): void {
    this.removeCrd(name);
    const types = typesOfCrd(spec);
    this.#crds.set(name, types);
    this.#types.push(...types);
  }

  removeCrd(name: string): ResourceType[] {
    const types = this.#crds.get(name) ?? [];
    this.#crds.delete(name);
    this.#types = this.#types.filter((t) => !types.includes(t));
    return types;
  }
}
