// Compilation: resolves every selector and ipBlock of every policy once, into pod-index bitsets,
// and records for each pod the policies isolating it. Decisions and truth tables then never
// rescan policies or labels.
import { BadInputError } from '../model/errors.ts';
import { Bitset } from './bitset.ts';
import { cidrContains, parseCidr, parseIp, type Cidr, type IpAddress, type IpFamily } from './ip.ts';
import { LabelIndex, describeSelector } from './labels.ts';
import {
  podKey,
  policyKey,
  policyNamespace,
  type ClusterState,
  type Direction,
  type LabelSelector,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type PodInfo,
} from './types.ts';

/** Every namespace carries this label with its own name (set by the API server since 1.21). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface CompiledPod {
  index: number;
  key: string;
  info: PodInfo;
  addresses: IpAddress[];
  primary: IpAddress;
  hostIP: IpAddress | undefined;
}

export interface CompiledIpBlock {
  cidr: Cidr;
  except: Cidr[];
}

export interface CompiledPeer {
  /** Pods the peer's selectors match; undefined for an ipBlock peer. */
  selectorPods: Bitset | undefined;
  ipBlock: CompiledIpBlock | undefined;
  description: string;
}

export interface CompiledRule {
  policy: CompiledPolicy;
  direction: Direction;
  index: number;
  /** undefined: the rule has no (or an empty) from/to list and admits every peer. */
  peers: CompiledPeer[] | undefined;
  ports: NetworkPolicyPort[] | undefined;
  /** The pods this rule admits as peers of a connection of each family (ipBlocks test the pod's address of that family). */
  peerPodsByFamily: Record<IpFamily, Bitset>;
}

export interface CompiledPolicy {
  key: string;
  namespace: string;
  policy: NetworkPolicy;
  selected: Bitset;
  /** "selects all pods" / "selects app=api". */
  selectsDescription: string;
  isolates: Record<Direction, boolean>;
  rules: Record<Direction, CompiledRule[]>;
}

export interface CompiledModel {
  pods: CompiledPod[];
  podsByKey: Map<string, CompiledPod>;
  podsByAddress: Map<string, { pod: CompiledPod; address: IpAddress }>;
  policies: CompiledPolicy[];
  /** Per pod index: the policies isolating it in each direction, in input order. */
  isolatedBy: Record<Direction, CompiledPolicy[][]>;
  /** Pods holding an address of each family. */
  podsWithFamily: Record<IpFamily, Bitset>;
  /** Pods whose primary address is of each family. */
  podsWithPrimaryFamily: Record<IpFamily, Bitset>;
}

/** The address text used to look an IP up, the same for every spelling of one address. */
export function addressKey(address: IpAddress): string {
  return `${address.family}:${address.value.toString(16)}`;
}

export function ipBlockContains(block: CompiledIpBlock, address: IpAddress): boolean {
  return cidrContains(block.cidr, address) && !block.except.some((except) => cidrContains(except, address));
}

export function compileModel(state: ClusterState, policies: readonly NetworkPolicy[]): CompiledModel {
  const pods = state.pods.map(compilePod);
  const size = pods.length;
  const podsByKey = new Map<string, CompiledPod>();
  const podsByAddress = new Map<string, { pod: CompiledPod; address: IpAddress }>();
  for (const pod of pods) {
    if (podsByKey.has(pod.key)) throw new BadInputError(`pod ${pod.key} is listed twice`, 'give each pod a unique namespace/name');
    podsByKey.set(pod.key, pod);
    for (const address of pod.addresses) podsByAddress.set(addressKey(address), { pod, address });
  }

  const namespaces = namespaceTable(state, policies);
  const namespaceIndex = new LabelIndex(namespaces.map((ns) => ns.labels));
  const podsOfNamespace = namespaces.map(() => new Bitset(size));
  const namespacePosition = new Map(namespaces.map((ns, position) => [ns.name, position]));
  pods.forEach((pod) => podsOfNamespace[namespacePosition.get(pod.info.namespace)!]!.add(pod.index));
  const podIndex = new LabelIndex(pods.map((pod) => pod.info.labels));
  const namespaceSelectionCache = new Map<Bitset, Bitset>();

  const podsInNamespaces = (selector: LabelSelector): Bitset => {
    const matched = namespaceIndex.select(selector);
    let result = namespaceSelectionCache.get(matched);
    if (!result) {
      result = new Bitset(size);
      for (const position of matched.members()) result.orWith(podsOfNamespace[position]!);
      namespaceSelectionCache.set(matched, result);
    }
    return result;
  };
  const podsInNamespace = (name: string): Bitset => podsOfNamespace[namespacePosition.get(name)!]!;

  const familyOf = (family: IpFamily) => Bitset.of(size, pods.filter((pod) => pod.addresses.some((a) => a.family === family)).map((pod) => pod.index));
  const primaryOf = (family: IpFamily) => Bitset.of(size, pods.filter((pod) => pod.primary.family === family).map((pod) => pod.index));
  const podsWithPrimaryFamily = { 4: primaryOf(4), 6: primaryOf(6) };

  // Real policy sets repeat the same blocks (RFC 1918 excepts, node subnets): resolve each once.
  const ipBlockCache = new Map<string, Bitset>();
  const ipBlockPods = (block: CompiledIpBlock, family: IpFamily): Bitset => {
    const cacheKey = `${family} ${block.cidr.text} ${block.except.map((except) => except.text).join(' ')}`;
    let result = ipBlockCache.get(cacheKey);
    if (!result) {
      result = new Bitset(size);
      for (const pod of pods) {
        const address = pod.addresses.find((a) => a.family === family);
        if (address && ipBlockContains(block, address)) result.add(pod.index);
      }
      ipBlockCache.set(cacheKey, result);
    }
    return result;
  };

  const compiledPolicies: CompiledPolicy[] = [];
  const seenPolicies = new Set<string>();
  for (const policy of policies) {
    const key = policyKey(policy);
    if (seenPolicies.has(key)) throw new BadInputError(`policy ${key} is listed twice`, 'give each policy a unique namespace/name');
    seenPolicies.add(key);
    const namespace = policyNamespace(policy);
    const spec = policy.spec;
    const types = spec.policyTypes && spec.policyTypes.length > 0 ? spec.policyTypes : defaultPolicyTypes(policy);
    const compiled: CompiledPolicy = {
      key,
      namespace,
      policy,
      selected: podIndex.select(spec.podSelector).and(podsInNamespace(namespace)),
      selectsDescription: selectsDescription(spec.podSelector),
      isolates: { ingress: types.includes('Ingress'), egress: types.includes('Egress') },
      rules: { ingress: [], egress: [] },
    };
    const compilePeer = (peer: NetworkPolicyPeer, where: string): CompiledPeer => {
      if (peer.ipBlock) {
        return { selectorPods: undefined, ipBlock: compileIpBlock(peer.ipBlock.cidr, peer.ipBlock.except ?? [], `${key} ${where}.ipBlock`), description: describeIpBlock(peer.ipBlock.cidr, peer.ipBlock.except ?? []) };
      }
      const inNamespaces = peer.namespaceSelector ? podsInNamespaces(peer.namespaceSelector) : podsInNamespace(namespace);
      const selectorPods = peer.podSelector ? podIndex.select(peer.podSelector).and(inNamespaces) : inNamespaces;
      return { selectorPods, ipBlock: undefined, description: describePeer(peer, namespace) };
    };
    const compileRules = (direction: Direction, rules: { peers: NetworkPolicyPeer[] | undefined; ports: NetworkPolicyPort[] | undefined }[]) =>
      rules.map((rule, index): CompiledRule => {
        const field = direction === 'ingress' ? 'from' : 'to';
        const peers = rule.peers && rule.peers.length > 0 ? rule.peers.map((peer, p) => compilePeer(peer, `spec.${direction}[${index}].${field}[${p}]`)) : undefined;
        const peerPods = (family: IpFamily): Bitset => {
          if (!peers) return Bitset.full(size);
          const result = new Bitset(size);
          for (const peer of peers) result.orWith(peer.selectorPods ?? ipBlockPods(peer.ipBlock!, family));
          return result;
        };
        const peerPodsByFamily = { 4: peerPods(4), 6: peerPods(6) };
        return { policy: compiled, direction, index, peers, ports: rule.ports, peerPodsByFamily };
      });
    compiled.rules.ingress = compiled.isolates.ingress ? compileRules('ingress', (spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))) : [];
    compiled.rules.egress = compiled.isolates.egress ? compileRules('egress', (spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }))) : [];
    compiledPolicies.push(compiled);
  }

  const isolatedBy: Record<Direction, CompiledPolicy[][]> = {
    ingress: pods.map(() => []),
    egress: pods.map(() => []),
  };
  for (const policy of compiledPolicies) {
    for (const index of policy.selected.members()) {
      if (policy.isolates.ingress) isolatedBy.ingress[index]!.push(policy);
      if (policy.isolates.egress) isolatedBy.egress[index]!.push(policy);
    }
  }

  return { pods, podsByKey, podsByAddress, policies: compiledPolicies, isolatedBy, podsWithFamily: { 4: familyOf(4), 6: familyOf(6) }, podsWithPrimaryFamily };
}

/** policyTypes when omitted: Ingress always, Egress when the policy has egress rules. */
function defaultPolicyTypes(policy: NetworkPolicy): ('Ingress' | 'Egress')[] {
  return (policy.spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function compilePod(info: PodInfo, index: number): CompiledPod {
  const key = podKey(info);
  const parse = (text: string, field: string): IpAddress => {
    const address = parseIp(text);
    if (!address) throw new BadInputError(`pod ${key}: ${field} "${text}" is not an IPv4 or IPv6 address`);
    return address;
  };
  const primary = parse(info.ip, 'ip');
  const addresses = [primary];
  for (const text of info.ips ?? []) {
    const address = parse(text, 'ips');
    if (!addresses.some((a) => a.family === address.family && a.value === address.value)) addresses.push(address);
  }
  return { index, key, info, addresses, primary, hostIP: info.hostIP === undefined ? undefined : parse(info.hostIP, 'hostIP') };
}

/** Namespaces from the state plus any that only pods or policies mention, each with its name label. */
function namespaceTable(state: ClusterState, policies: readonly NetworkPolicy[]): { name: string; labels: Record<string, string> }[] {
  const names = new Set([...Object.keys(state.namespaces), ...state.pods.map((pod) => pod.namespace), ...policies.map(policyNamespace)]);
  return [...names].map((name) => ({ name, labels: { [NAMESPACE_NAME_LABEL]: name, ...(state.namespaces[name] ?? {}) } }));
}

function compileIpBlock(cidrText: string, exceptTexts: readonly string[], where: string): CompiledIpBlock {
  const parse = (text: string, field: string): Cidr => {
    const cidr = parseCidr(text);
    if (!cidr) throw new BadInputError(`${where}.${field}: "${text}" is not a CIDR (address/prefix)`);
    return cidr;
  };
  return { cidr: parse(cidrText, 'cidr'), except: exceptTexts.map((text, i) => parse(text, `except[${i}]`)) };
}

function selectsDescription(selector: LabelSelector): string {
  const text = describeSelector(selector);
  return text === 'all' ? 'selects all pods' : `selects ${text}`;
}

function describeIpBlock(cidr: string, except: readonly string[]): string {
  return except.length === 0 ? `ipBlock ${cidr}` : `ipBlock ${cidr} except ${except.join(', ')}`;
}

function describePeer(peer: NetworkPolicyPeer, policyNamespace: string): string {
  const pods = peer.podSelector ? describeSelector(peer.podSelector) : 'all';
  const podsText = pods === 'all' ? 'all pods' : `pods ${pods}`;
  if (!peer.namespaceSelector) return `${podsText} in namespace ${policyNamespace}`;
  const namespaces = describeSelector(peer.namespaceSelector);
  return namespaces === 'all' ? `${podsText} in all namespaces` : `${podsText} in namespaces ${namespaces}`;
}
