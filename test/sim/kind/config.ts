// Decoding and validation of a kind v1alpha4 Cluster config, with kind's defaults and error
// texts: unknown fields are rejected (kind decodes strictly), invalid values name the field.
import { parse } from 'yaml';

export const DEFAULT_NODE_IMAGE =
  'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5';

export type KubeProxyMode = 'iptables' | 'ipvs' | 'nftables' | 'none';

export interface KindNode {
  role: 'control-plane' | 'worker';
  image: string;
  labels: Record<string, string>;
  extraPortMappings: { containerPort: number; hostPort?: number; listenAddress?: string; protocol?: string }[];
}

export interface KindConfig {
  name?: string;
  networking: {
    ipFamily: 'ipv4' | 'ipv6' | 'dual';
    apiServerAddress: string;
    podSubnet: string;
    serviceSubnet: string;
    disableDefaultCNI: boolean;
    kubeProxyMode: KubeProxyMode;
  };
  nodes: KindNode[];
}

export class KindConfigError extends Error {}

const TOP_FIELDS = [
  'kind', 'apiVersion', 'name', 'featureGates', 'runtimeConfig', 'networking', 'nodes',
  'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902', 'containerdConfigPatches',
  'containerdConfigPatchesJSON6902',
];
const NETWORKING_FIELDS = [
  'ipFamily', 'apiServerPort', 'apiServerAddress', 'podSubnet', 'serviceSubnet',
  'disableDefaultCNI', 'kubeProxyMode', 'dnsSearch',
];
const NODE_FIELDS = [
  'role', 'image', 'labels', 'extraMounts', 'extraPortMappings', 'kubeadmConfigPatches',
  'kubeadmConfigPatchesJSON6902',
];
const PORT_MAPPING_FIELDS = ['containerPort', 'hostPort', 'listenAddress', 'protocol'];
const PROXY_MODES: readonly string[] = ['iptables', 'ipvs', 'nftables', 'none'];
const NAME_PATTERN = /^[a-z0-9.-]+$/;

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// kind decodes through sigs.k8s.io/yaml in strict mode; this is the text that produces.
function rejectUnknown(obj: Raw, known: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      throw new KindConfigError(
        `unable to decode config: error unmarshaling JSON: while decoding JSON: json: unknown field "${key}"`,
      );
    }
  }
}

function typeError(field: string, expected: string, value: unknown): KindConfigError {
  return new KindConfigError(
    `unable to decode config: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${typeof value} into Go struct field ${field} of type ${expected}`,
  );
}

function optionalString(obj: Raw, key: string, field: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw typeError(field, 'string', value);
  return value;
}

function isCidr(value: string): boolean {
  return value.split(',').every((part) => {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(part.trim());
    if (match) return match.slice(1, 5).every((o) => Number(o) <= 255) && Number(match[5]) <= 32;
    return /^[0-9a-fA-F:]+\/\d{1,3}$/.test(part.trim());
  });
}

/** Parses config text (YAML or JSON); an empty text gives kind's default single-node cluster. */
export function parseKindConfig(text: string): KindConfig {
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : parse(text);
  } catch (error) {
    throw new KindConfigError(`unable to decode config: ${(error as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isObject(doc)) throw new KindConfigError('unable to decode config: config is not a YAML mapping');
  if (text.trim() !== '') {
    const kind = doc.kind;
    const apiVersion = doc.apiVersion;
    if (kind !== 'Cluster') {
      throw new KindConfigError(`unable to decode config: unknown kind "${String(kind ?? '')}" for apiVersion: "${String(apiVersion ?? '')}"`);
    }
    if (apiVersion !== 'kind.x-k8s.io/v1alpha4') {
      throw new KindConfigError(`unable to decode config: unknown apiVersion: ${String(apiVersion ?? '')}`);
    }
  }
  rejectUnknown(doc, TOP_FIELDS);
  const name = optionalString(doc, 'name', 'Cluster.name');

  const net = doc.networking ?? {};
  if (!isObject(net)) throw typeError('Cluster.networking', 'v1alpha4.Networking', net);
  rejectUnknown(net, NETWORKING_FIELDS);
  const ipFamily = optionalString(net, 'ipFamily', 'Networking.ipFamily') ?? 'ipv4';
  const disableDefaultCNI = net.disableDefaultCNI ?? false;
  if (typeof disableDefaultCNI !== 'boolean') throw typeError('Networking.disableDefaultCNI', 'bool', disableDefaultCNI);
  const networking: KindConfig['networking'] = {
    ipFamily: ipFamily as KindConfig['networking']['ipFamily'],
    apiServerAddress: optionalString(net, 'apiServerAddress', 'Networking.apiServerAddress') ?? '127.0.0.1',
    // kind's v1alpha4 defaults per family; dual-stack lists IPv4 first.
    podSubnet:
      optionalString(net, 'podSubnet', 'Networking.podSubnet') ??
      (ipFamily === 'ipv6' ? 'fd00:10:244::/56' : ipFamily === 'dual' ? '10.244.0.0/16,fd00:10:244::/56' : '10.244.0.0/16'),
    serviceSubnet:
      optionalString(net, 'serviceSubnet', 'Networking.serviceSubnet') ??
      (ipFamily === 'ipv6' ? 'fd00:10:96::/112' : ipFamily === 'dual' ? '10.96.0.0/16,fd00:10:96::/112' : '10.96.0.0/16'),
    disableDefaultCNI,
    kubeProxyMode: (optionalString(net, 'kubeProxyMode', 'Networking.kubeProxyMode') ?? 'iptables') as KubeProxyMode,
  };

  const rawNodes = doc.nodes ?? [{ role: 'control-plane' }];
  if (!Array.isArray(rawNodes)) throw typeError('Cluster.nodes', '[]v1alpha4.Node', rawNodes);
  const nodes = rawNodes.map((raw, i): KindNode => {
    if (!isObject(raw)) throw typeError(`Cluster.nodes[${i}]`, 'v1alpha4.Node', raw);
    rejectUnknown(raw, NODE_FIELDS);
    const labels = raw.labels ?? {};
    if (!isObject(labels)) throw typeError('Node.labels', 'map[string]string', labels);
    const mappings = raw.extraPortMappings ?? [];
    if (!Array.isArray(mappings)) throw typeError('Node.extraPortMappings', '[]v1alpha4.PortMapping', mappings);
    for (const mapping of mappings) {
      if (!isObject(mapping)) throw typeError('Node.extraPortMappings', 'v1alpha4.PortMapping', mapping);
      rejectUnknown(mapping, PORT_MAPPING_FIELDS);
    }
    return {
      role: (optionalString(raw, 'role', 'Node.role') ?? 'control-plane') as KindNode['role'],
      image: optionalString(raw, 'image', 'Node.image') ?? DEFAULT_NODE_IMAGE,
      labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
      extraPortMappings: mappings as KindNode['extraPortMappings'],
    };
  });
  const config: KindConfig = { networking, nodes };
  if (name !== undefined) config.name = name;
  return config;
}

/** kind's validate.go checks, collected into one aggregate message like kind prints. */
export function validateKindConfig(config: KindConfig, clusterName: string): void {
  const errors: string[] = [];
  if (!NAME_PATTERN.test(clusterName)) {
    errors.push(`'${clusterName}' is not a valid cluster name, cluster names must match \`^[a-z0-9.-]+$\``);
  }
  const net = config.networking;
  if (!['ipv4', 'ipv6', 'dual'].includes(net.ipFamily)) errors.push(`invalid ipFamily: ${net.ipFamily}`);
  if (!PROXY_MODES.includes(net.kubeProxyMode)) errors.push(`invalid kubeProxyMode: ${net.kubeProxyMode}`);
  if (!isCidr(net.podSubnet)) errors.push(`invalid podSubnet: ${net.podSubnet}`);
  if (!isCidr(net.serviceSubnet)) errors.push(`invalid serviceSubnet: ${net.serviceSubnet}`);
  let controlPlanes = 0;
  const fixedHostPorts = new Set<string>();
  config.nodes.forEach((node) => {
    if (node.role === 'control-plane') controlPlanes++;
    else if (node.role !== 'worker') errors.push(`invalid role: ${String(node.role)}`);
    for (const m of node.extraPortMappings) {
      const protocol = m.protocol ?? 'TCP';
      if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) errors.push(`invalid port mapping protocol: ${protocol}`);
      if (m.hostPort !== undefined && m.hostPort > 0) {
        const key = `${m.listenAddress ?? '0.0.0.0'}:${m.hostPort}/${protocol}`;
        if (fixedHostPorts.has(key)) errors.push(`invalid portMapping: port ${m.hostPort} is already in use`);
        fixedHostPorts.add(key);
      }
    }
  });
  if (controlPlanes === 0) errors.push('must have at least one control-plane role node');
  if (errors.length === 1) throw new KindConfigError(errors[0]!);
  if (errors.length > 1) throw new KindConfigError(`[${errors.join(', ')}]`);
}

/** The Kubernetes version a node image carries, from its tag (kindest/node:v1.37.0@sha256:...). */
export function imageVersion(image: string): string {
  const match = /:(v\d+\.\d+\.\d+[^@]*)/.exec(image);
  return match?.[1] ?? 'v1.37.0';
}
