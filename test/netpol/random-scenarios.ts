// Small adversarial scenarios from a seeded generator: few label values so selectors collide,
// dual-stack and single-stack pods, every peer and port form, every policyTypes variant.
import type { ClusterState, LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PodInfo, PortProbe } from '../../harness/netpol/index.ts';

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const RANDOM_PROBES: PortProbe[] = [
  { port: 80, protocol: 'TCP' },
  { port: 81, protocol: 'UDP' },
  { port: 5432, protocol: 'SCTP' },
  { port: 8080, protocol: 'TCP' },
];

export function randomScenario(seed: number): { state: ClusterState; policies: NetworkPolicy[] } {
  const rnd = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const chance = (p: number) => rnd() < p;
  const namespaces = ['n0', 'n1', 'n2', 'n3'].slice(0, 2 + Math.floor(rnd() * 3));
  const labelKeys = ['app', 'tier', 'env'];
  const labelValues = ['a', 'b', 'c'];
  const randomLabels = () => Object.fromEntries(labelKeys.filter(() => chance(0.6)).map((k) => [k, pick(labelValues)]));

  const pods: PodInfo[] = [];
  namespaces.forEach((ns, n) => {
    const count = 1 + Math.floor(rnd() * 4);
    for (let p = 0; p < count; p++) {
      const v4 = `10.${n}.${p}.${1 + Math.floor(rnd() * 3)}`;
      const v6 = `fd00:${n}:0:${p}::${1 + Math.floor(rnd() * 3)}`;
      const stack = pick(['v4', 'v4', 'dual4', 'dual6', 'v6'] as const);
      const ip = stack === 'v6' || stack === 'dual6' ? v6 : v4;
      const ips = stack === 'dual4' ? [v4, v6] : stack === 'dual6' ? [v6, v4] : [ip];
      const containerPorts = [80, 81, 5432, 8080]
        .filter(() => chance(0.6))
        .map((port) => {
          const protocol = pick(['TCP', 'UDP', 'SCTP'] as const);
          return { name: pick(['web', 'db', `p-${port}`]), containerPort: port, ...(chance(0.3) && protocol === 'TCP' ? {} : { protocol }) };
        });
      pods.push({ namespace: ns, name: `p${p}`, labels: randomLabels(), ip, ips, containerPorts });
    }
  });
  const namespaceLabels = Object.fromEntries(namespaces.map((ns) => [ns, randomLabels()]));

  const selector = (): LabelSelector => {
    const roll = rnd();
    if (roll < 0.25) return {};
    if (roll < 0.6) return { matchLabels: randomLabels() };
    const operator = pick(['In', 'NotIn', 'Exists', 'DoesNotExist'] as const);
    const withValues = operator === 'In' || operator === 'NotIn';
    return {
      ...(chance(0.3) ? { matchLabels: randomLabels() } : {}),
      matchExpressions: [{ key: pick([...labelKeys, 'kubernetes.io/metadata.name']), operator, ...(withValues ? { values: [pick([...labelValues, ...namespaces])] } : {}) }],
    };
  };
  const ipBlock = (): NetworkPolicyPeer => {
    if (chance(0.5)) {
      const n = Math.floor(rnd() * namespaces.length);
      return { ipBlock: { cidr: chance(0.5) ? `10.${n}.0.0/16` : '10.0.0.0/8', ...(chance(0.5) ? { except: [`10.${n}.${Math.floor(rnd() * 3)}.0/24`] } : {}) } };
    }
    const n = Math.floor(rnd() * namespaces.length);
    const wide = chance(0.5);
    const except = wide ? `fd00:${n}::/32` : `fd00:${n}:0:${Math.floor(rnd() * 3)}::/64`;
    return { ipBlock: { cidr: wide ? 'fd00::/16' : `fd00:${n}::/32`, ...(chance(0.5) ? { except: [except] } : {}) } };
  };
  const peer = (): NetworkPolicyPeer => {
    const roll = rnd();
    if (roll < 0.3) return { podSelector: selector() };
    if (roll < 0.55) return { namespaceSelector: selector() };
    if (roll < 0.8) return { namespaceSelector: selector(), podSelector: selector() };
    return ipBlock();
  };
  const port = (): NetworkPolicyPort => {
    const protocol = chance(0.3) ? {} : { protocol: pick(['TCP', 'UDP', 'SCTP'] as const) };
    const roll = rnd();
    if (roll < 0.2) return protocol;
    if (roll < 0.5) return { ...protocol, port: pick([80, 81, 5432, 8080]) };
    if (roll < 0.7) {
      const start = pick([79, 80, 5000]);
      return { ...protocol, port: start, endPort: start + pick([0, 1, 3100]) };
    }
    return { ...protocol, port: pick(['web', 'db', 'p-80', 'p-8080']) };
  };
  const rules = <K extends 'from' | 'to'>(field: K) =>
    Array.from({ length: Math.floor(rnd() * 3) }, () => ({
      ...(chance(0.8) ? { [field]: Array.from({ length: Math.floor(rnd() * 3) }, peer) } : {}),
      ...(chance(0.7) ? { ports: Array.from({ length: Math.floor(rnd() * 3) }, port) } : {}),
    }));

  const policies: NetworkPolicy[] = Array.from({ length: Math.floor(rnd() * 5) }, (_, i) => {
    const typesRoll = rnd();
    const policyTypes = typesRoll < 0.3 ? undefined : typesRoll < 0.5 ? (['Ingress'] as const) : typesRoll < 0.7 ? (['Egress'] as const) : (['Ingress', 'Egress'] as const);
    return {
      metadata: { name: `np${i}`, namespace: pick(namespaces) },
      spec: {
        podSelector: selector(),
        ...(policyTypes ? { policyTypes: [...policyTypes] } : {}),
        ...(chance(0.8) ? { ingress: rules('from') } : {}),
        ...(chance(0.6) ? { egress: rules('to') } : {}),
      },
    };
  });
  return { state: { namespaces: namespaceLabels, pods }, policies };
}
