// What the API server itself does to an object on write: validation of names and CRDs, defaults
// for new pods, ClusterIP and NodePort allocation for Services.
import { contains, firstFree, parseCidr, type Cidr } from './ipam.ts';
import type { ResourceType } from './resources.ts';
import { ApiStatusError, kindDetails } from './status.ts';
import type { KubeObject, ObjectStore } from './types.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RFC1123_SUBDOMAIN_HELP = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function kindName(t: ResourceType): string {
  return t.group === '' ? t.kind : `${t.kind}.${t.group}`;
}

/** The cause reason field validation gives each kind of detail ("Required value: ..." and so on). */
function causeReason(detail: string): string {
  if (detail.startsWith('Required value')) return 'FieldValueRequired';
  if (detail.startsWith('Unsupported value')) return 'FieldValueNotSupported';
  return 'FieldValueInvalid';
}

function invalid(t: ResourceType, name: string, field: string, detail: string): ApiStatusError {
  return new ApiStatusError(422, `${kindName(t)} "${name}" is invalid: ${field}: ${detail}`, {
    details: kindDetails(t, name, [{ reason: causeReason(detail), message: detail, field }]),
  });
}

export function validateName(t: ResourceType, name: string): void {
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw invalid(t, name, 'metadata.name', `Invalid value: "${name}": ${RFC1123_SUBDOMAIN_HELP}`);
  }
}

export function validateCrd(t: ResourceType, crd: KubeObject): void {
  const spec = crd['spec'] as { group?: string; scope?: string; names?: { plural?: string; kind?: string }; versions?: unknown[] } | undefined;
  const name = crd.metadata.name;
  if (!spec?.group || !spec.names?.plural || !spec.names.kind) throw invalid(t, name, 'spec', 'Required value: group, names.plural and names.kind');
  if (name !== `${spec.names.plural}.${spec.group}`) {
    throw invalid(t, name, 'metadata.name', `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`);
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') throw invalid(t, name, 'spec.scope', `Unsupported value: "${spec.scope}": supported values: "Cluster", "Namespaced"`);
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) throw invalid(t, name, 'spec.versions', 'Required value: must have exactly one version marked as storage version');
}

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
  nodePort?: number;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  [key: string]: unknown;
}

export class ServiceAllocator {
  readonly #cidr: Cidr;
  readonly #store: ObjectStore;

  constructor(serviceSubnet: string, store: ObjectStore) {
    this.#cidr = parseCidr(serviceSubnet);
    this.#store = store;
  }

  /** The address the `kubernetes` Service gets: the first host address of the range. */
  get kubernetesServiceIP(): string {
    return firstFree(this.#cidr, new Set(), 1)!;
  }

  /** Defaults and allocations for a Service being created or updated (`previous` on update). */
  admit(t: ResourceType, svc: KubeObject, previous: KubeObject | undefined): void {
    const spec = ((svc['spec'] as ServiceSpec | undefined) ?? {}) as ServiceSpec;
    svc['spec'] = spec;
    const prevSpec = previous?.['spec'] as ServiceSpec | undefined;
    const others = this.#store.list('v1', 'Service').filter((s) => s.metadata.uid !== previous?.metadata.uid);
    spec.type ??= 'ClusterIP';
    if (spec.type !== 'ExternalName') this.#assignClusterIP(t, svc, spec, prevSpec, others);
    for (const port of spec.ports ?? []) {
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') this.#assignNodePorts(t, svc, spec, prevSpec, others);
  }

  #assignClusterIP(t: ResourceType, svc: KubeObject, spec: ServiceSpec, prevSpec: ServiceSpec | undefined, others: KubeObject[]): void {
    if (prevSpec?.clusterIP && spec.clusterIP !== undefined && spec.clusterIP !== '' && spec.clusterIP !== prevSpec.clusterIP) {
      throw invalid(t, svc.metadata.name, 'spec.clusterIPs[0]', `Invalid value: ${JSON.stringify([spec.clusterIP])}: may not change once set`);
    }
    if (prevSpec?.clusterIP) {
      spec.clusterIP = prevSpec.clusterIP;
    } else if (spec.clusterIP === 'None') {
      // headless: no address
    } else {
      const used = new Set(others.map((s) => (s['spec'] as ServiceSpec | undefined)?.clusterIP).filter((ip): ip is string => !!ip && ip !== 'None'));
      if (spec.clusterIP) {
        if (!contains(this.#cidr, spec.clusterIP)) throw invalid(t, svc.metadata.name, 'spec.clusterIPs', `Invalid value: ${JSON.stringify([spec.clusterIP])}: failed to allocate IP ${spec.clusterIP}: the provided IP is not in the valid range`);
        if (used.has(spec.clusterIP)) throw invalid(t, svc.metadata.name, 'spec.clusterIPs', `Invalid value: ${JSON.stringify([spec.clusterIP])}: failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`);
      } else {
        // Like the real allocator, dynamic addresses come from above the low band kept for static ones.
        const staticBand = Math.max(16, Math.min(Math.floor(this.#cidr.size / 16), 256));
        const ip = firstFree(this.#cidr, used, staticBand) ?? firstFree(this.#cidr, used, 2);
        if (!ip) throw new ApiStatusError(500, `Internal error occurred: failed to allocate a serviceIP: range is full`);
        spec.clusterIP = ip;
      }
    }
    spec.clusterIPs = [spec.clusterIP!];
    spec['ipFamilies'] ??= ['IPv4'];
    spec['ipFamilyPolicy'] ??= 'SingleStack';
    spec['sessionAffinity'] ??= 'None';
    spec['internalTrafficPolicy'] ??= 'Cluster';
  }

  #assignNodePorts(t: ResourceType, svc: KubeObject, spec: ServiceSpec, prevSpec: ServiceSpec | undefined, others: KubeObject[]): void {
    const used = new Set<number>();
    for (const s of others) for (const p of ((s['spec'] as ServiceSpec | undefined)?.ports ?? [])) if (p.nodePort) used.add(p.nodePort);
    spec['externalTrafficPolicy'] ??= 'Cluster';
    for (const [i, port] of (spec.ports ?? []).entries()) {
      const previousPort = prevSpec?.ports?.find((p) => p.port === port.port && (p.protocol ?? 'TCP') === port.protocol)?.nodePort;
      if (port.nodePort === undefined && previousPort) port.nodePort = previousPort;
      if (port.nodePort !== undefined) {
        if (port.nodePort < NODE_PORT_MIN || port.nodePort > NODE_PORT_MAX) {
          throw invalid(t, svc.metadata.name, `spec.ports[${i}].nodePort`, `Invalid value: ${port.nodePort}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
        }
        if (used.has(port.nodePort) && port.nodePort !== previousPort) {
          throw invalid(t, svc.metadata.name, `spec.ports[${i}].nodePort`, `Invalid value: ${port.nodePort}: provided port is already allocated`);
        }
      } else {
        let candidate = NODE_PORT_MIN;
        while (used.has(candidate) && candidate <= NODE_PORT_MAX) candidate++;
        if (candidate > NODE_PORT_MAX) throw new ApiStatusError(500, 'Internal error occurred: failed to allocate a nodePort: range is full');
        port.nodePort = candidate;
      }
      used.add(port.nodePort);
    }
  }
}
