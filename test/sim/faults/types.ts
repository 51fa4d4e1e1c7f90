// The fault interface: a fault is a named deviation from faithful networking behaviour. The
// dataplane calls each hook of every active fault at the matching point of its model; a hook
// sees the probe and the cluster state and returns what the (broken) cluster would do instead.
import type { Direction, NetworkPolicy } from '../../../harness/netpol/types.ts';
import type { SimProxyMode } from '../cluster/cni.ts';
import type { ClusterSnapshot, Protocol, SimEndpoint, SimPod, SimService, SimServicePort } from '../dataplane/state.ts';

/** One hop of a connection after Service translation: a source reaching a pod (or node) address. */
export interface ConnectionAttempt {
  /** The sending pod; undefined for node-level sources (hostNetwork pods use their node). */
  fromPod: SimPod | undefined;
  fromIp: string;
  fromNode: string | undefined;
  /** InternalIP of the source's node. */
  fromNodeIp: string | undefined;
  toPod: SimPod | undefined;
  toIp: string;
  toNode: string | undefined;
  port: number;
  protocol: Protocol;
  crossNode: boolean;
  /** The Service whose ClusterIP or NodePort the hop was translated from, if any. */
  service?: SimService;
}

export interface ConnectionVerdict {
  outcome: 'connected' | 'refused' | 'timeout';
  /** The source address the destination sees (/clientip). */
  clientIp: string;
  /** Why, in a few words (shown in connect's error output). */
  reason: string;
}

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  ndots: number;
}

export interface DnsQuestion {
  name: string;
  type: string;
  /** The pod that asked. */
  pod: SimPod;
}

export interface DnsRecord {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'SRV' | 'PTR';
  ttl: number;
  data: string;
}

export interface DnsAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';
  records: DnsRecord[];
  /** What the name resolved to, for hooks that only change some answers. */
  subject?: { kind: 'service' | 'headless-service' | 'headless-pod' | 'srv' | 'pod' | 'ptr' | 'external-name'; service?: SimService };
}

export interface HttpRequest {
  method: string;
  scheme: 'http' | 'https';
  host: string;
  path: string;
  headers: Record<string, string>;
  clientIp: string;
}

export interface HttpResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

/** A TCP connection a disruption monitor holds open (dataplane/held-connection.ts). */
export interface HeldConnection {
  from: SimPod;
  /** The pod that accepted it. */
  to: SimPod;
  /** When it was established (epoch ms). */
  openedAt: number;
}

export interface SimFault {
  name: string;
  description: string;
  /** Rewrites the cluster state the model reads (policies, Services, Ingresses...) for every probe. */
  transformState?(state: ClusterSnapshot): ClusterSnapshot;
  /** Returns false when NetworkPolicy is not applied to this side of a connection (the source's egress or the destination's ingress). */
  policyApplies?(attempt: ConnectionAttempt, direction: Direction): boolean;
  /** Changes a connection's outcome or the client IP its destination observes. */
  connection?(attempt: ConnectionAttempt, verdict: ConnectionVerdict): ConnectionVerdict;
  /** Changes which ready endpoint a connection to a Service port goes to. */
  selectEndpoint?(service: SimService, candidates: SimEndpoint[], chosen: SimEndpoint, port: SimServicePort): SimEndpoint;
  /**
   * Changes which endpoints a NodePort on `node` forwards to: `allowed` is what the Service's
   * externalTrafficPolicy permits there, `ready` every ready endpoint. None left: dropped.
   */
  nodePortEndpoints?(service: SimService, node: string, allowed: SimEndpoint[], ready: SimEndpoint[]): SimEndpoint[];
  /** Changes a pod's resolver configuration (/etc/resolv.conf). */
  resolvConf?(pod: SimPod, conf: ResolvConf): ResolvConf;
  /** Changes CoreDNS's answer to one fully qualified question. */
  dnsAnswer?(question: DnsQuestion, answer: DnsAnswer): DnsAnswer;
  /** Whether an established connection has been reset by now (RST: the monitor reads end of stream). */
  heldConnectionReset?(held: HeldConnection, state: ClusterSnapshot): boolean;
  /** Changes an HTTP response (from netexec or the ingress controller). */
  httpResponse?(request: HttpRequest, response: HttpResponse): HttpResponse;
  /** Changes the mode kube-proxy actually runs in. */
  proxyMode?(configured: SimProxyMode): SimProxyMode;
  /** The nodes' kernel has no SCTP: SCTP sockets cannot even be created. */
  kernelWithoutSctp?: true;
  /** No image can be pulled: only the node image's own and those `kind load` put there start. */
  registryUnreachable?: true;
  /** How many outcomes this fault has changed so far in this cluster process (reported in the sim's stats). */
  effects?(): number;
  /** The fault takes a number: `<name>:<n>` names this variant (the bare name is the default one). */
  withParameter?(value: number): SimFault;
}

/** Applies a per-policy rewrite to every policy of a state. */
export function mapPolicies(state: ClusterSnapshot, rewrite: (p: NetworkPolicy) => NetworkPolicy | undefined): ClusterSnapshot {
  const policies = state.policies.map((p) => rewrite(structuredClone(p))).filter((p): p is NetworkPolicy => p !== undefined);
  return { ...state, policies };
}
