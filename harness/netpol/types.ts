// The shapes the NetworkPolicy engine reads and answers with (networking.k8s.io/v1 semantics).

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';
export const L4_PROTOCOLS: readonly L4Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Labels of each namespace, by namespace name. */
export type NamespaceLabels = Record<string, Record<string, string>>;

export interface ContainerPort {
  name?: string;
  containerPort: number;
  /** Defaults to TCP, as in a Pod spec. */
  protocol?: L4Protocol;
}

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** The primary pod IP (status.podIP); its family is the family of pod-to-pod connections. */
  ip: string;
  /** Every pod IP (status.podIPs), including `ip`; a dual-stack pod has one per family. */
  ips?: string[];
  /** The node's IP (status.hostIP): traffic between a pod and its own node is never blocked. */
  hostIP?: string;
  containerPorts: ContainerPort[];
}

export interface ClusterState {
  namespaces: NamespaceLabels;
  pods: PodInfo[];
}

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
export const SELECTOR_OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface IPBlock {
  cidr: string;
  except?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  /** Defaults to TCP. */
  protocol?: L4Protocol;
  /** A number, or the name of a container port of the destination pod; absent means every port. */
  port?: number | string;
  /** With a numeric `port`, matches the range port..endPort. */
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export type PolicyType = 'Ingress' | 'Egress';

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: PolicyType[];
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

export interface NetworkPolicy {
  apiVersion?: 'networking.k8s.io/v1';
  kind?: 'NetworkPolicy';
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  spec: NetworkPolicySpec;
}

export interface PortProbe {
  port: number;
  protocol: L4Protocol;
}

/** A pod ("ns/name"), or a bare IP (a node, an external host, or a pod reached by one of its IPs). */
export type Endpoint = { pod: string } | { ip: string };

export type Direction = 'ingress' | 'egress';

/** What decided one side (the source's egress or the destination's ingress) of a connection. */
export interface SideVerdict {
  /** Whether some policy with this direction selects the pod (false for bare IPs). */
  isolated: boolean;
  /** "ns/name" of every policy isolating the pod in this direction. */
  isolatingPolicies: string[];
  /** The first rule that admits the connection, when the side is isolated and admits it. */
  allowedBy?: { policy: string; rule: number; peer?: number; port?: number };
  /** Set when the side admits the connection without any rule (loopback, own node). */
  exemption?: string;
}

export interface Explanation {
  allowed: boolean;
  egress: SideVerdict;
  ingress: SideVerdict;
  text: string;
}

export interface PolicyEngine {
  allowed(from: Endpoint, to: Endpoint, probe: PortProbe): boolean;
  explain(from: Endpoint, to: Endpoint, probe: PortProbe): Explanation;
  /** Every pod pair, a pod to itself included, for one probe. */
  truthTable(probe: PortProbe): TruthTable;
  /** The same decisions as truthTable, by pod index (podKeys order), without building 1 object per row. */
  matrix(probe: PortProbe): AllowedMatrix;
  /** "ns/name" of every pod, in input order. */
  readonly podKeys: readonly string[];
}

export interface AllowedMatrix {
  readonly podKeys: readonly string[];
  allowed(fromIndex: number, toIndex: number): boolean;
}

/** One probe's table: source pod → destination pod → allowed. */
export type TruthTable = Record<string, Record<string, boolean>>;
/** Tables keyed by probe ("80/TCP"). */
export type TruthTables = Record<string, TruthTable>;

/** A policy input file: the cluster, its policies and the ports to tabulate. */
export interface Scenario extends ClusterState {
  policies: NetworkPolicy[];
  probes: PortProbe[];
}

export function podKey(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}

export function probeKey(probe: PortProbe): string {
  return `${probe.port}/${probe.protocol}`;
}

export function policyKey(policy: NetworkPolicy): string {
  return `${policyNamespace(policy)}/${policy.metadata.name}`;
}

/** A policy without metadata.namespace lands in "default", as `kubectl apply` would place it. */
export function policyNamespace(policy: NetworkPolicy): string {
  return policy.metadata.namespace ?? 'default';
}
