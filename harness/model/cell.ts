// The vocabulary every layer shares: CNIs, kube-proxy modes, capabilities, suites and the cell
// description handed to a suite run.

export const CNI_NAMES = ['kindnet', 'calico', 'flannel', 'cilium', 'weave'] as const;
export type CniName = (typeof CNI_NAMES)[number];

export const PROXY_MODES = ['iptables', 'ipvs', 'nftables', 'none'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

/** Features a cell may or may not have; tests declare the ones they need. */
export const CAPABILITIES = [
  'networkPolicy', // NetworkPolicy is enforced (ingress and egress)
  // ipBlock peers match pod IPs. Kubernetes meant ipBlocks for cluster-external addresses and leaves
  // pod IPs to the CNI; Cilium's never match pods (clusters/cilium.ts has the reference).
  'ipBlockMatchesPodIPs',
  'sctp', // SCTP pod traffic (and SCTP in policies when networkPolicy is also present)
  'ipv6',
  'kubeProxyReplacement', // Services work without kube-proxy (proxy mode "none")
  'sessionAffinity', // Service sessionAffinity: ClientIP honoured
  'ingress', // an ingress controller is installed in the cell
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const SUITE_NAMES = ['pod-network', 'network-policy', 'dns', 'ingress', 'services'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

/** An in-place upgrade of one CNI between two of its known versions (`--upgrade <cni>:<from>..<to>`). */
export interface UpgradeRequest {
  cni: CniName;
  from: string;
  to: string;
}

/** The upgrade cell of a CNI in a proxy mode: one per CNI and mode in a run. */
export function upgradeCellId(cni: CniName, proxyMode: ProxyMode): string {
  return `${cni}-upg-${proxyMode}`;
}

export function cellId(cni: CniName, proxyMode: ProxyMode): string {
  return `${cni}-${proxyMode}`;
}

/**
 * What a suite knows about the live cell it runs against. `cnimatrix run` passes it to jest as
 * JSON in the CNIMATRIX_CELL environment variable, next to KUBECONFIG.
 */
export interface CellInfo {
  id: string;
  cni: CniName;
  cniVersion: string;
  proxyMode: ProxyMode;
  capabilities: Capability[];
  /**
   * Capabilities the profile declares that the live cluster was probed not to have, each with the
   * evidence. Their checks are unsupported with that reason, --strict or not: running them would
   * only measure the cluster's kernel, not the CNI.
   */
  probedAbsent?: Partial<Record<Capability, string>>;
  runId: string;
  /** Run tests even when the cell lacks a capability they need. */
  strict: boolean;
  /** Docker network the cluster's nodes are on; external clients join it. */
  dockerNetwork: string;
  /** Why no client on this machine can reach the nodes from outside the cluster (external checks are then unavailable). */
  externalUnavailable?: string;
  /** Name of the kind cluster, or the API server address for --kubeconfig runs. */
  clusterName: string;
  /** Nodes that accept the suites' pods (not cordoned), counted when the suites start. */
  schedulableNodes?: number;
}

export const CELL_ENV = 'CNIMATRIX_CELL';
/** JSON-lines file where suites record annotations (unsupported reasons, flakes). */
export const ANNOTATIONS_ENV = 'CNIMATRIX_ANNOTATIONS';
