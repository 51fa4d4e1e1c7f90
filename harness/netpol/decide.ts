// One connection, decided rule by rule: the source's egress and the destination's ingress, each
// with the policy, rule, peer and port entry that admitted it (or the policies that isolate it).
import { BadInputError } from '../model/errors.ts';
import { addressKey, ipBlockContains, type CompiledModel, type CompiledPod, type CompiledPolicy, type CompiledRule } from './compile.ts';
import { parseIp, type IpAddress, type IpFamily } from './ip.ts';
import { matchingPortEntry } from './ports.ts';
import type { Direction, Endpoint, PortProbe, SideVerdict } from './types.ts';

/** One end of a connection: a pod (with the address it uses) or a bare IP. */
export interface ConnectionEnd {
  label: string;
  pod: CompiledPod | undefined;
  /** undefined only for a pod lacking an address of the connection's family. */
  address: IpAddress | undefined;
}

export interface Connection {
  from: ConnectionEnd;
  to: ConnectionEnd;
  family: IpFamily;
  probe: PortProbe;
}

export interface SideDecision extends SideVerdict {
  admits: boolean;
  direction: Direction;
  /** The pod whose policies decide this side; undefined for a bare IP. */
  subject: ConnectionEnd;
  peer: ConnectionEnd;
}

export interface Decision {
  connection: Connection;
  allowed: boolean;
  /** Set when the source has no address of the family needed to reach the destination. */
  missingFamily: boolean;
  egress: SideDecision;
  ingress: SideDecision;
}

export function decide(model: CompiledModel, from: Endpoint, to: Endpoint, probe: PortProbe): Decision {
  const connection = resolveConnection(model, from, to, probe);
  const missingFamily = connection.from.address === undefined || connection.to.address === undefined;
  const egress = decideSide(model, connection, 'egress');
  const ingress = decideSide(model, connection, 'ingress');
  return { connection, allowed: !missingFamily && egress.admits && ingress.admits, missingFamily, egress, ingress };
}

function decideSide(model: CompiledModel, connection: Connection, direction: Direction): SideDecision {
  const [subject, peer] = direction === 'egress' ? [connection.from, connection.to] : [connection.to, connection.from];
  const base = { direction, subject, peer };
  if (!subject.pod) return { ...base, admits: true, isolated: false, isolatingPolicies: [] };
  const isolating: CompiledPolicy[] = model.isolatedBy[direction][subject.pod.index]!;
  const verdict = { ...base, isolated: isolating.length > 0, isolatingPolicies: isolating.map((policy) => policy.key) };
  if (peer.pod === subject.pod) return { ...verdict, admits: true, exemption: 'a pod cannot block connections to itself' };
  if (!peer.pod && peer.address && subject.pod.hostIP && sameAddress(peer.address, subject.pod.hostIP)) {
    return { ...verdict, admits: true, exemption: `traffic between a pod and its own node (${peer.label}) is always allowed` };
  }
  if (isolating.length === 0) return { ...verdict, admits: true };
  const destination = connection.to.pod;
  for (const policy of isolating) {
    for (const rule of policy.rules[direction]) {
      const port = matchingPortEntry(rule.ports, connection.probe, destination?.info.containerPorts);
      if (port === -1) continue;
      const peerIndex = matchingPeer(rule, peer);
      if (peerIndex === -1) continue;
      const allowedBy = { policy: policy.key, rule: rule.index, ...(peerIndex === undefined ? {} : { peer: peerIndex }), ...(port === undefined ? {} : { port }) };
      return { ...verdict, admits: true, allowedBy };
    }
  }
  return { ...verdict, admits: false };
}

/** The index of the first peer matching `end`, -1 if none, undefined when the rule admits every peer. */
function matchingPeer(rule: CompiledRule, end: ConnectionEnd): number | undefined {
  if (!rule.peers) return undefined;
  return rule.peers.findIndex((peer) => {
    // Selectors only ever match pods; ipBlocks match whichever address the connection uses.
    if (peer.selectorPods) return end.pod !== undefined && peer.selectorPods.has(end.pod.index);
    return end.address !== undefined && ipBlockContains(peer.ipBlock!, end.address);
  });
}

function sameAddress(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

/**
 * Names both ends. The connection's family is that of an explicitly given IP (a pod reached by
 * one of its IPs counts as that pod), else the destination pod's primary address family.
 */
export function resolveConnection(model: CompiledModel, from: Endpoint, to: Endpoint, probe: PortProbe): Connection {
  const fromIp = 'ip' in from ? explicitAddress(from.ip, 'from') : undefined;
  const toIp = 'ip' in to ? explicitAddress(to.ip, 'to') : undefined;
  if (fromIp && toIp && fromIp.family !== toIp.family) {
    const texts = [from, to].map((endpoint) => ('ip' in endpoint ? endpoint.ip : ''));
    throw new BadInputError(`cannot connect ${texts[0]} (IPv${fromIp.family}) to ${texts[1]} (IPv${toIp.family}): a connection has one IP family`);
  }
  const toPod = 'pod' in to ? lookupPod(model, to.pod) : model.podsByAddress.get(addressKey(toIp!))?.pod;
  const family = toIp?.family ?? fromIp?.family ?? toPod!.primary.family;
  const fromPod = 'pod' in from ? lookupPod(model, from.pod) : model.podsByAddress.get(addressKey(fromIp!))?.pod;
  const end = (pod: CompiledPod | undefined, ip: IpAddress | undefined, endpoint: Endpoint): ConnectionEnd => {
    if (!pod) return { label: 'ip' in endpoint ? endpoint.ip : '', pod: undefined, address: ip };
    return { label: pod.key, pod, address: ip ?? pod.addresses.find((address) => address.family === family) };
  };
  return { from: end(fromPod, fromIp, from), to: end(toPod, toIp, to), family, probe };
}

function explicitAddress(text: string, side: 'from' | 'to'): IpAddress {
  const address = parseIp(text);
  if (!address) throw new BadInputError(`${side}: "${text}" is neither a pod ("namespace/name") nor an IPv4/IPv6 address`);
  return address;
}

function lookupPod(model: CompiledModel, key: string): CompiledPod {
  const pod = model.podsByKey.get(key);
  if (!pod) {
    const known = model.pods.map((p) => p.key);
    throw new BadInputError(`unknown pod "${key}"`, `known pods: ${known.length === 0 ? '(none)' : known.join(', ')}`);
  }
  return pod;
}
