// The L3/L4 model: where a packet to ip:port/protocol from a pod ends up. Service ClusterIPs and
// NodePorts are translated to one ready endpoint (as kube-proxy or a kube-proxy replacement
// would), NetworkPolicy is decided by the policy engine, and listeners come from the pod's
// containers (netexec flags, else declared container ports).
import { isIPv6 } from 'node:net';
import type { Direction, Endpoint, PortProbe, SideVerdict } from '../../../harness/netpol/types.ts';
import type { ConnectionAttempt, ConnectionVerdict } from '../faults/types.ts';
import { nodeByName, sourceIp, type DataplaneContext } from './context.ts';
import { podKeyOf, serviceKey, type Protocol, type SimContainer, type SimEndpoint, type SimPod, type SimService, type SimServicePort } from './state.ts';

export type Outcome = 'connected' | 'refused' | 'timeout';

export type Application = 'netexec' | 'porter' | 'serve-hostname' | 'ingress-nginx' | 'coredns' | 'kube-proxy-metrics' | 'other';

export interface Listener {
  port: number;
  protocol: Protocol;
  application: Application;
}

export interface ConnectionResult {
  outcome: Outcome;
  reason: string;
  /** The source address the destination saw. */
  clientIp: string;
  clientPort: number;
  /** Who answered (when connected). */
  pod?: SimPod;
  /** The node whose network namespace answered (hostNetwork listeners, kube-proxy metrics). */
  node?: string;
  listener?: Listener;
}

export const KUBE_PROXY_METRICS_PORT = 10249;

function flagValue(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    if (arg === flag) return args[i + 1];
  }
  return undefined;
}

/** agnhost porter (2.56) serves HTTP on the port of every SERVE_PORT_<n> (its TLS and SCTP variables are not modelled). */
export const PORTER_PORT_ENV = 'SERVE_PORT_';

function porterListeners(container: SimContainer): Listener[] {
  return Object.keys(container.env).flatMap((name) => {
    const port = name.startsWith(PORTER_PORT_ENV) ? Number(name.slice(PORTER_PORT_ENV.length)) : NaN;
    return Number.isInteger(port) && port > 0 ? [{ port, protocol: 'TCP' as const, application: 'porter' as const }] : [];
  });
}

/**
 * What a container listens on. agnhost netexec: HTTP --http-port (8080), UDP --udp-port (8081),
 * SCTP only with --sctp-port; agnhost porter: its SERVE_PORT_<n> variables.
 */
export function containerListeners(container: SimContainer, pod: SimPod): Listener[] {
  const args = container.args;
  if (args.includes('porter')) return porterListeners(container);
  if (args.includes('netexec')) {
    const http = Number(flagValue(args, '--http-port') ?? 8080);
    const udp = Number(flagValue(args, '--udp-port') ?? 8081);
    const sctp = Number(flagValue(args, '--sctp-port') ?? -1);
    const out: Listener[] = [{ port: http, protocol: 'TCP', application: 'netexec' }];
    if (udp > 0) out.push({ port: udp, protocol: 'UDP', application: 'netexec' });
    if (sctp > 0) out.push({ port: sctp, protocol: 'SCTP', application: 'netexec' });
    return out;
  }
  if (args.includes('serve-hostname')) {
    return [{ port: Number(flagValue(args, '--port') ?? 9376), protocol: args.includes('--udp') ? 'UDP' : 'TCP', application: 'serve-hostname' }];
  }
  const application: Application = isIngressController(pod) ? 'ingress-nginx' : pod.labels['k8s-app'] === 'kube-dns' ? 'coredns' : 'other';
  return container.ports.map((p) => ({ port: p.containerPort, protocol: p.protocol, application }));
}

export function isIngressController(pod: SimPod): boolean {
  return pod.namespace === 'ingress-nginx' && pod.labels['app.kubernetes.io/component'] === 'controller';
}

function podListener(pod: SimPod, port: number, protocol: Protocol): Listener | undefined {
  for (const c of pod.containers) {
    const found = containerListeners(c, pod).find((l) => l.port === port && l.protocol === protocol);
    if (found) return found;
  }
  return undefined;
}

function isKubeProxyPod(pod: SimPod): boolean {
  return pod.namespace === 'kube-system' && pod.labels['k8s-app'] === 'kube-proxy';
}

/** What listens in a node's own network namespace (hostNetwork pods, kube-proxy's metrics on loopback). */
function nodeListener(ctx: DataplaneContext, node: string | undefined, port: number, protocol: Protocol, loopback: boolean): { pod?: SimPod; listener: Listener } | undefined {
  for (const pod of ctx.state.pods) {
    if (!pod.hostNetwork || pod.node !== node || !pod.running) continue;
    if (loopback && ctx.proxyMode && isKubeProxyPod(pod) && port === KUBE_PROXY_METRICS_PORT && protocol === 'TCP') {
      return { pod, listener: { port, protocol, application: 'kube-proxy-metrics' } };
    }
    const listener = podListener(pod, port, protocol);
    if (listener) return { pod, listener };
  }
  return undefined;
}

// A closed port answers TCP with RST, SCTP with ABORT and UDP with ICMP port unreachable, all of
// which agnhost reads as refused. (The kernel rate-limits those ICMP errors per peer, so part of a
// burst of UDP probes times out; the model does not.)
const NO_LISTENER: Outcome = 'refused';

function applyFaults(ctx: DataplaneContext, attempt: ConnectionAttempt, verdict: ConnectionVerdict): ConnectionVerdict {
  return ctx.faults.reduce((v, f) => (f.connection ? f.connection(attempt, v) : v), verdict);
}

function policyEnforced(ctx: DataplaneContext, attempt: ConnectionAttempt, direction: Direction): boolean {
  if (!ctx.cni?.enforcesPolicy) return false;
  return ctx.faults.every((f) => !f.policyApplies || f.policyApplies(attempt, direction));
}

const sideAdmits = (side: SideVerdict): boolean => !side.isolated || side.allowedBy !== undefined || side.exemption !== undefined;

/** NetworkPolicy's verdict on the sides enforced: both (the usual case), one (a fault skips the other), or none. */
function policyAllows(ctx: DataplaneContext, attempt: ConnectionAttempt, from: Endpoint, to: Endpoint, probe: PortProbe): boolean {
  const enforced = (['egress', 'ingress'] as const).filter((direction) => policyEnforced(ctx, attempt, direction));
  if (enforced.length === 2) return ctx.engine.allowed(from, to, probe);
  if (enforced.length === 0) return true;
  return sideAdmits(ctx.engine.explain(from, to, probe)[enforced[0]!]);
}

function endpointOf(pod: SimPod | undefined, ip: string): { pod: string } | { ip: string } {
  return pod && !pod.hostNetwork && pod.ips.includes(ip) ? { pod: podKeyOf(pod) } : { ip };
}

/**
 * Who sends a hop: a pod (from its pod IP, or its node's for hostNetwork pods) or a client outside
 * the cluster (no pod, no node). `ip` and `node` are the values on the wire for that hop, after
 * any SNAT and after the packet was forwarded by a node.
 */
export interface Source {
  pod: SimPod | undefined;
  ip: string;
  node: string | undefined;
}

function podSource(ctx: DataplaneContext, pod: SimPod): Source {
  return { pod, ip: sourceIp(ctx, pod), node: pod.node };
}

interface Hop {
  src: Source;
  dstPod: SimPod | undefined;
  dstIp: string;
  dstNode: string | undefined;
  port: number;
  protocol: Protocol;
  listener: Listener | undefined;
  /** The Service the hop was translated from (ClusterIP or NodePort). */
  service?: SimService;
}

/** The last hop of every connection: policy, reachability faults, listener. */
function deliver(ctx: DataplaneContext, hop: Hop): ConnectionResult {
  const attempt: ConnectionAttempt = {
    fromPod: hop.src.pod,
    fromIp: hop.src.ip,
    fromNode: hop.src.node,
    fromNodeIp: nodeByName(ctx.state, hop.src.node)?.ip,
    toPod: hop.dstPod,
    toIp: hop.dstIp,
    toNode: hop.dstNode,
    port: hop.port,
    protocol: hop.protocol,
    crossNode: hop.src.node !== undefined && hop.dstNode !== undefined && hop.src.node !== hop.dstNode,
    ...(hop.service ? { service: hop.service } : {}),
  };
  let verdict: ConnectionVerdict;
  const srcOnWire = endpointOf(hop.src.pod, hop.src.ip);
  const dst = endpointOf(hop.dstPod, hop.dstIp);
  if (hop.protocol === 'SCTP' && !ctx.cni?.sctp) {
    verdict = { outcome: 'timeout', clientIp: hop.src.ip, reason: `the CNI (${ctx.cni?.name ?? 'none'}) does not carry SCTP` };
  } else if (!policyAllows(ctx, attempt, srcOnWire, dst, { port: hop.port, protocol: hop.protocol })) {
    verdict = { outcome: 'timeout', clientIp: hop.src.ip, reason: 'dropped by NetworkPolicy' };
  } else if (!hop.listener) {
    verdict = { outcome: NO_LISTENER, clientIp: hop.src.ip, reason: 'nothing listens on that port' };
  } else {
    verdict = { outcome: 'connected', clientIp: hop.src.ip, reason: 'connected' };
  }
  verdict = applyFaults(ctx, attempt, verdict);
  const result: ConnectionResult = { outcome: verdict.outcome, reason: verdict.reason, clientIp: verdict.clientIp, clientPort: ctx.memory.ephemeralPort() };
  if (verdict.outcome === 'connected' && hop.listener) {
    result.listener = hop.listener;
    if (hop.dstPod) result.pod = hop.dstPod;
    if (hop.dstNode) result.node = hop.dstNode;
  }
  return result;
}

function failed(outcome: Outcome, reason: string, clientIp: string): ConnectionResult {
  return { outcome, reason, clientIp, clientPort: 0 };
}

function servicesWork(ctx: DataplaneContext): boolean {
  return ctx.proxyMode !== undefined || ctx.cni?.replacesKubeProxy === true;
}

function endpointPort(endpoint: SimEndpoint, servicePort: SimServicePort): number | undefined {
  const named = endpoint.ports.find((p) => p.name === servicePort.name && p.protocol === servicePort.protocol);
  if (named) return named.port;
  return typeof servicePort.targetPort === 'number' ? servicePort.targetPort : undefined;
}

/** Picks one ready endpoint: ClientIP affinity sticks per client address, otherwise round-robin. */
export function chooseEndpoint(ctx: DataplaneContext, svc: SimService, port: SimServicePort, candidates: SimEndpoint[], clientIp: string): SimEndpoint {
  const key = `${serviceKey(svc)}:${port.name}/${port.protocol}`;
  let chosen: SimEndpoint | undefined;
  if (svc.sessionAffinity === 'ClientIP') {
    const remembered = ctx.memory.clientAffinity.get(`${key}|${clientIp}`);
    chosen = candidates.find((e) => e.ip === remembered);
  }
  chosen ??= candidates[ctx.memory.nextIndex(key, candidates.length)]!;
  if (svc.sessionAffinity === 'ClientIP') ctx.memory.clientAffinity.set(`${key}|${clientIp}`, chosen.ip);
  return ctx.faults.reduce((e, f) => (f.selectEndpoint ? f.selectEndpoint(svc, candidates, e, port) : e), chosen);
}

export function readyEndpoints(ctx: DataplaneContext, svc: SimService, port: SimServicePort): SimEndpoint[] {
  return (ctx.state.endpoints.get(serviceKey(svc)) ?? []).filter((e) => e.ready && endpointPort(e, port) !== undefined);
}

function podForEndpoint(ctx: DataplaneContext, endpoint: SimEndpoint): SimPod | undefined {
  const ref = endpoint.pod;
  if (ref) return ctx.state.pods.find((p) => p.namespace === ref.namespace && p.name === ref.name);
  return ctx.state.pods.find((p) => p.ip === endpoint.ip && !p.hostNetwork);
}

function endpointNode(ctx: DataplaneContext, endpoint: SimEndpoint): string | undefined {
  return podForEndpoint(ctx, endpoint)?.node ?? endpoint.node;
}

function toEndpoint(ctx: DataplaneContext, src: Source, svc: SimService, endpoint: SimEndpoint, port: number, protocol: Protocol): ConnectionResult {
  const pod = podForEndpoint(ctx, endpoint);
  const listener = pod ? podListener(pod, port, protocol) : undefined;
  return deliver(ctx, { src, dstPod: pod, dstIp: endpoint.ip, dstNode: endpointNode(ctx, endpoint), port, protocol, listener, service: svc });
}

function viaClusterIp(ctx: DataplaneContext, src: SimPod, svc: SimService, port: number, protocol: Protocol): ConnectionResult {
  const srcIp = sourceIp(ctx, src);
  if (!servicesWork(ctx)) return failed('timeout', 'no kube-proxy and no kube-proxy replacement: nothing routes Service IPs', srcIp);
  const servicePort = svc.ports.find((p) => p.port === port && p.protocol === protocol);
  if (!servicePort) return failed('timeout', `Service ${serviceKey(svc)} has no port ${port}/${protocol}`, srcIp);
  const candidates = readyEndpoints(ctx, svc, servicePort);
  if (candidates.length === 0) return failed('refused', `Service ${serviceKey(svc)} has no ready endpoints (rejected)`, srcIp);
  const endpoint = chooseEndpoint(ctx, svc, servicePort, candidates, srcIp);
  const hairpin = podForEndpoint(ctx, endpoint) === src && !src.hostNetwork;
  // Hairpin traffic (a pod reaching itself through its Service) is masqueraded to its node.
  const wireIp = hairpin ? (nodeByName(ctx.state, src.node)?.ip ?? srcIp) : srcIp;
  return toEndpoint(ctx, { pod: src, ip: wireIp, node: src.node }, svc, endpoint, endpointPort(endpoint, servicePort)!, protocol);
}

function viaNodePort(ctx: DataplaneContext, src: Source, nodeName: string, nodeIp: string, svc: SimService, servicePort: SimServicePort): ConnectionResult {
  const srcIp = src.ip;
  const protocol = servicePort.protocol;
  // First hop: the source's egress to the node address.
  const toNode = deliver(ctx, { src, dstPod: undefined, dstIp: nodeIp, dstNode: nodeName, port: servicePort.nodePort!, protocol, listener: { port: servicePort.nodePort!, protocol, application: 'other' } });
  if (toNode.outcome !== 'connected') return toNode;
  // kube-proxy rejects for a Service without ready endpoints whatever its policy, and drops
  // externalTrafficPolicy Local traffic on a node that runs none of them.
  const ready = readyEndpoints(ctx, svc, servicePort);
  if (ready.length === 0) return failed('refused', `Service ${serviceKey(svc)} has no ready endpoints (rejected)`, srcIp);
  const allowed = svc.externalTrafficPolicy === 'Local' ? ready.filter((e) => endpointNode(ctx, e) === nodeName) : ready;
  const candidates = ctx.faults.reduce((c, f) => (f.nodePortEndpoints ? f.nodePortEndpoints(svc, nodeName, c, ready) : c), allowed);
  if (candidates.length === 0) {
    return failed('timeout', `externalTrafficPolicy ${svc.externalTrafficPolicy}: node ${nodeName} has no endpoint of ${serviceKey(svc)} to forward to (dropped)`, srcIp);
  }
  const endpoint = chooseEndpoint(ctx, svc, servicePort, candidates, srcIp);
  // Cluster policy masquerades to the receiving node; Local keeps the client address.
  const wireIp = svc.externalTrafficPolicy === 'Local' ? srcIp : nodeIp;
  return toEndpoint(ctx, { pod: src.pod, ip: wireIp, node: nodeName }, svc, endpoint, endpointPort(endpoint, servicePort)!, protocol);
}

function toNodeAddress(ctx: DataplaneContext, src: Source, nodeName: string, nodeIp: string, port: number, protocol: Protocol): ConnectionResult {
  if (servicesWork(ctx)) {
    for (const svc of ctx.state.services) {
      if (svc.type !== 'NodePort' && svc.type !== 'LoadBalancer') continue;
      const servicePort = svc.ports.find((p) => p.nodePort === port && p.protocol === protocol);
      if (servicePort) return viaNodePort(ctx, src, nodeName, nodeIp, svc, servicePort);
    }
  }
  // hostPort: the CNI's portmap DNATs node:hostPort to the pod.
  for (const pod of ctx.state.pods) {
    if (pod.node !== nodeName || !pod.running || pod.hostNetwork) continue;
    for (const c of pod.containers) {
      const mapped = c.ports.find((p) => p.hostPort === port && p.protocol === protocol);
      if (mapped && pod.ip) {
        return deliver(ctx, { src, dstPod: pod, dstIp: pod.ip, dstNode: nodeName, port: mapped.containerPort, protocol, listener: podListener(pod, mapped.containerPort, protocol) });
      }
    }
  }
  const local = nodeListener(ctx, nodeName, port, protocol, false);
  return deliver(ctx, { src, dstPod: local?.pod, dstIp: nodeIp, dstNode: nodeName, port, protocol, listener: local?.listener });
}

/** Connects from a pod to ip:port/protocol and says what happened and who answered. */
export function connect(ctx: DataplaneContext, src: SimPod, ip: string, port: number, protocol: Protocol): ConnectionResult {
  const srcIp = sourceIp(ctx, src);
  if (ip === '127.0.0.1' || ip === 'localhost') {
    const local = src.hostNetwork ? nodeListener(ctx, src.node, port, protocol, true) : { pod: src, listener: podListener(src, port, protocol) };
    if (!local?.listener) return failed(NO_LISTENER, 'nothing listens on that port', '127.0.0.1');
    const result: ConnectionResult = { outcome: 'connected', reason: 'connected', clientIp: '127.0.0.1', clientPort: ctx.memory.ephemeralPort(), listener: local.listener };
    if (local.pod) result.pod = local.pod;
    if (src.node) result.node = src.node;
    return result;
  }
  const svc = ctx.state.services.find((s) => s.clusterIP === ip);
  if (svc) return viaClusterIp(ctx, src, svc, port, protocol);
  const node = ctx.state.nodes.find((n) => n.ip === ip);
  if (node) return toNodeAddress(ctx, podSource(ctx, src), node.name, node.ip, port, protocol);
  const pod = ctx.state.pods.find((p) => p.ips.includes(ip) && !p.hostNetwork && p.running);
  if (pod) {
    // To a pod's IPv6 address the source sends from its own IPv6 address; without one it has no route.
    const from = isIPv6(ip) ? src.ips.find((a) => isIPv6(a)) : undefined;
    if (isIPv6(ip) && (from === undefined || src.hostNetwork)) return failed('timeout', `${podKeyOf(src)} has no IPv6 address: no route to ${ip}`, srcIp);
    const source = from === undefined ? podSource(ctx, src) : { ...podSource(ctx, src), ip: from };
    return deliver(ctx, { src: source, dstPod: pod, dstIp: ip, dstNode: pod.node, port, protocol, listener: podListener(pod, port, protocol) });
  }
  return failed('timeout', `no route to ${ip}`, srcIp);
}

/**
 * A connection from a client outside the cluster (e.g. a container on the nodes' Docker network)
 * to a node address: NodePorts, hostPorts and hostNetwork listeners, as kube-proxy and the CNI's
 * portmap would handle it, with the client's own address as the source.
 */
export function connectFromOutside(ctx: DataplaneContext, clientIp: string, nodeIp: string, port: number, protocol: Protocol): ConnectionResult {
  const node = ctx.state.nodes.find((n) => n.ip === nodeIp);
  if (!node) return failed('timeout', `no node has the address ${nodeIp}`, clientIp);
  return toNodeAddress(ctx, { pod: undefined, ip: clientIp, node: undefined }, node.name, node.ip, port, protocol);
}

/** Ports on a node's address that something answers behind: NodePorts, hostPorts, hostNetwork listeners. */
export function nodeAddressPorts(ctx: DataplaneContext, nodeName: string): { port: number; protocol: Protocol }[] {
  const found = new Map<string, { port: number; protocol: Protocol }>();
  const add = (port: number, protocol: Protocol) => found.set(`${port}/${protocol}`, { port, protocol });
  if (servicesWork(ctx)) {
    for (const svc of ctx.state.services) {
      if (svc.type !== 'NodePort' && svc.type !== 'LoadBalancer') continue;
      for (const p of svc.ports) if (p.nodePort) add(p.nodePort, p.protocol);
    }
  }
  for (const pod of ctx.state.pods) {
    if (pod.node !== nodeName || !pod.running) continue;
    for (const c of pod.containers) {
      if (pod.hostNetwork) for (const l of containerListeners(c, pod)) add(l.port, l.protocol);
      else for (const p of c.ports) if (p.hostPort) add(p.hostPort, p.protocol);
    }
  }
  return [...found.values()];
}
