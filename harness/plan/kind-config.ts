// kind v1alpha4 Cluster configs for cells, and a validator that mirrors kind's own checks so a bad
// config is caught at plan time instead of by `kind create cluster`.

import { isIPv4, isIPv6 } from 'node:net';
import YAML from 'yaml';
import type { ProxyMode } from '../model/cell.ts';

export const KIND_API_VERSION = 'kind.x-k8s.io/v1alpha4';
export const DEFAULT_SERVICE_SUBNET = '10.96.0.0/16';

export interface KindMount {
  containerPath: string;
  hostPath: string;
  readOnly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: 'None' | 'HostToContainer' | 'Bidirectional';
}

export interface KindNode {
  role: 'control-plane' | 'worker';
  image?: string;
  labels?: Record<string, string>;
  extraMounts?: KindMount[];
}

export interface KindConfig {
  kind: 'Cluster';
  apiVersion: typeof KIND_API_VERSION;
  name: string;
  networking: {
    disableDefaultCNI: boolean;
    podSubnet: string;
    serviceSubnet: string;
    kubeProxyMode: ProxyMode;
  };
  nodes: KindNode[];
}

export interface KindConfigInput {
  name: string;
  nodeImage: string;
  workers: number;
  disableDefaultCNI: boolean;
  podSubnet: string;
  serviceSubnet?: string;
  kubeProxyMode: ProxyMode;
  /** Label for the control-plane node (ingress-ready=true). */
  controlPlaneLabels: Record<string, string>;
  /** Mounted into every node. */
  extraMounts: KindMount[];
}

export function buildKindConfig(input: KindConfigInput): KindConfig {
  const node = (role: KindNode['role'], labels?: Record<string, string>): KindNode => ({
    role,
    image: input.nodeImage,
    ...(labels === undefined || Object.keys(labels).length === 0 ? {} : { labels: { ...labels } }),
    ...(input.extraMounts.length === 0 ? {} : { extraMounts: input.extraMounts.map((m) => ({ ...m })) }),
  });
  return {
    kind: 'Cluster',
    apiVersion: KIND_API_VERSION,
    name: input.name,
    networking: {
      disableDefaultCNI: input.disableDefaultCNI,
      podSubnet: input.podSubnet,
      serviceSubnet: input.serviceSubnet ?? DEFAULT_SERVICE_SUBNET,
      kubeProxyMode: input.kubeProxyMode,
    },
    nodes: [node('control-plane', input.controlPlaneLabels), ...Array.from({ length: input.workers }, () => node('worker'))],
  };
}

export function renderKindConfig(config: KindConfig): string {
  return YAML.stringify(config);
}

// ---- validation (mirrors kind's pkg/internal/apis/config/validate.go and the v1alpha4 types) ----

const CLUSTER_FIELDS = new Set([
  'kind', 'apiVersion', 'name', 'nodes', 'networking', 'featureGates', 'runtimeConfig',
  'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902', 'containerdConfigPatches', 'containerdConfigPatchesJSON6902',
]);
const NETWORKING_FIELDS = new Set([
  'ipFamily', 'apiServerPort', 'apiServerAddress', 'podSubnet', 'serviceSubnet', 'disableDefaultCNI', 'kubeProxyMode', 'dnsSearch',
]);
const NODE_FIELDS = new Set([
  'role', 'image', 'labels', 'extraMounts', 'extraPortMappings', 'gpus', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902',
]);
const MOUNT_FIELDS = new Set(['containerPath', 'hostPath', 'readOnly', 'selinuxRelabel', 'propagation']);
const PORT_MAPPING_FIELDS = new Set(['containerPort', 'hostPort', 'listenAddress', 'protocol']);
const ROLES = ['control-plane', 'worker'];
const KUBE_PROXY_MODES = ['iptables', 'ipvs', 'nftables', 'none'];
const IP_FAMILIES = ['ipv4', 'ipv6', 'dual'];
const PROPAGATIONS = ['None', 'HostToContainer', 'Bidirectional'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const NAME = /^[a-z0-9.-]+$/;

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Cidr {
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

function ipBits(address: string): { family: 4 | 6; bits: bigint } | undefined {
  if (isIPv4(address)) {
    return { family: 4, bits: address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n) };
  }
  if (isIPv6(address) && !address.includes('.')) {
    const [head = '', tail = ''] = address.split('::');
    const headParts = head === '' ? [] : head.split(':');
    const tailParts = tail === '' ? [] : tail.split(':');
    const missing = address.includes('::') ? 8 - headParts.length - tailParts.length : 0;
    const parts = [...headParts, ...Array<string>(missing).fill('0'), ...tailParts];
    return { family: 6, bits: parts.reduce((acc, p) => (acc << 16n) | BigInt(Number.parseInt(p, 16)), 0n) };
  }
  return undefined;
}

export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (address === undefined || prefixText === undefined || extra !== undefined || !/^\d+$/.test(prefixText)) return undefined;
  const ip = ipBits(address);
  const prefix = Number(prefixText);
  if (ip === undefined || prefix > (ip.family === 4 ? 32 : 128)) return undefined;
  return { ...ip, prefix };
}

function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const width = a.family === 4 ? 32n : 128n;
  const shortest = BigInt(Math.min(a.prefix, b.prefix));
  return a.bits >> (width - shortest) === b.bits >> (width - shortest);
}

function checkFields(object: Json, allowed: Set<string>, where: string, problems: string[]): void {
  for (const key of Object.keys(object)) {
    if (!allowed.has(key)) problems.push(`${where}: unknown field "${key}" (valid: ${[...allowed].join(', ')})`);
  }
}

function checkSubnets(field: string, value: unknown, problems: string[]): Cidr[] {
  if (value === undefined) return [];
  if (typeof value !== 'string') {
    problems.push(`networking.${field}: must be a string CIDR, got ${JSON.stringify(value)}`);
    return [];
  }
  const cidrs: Cidr[] = [];
  for (const part of value.split(',')) {
    const cidr = parseCidr(part.trim());
    if (cidr === undefined) problems.push(`networking.${field}: invalid CIDR "${part.trim()}"`);
    else cidrs.push(cidr);
  }
  return cidrs;
}

function checkNetworking(networking: unknown, problems: string[]): void {
  if (networking === undefined) return;
  if (!isMap(networking)) {
    problems.push('networking: must be a map');
    return;
  }
  checkFields(networking, NETWORKING_FIELDS, 'networking', problems);
  const { ipFamily, kubeProxyMode, disableDefaultCNI, apiServerPort } = networking;
  if (ipFamily !== undefined && !IP_FAMILIES.includes(ipFamily as string)) {
    problems.push(`networking.ipFamily: invalid value ${JSON.stringify(ipFamily)} (valid: ${IP_FAMILIES.join(', ')})`);
  }
  if (kubeProxyMode !== undefined && !KUBE_PROXY_MODES.includes(kubeProxyMode as string)) {
    problems.push(`networking.kubeProxyMode: invalid kubeProxyMode: ${String(kubeProxyMode)} (valid: ${KUBE_PROXY_MODES.join(', ')})`);
  }
  if (disableDefaultCNI !== undefined && typeof disableDefaultCNI !== 'boolean') {
    problems.push(`networking.disableDefaultCNI: must be true or false, got ${JSON.stringify(disableDefaultCNI)}`);
  }
  if (apiServerPort !== undefined && (!Number.isInteger(apiServerPort) || (apiServerPort as number) < -1 || (apiServerPort as number) > 65535)) {
    problems.push(`networking.apiServerPort: invalid port ${JSON.stringify(apiServerPort)}`);
  }
  const pods = checkSubnets('podSubnet', networking['podSubnet'], problems);
  const services = checkSubnets('serviceSubnet', networking['serviceSubnet'], problems);
  for (const p of pods) {
    for (const s of services) {
      if (cidrsOverlap(p, s)) problems.push('networking: podSubnet and serviceSubnet overlap');
    }
  }
}

function checkMounts(mounts: unknown, where: string, problems: string[]): void {
  if (mounts === undefined) return;
  if (!Array.isArray(mounts)) {
    problems.push(`${where}.extraMounts: must be a list`);
    return;
  }
  mounts.forEach((mount, i) => {
    const at = `${where}.extraMounts[${i}]`;
    if (!isMap(mount)) {
      problems.push(`${at}: must be a map`);
      return;
    }
    checkFields(mount, MOUNT_FIELDS, at, problems);
    for (const key of ['containerPath', 'hostPath']) {
      if (typeof mount[key] !== 'string' || (mount[key] as string) === '') problems.push(`${at}.${key}: required non-empty path`);
    }
    for (const key of ['readOnly', 'selinuxRelabel']) {
      if (mount[key] !== undefined && typeof mount[key] !== 'boolean') problems.push(`${at}.${key}: must be true or false`);
    }
    if (mount['propagation'] !== undefined && !PROPAGATIONS.includes(mount['propagation'] as string)) {
      problems.push(`${at}.propagation: invalid value ${JSON.stringify(mount['propagation'])} (valid: ${PROPAGATIONS.join(', ')})`);
    }
  });
}

function checkPortMappings(mappings: unknown, where: string, problems: string[]): void {
  if (mappings === undefined) return;
  if (!Array.isArray(mappings)) {
    problems.push(`${where}.extraPortMappings: must be a list`);
    return;
  }
  mappings.forEach((mapping, i) => {
    const at = `${where}.extraPortMappings[${i}]`;
    if (!isMap(mapping)) {
      problems.push(`${at}: must be a map`);
      return;
    }
    checkFields(mapping, PORT_MAPPING_FIELDS, at, problems);
    for (const key of ['containerPort', 'hostPort']) {
      const port = mapping[key];
      if (port !== undefined && (!Number.isInteger(port) || (port as number) < -1 || (port as number) > 65535)) {
        problems.push(`${at}.${key}: invalid port ${JSON.stringify(port)}`);
      }
    }
    if (mapping['protocol'] !== undefined && !PROTOCOLS.includes(mapping['protocol'] as string)) {
      problems.push(`${at}.protocol: invalid value ${JSON.stringify(mapping['protocol'])} (valid: ${PROTOCOLS.join(', ')})`);
    }
  });
}

function checkNodes(nodes: unknown, problems: string[]): void {
  if (nodes === undefined) return; // kind defaults to one control-plane node
  if (!Array.isArray(nodes)) {
    problems.push('nodes: must be a list');
    return;
  }
  let controlPlanes = 0;
  nodes.forEach((node, i) => {
    const at = `nodes[${i}]`;
    if (!isMap(node)) {
      problems.push(`${at}: must be a map`);
      return;
    }
    checkFields(node, NODE_FIELDS, at, problems);
    const role = node['role'] ?? 'control-plane';
    if (!ROLES.includes(role as string)) problems.push(`${at}.role: invalid role ${JSON.stringify(role)} (valid: ${ROLES.join(', ')})`);
    if (role === 'control-plane') controlPlanes += 1;
    const labels = node['labels'];
    if (labels !== undefined && (!isMap(labels) || Object.values(labels).some((v) => typeof v !== 'string'))) {
      problems.push(`${at}.labels: must map label keys to string values (quote "true")`);
    }
    if (node['image'] !== undefined && (typeof node['image'] !== 'string' || node['image'] === '')) {
      problems.push(`${at}.image: must be a non-empty image reference`);
    }
    checkMounts(node['extraMounts'], at, problems);
    checkPortMappings(node['extraPortMappings'], at, problems);
  });
  if (controlPlanes === 0) problems.push('nodes: must have at least one control-plane node');
}

/** Problems kind would reject (or that would break a cell); an empty list means valid. */
export function validateKindConfig(config: unknown): string[] {
  const problems: string[] = [];
  if (!isMap(config)) return ['config: must be a map'];
  checkFields(config, CLUSTER_FIELDS, 'config', problems);
  if (config['kind'] !== 'Cluster') problems.push(`kind: must be "Cluster", got ${JSON.stringify(config['kind'])}`);
  if (config['apiVersion'] !== KIND_API_VERSION) {
    problems.push(`apiVersion: must be "${KIND_API_VERSION}", got ${JSON.stringify(config['apiVersion'])}`);
  }
  const name = config['name'];
  if (name !== undefined && (typeof name !== 'string' || !NAME.test(name))) {
    problems.push(`name: ${JSON.stringify(name)} does not match ${NAME.source}`);
  }
  checkNetworking(config['networking'], problems);
  checkNodes(config['nodes'], problems);
  return problems;
}
