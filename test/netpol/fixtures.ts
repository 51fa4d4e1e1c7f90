// Shared test fixtures: the upstream x/y/z × a/b/c model and small policy builders.
import type { ClusterState, NetworkPolicy, NetworkPolicySpec, PodInfo, PortProbe } from '../../harness/netpol/index.ts';

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const POD_NAMES = ['a', 'b', 'c'] as const;
export const TCP80: PortProbe = { port: 80, protocol: 'TCP' };
export const TCP81: PortProbe = { port: 81, protocol: 'TCP' };
export const UDP80: PortProbe = { port: 80, protocol: 'UDP' };

/** Every pod serves 80 and 81 on TCP and UDP through named ports serve-<port>-<proto>. */
export function xyzModel(): ClusterState {
  const pods: PodInfo[] = NAMESPACES.flatMap((ns, n) =>
    POD_NAMES.map((name, p) => ({
      namespace: ns,
      name,
      labels: { pod: name },
      ip: `10.244.${n + 1}.${p + 1}`,
      containerPorts: [80, 81].flatMap((port) =>
        (['TCP', 'UDP'] as const).map((protocol) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol })),
      ),
    })),
  );
  return { namespaces: Object.fromEntries(NAMESPACES.map((ns) => [ns, { ns }])), pods };
}

export const ALL_PODS = NAMESPACES.flatMap((ns) => POD_NAMES.map((name) => `${ns}/${name}`));

export function policy(namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** The pairs (from -> to) a table allows, for compact assertions. */
export function allowedPairs(table: Record<string, Record<string, boolean>>): string[] {
  return Object.entries(table).flatMap(([from, row]) => Object.entries(row).filter(([, ok]) => ok).map(([to]) => `${from}->${to}`));
}

/** The pairs a table denies. */
export function deniedPairs(table: Record<string, Record<string, boolean>>): string[] {
  return Object.entries(table).flatMap(([from, row]) => Object.entries(row).filter(([, ok]) => !ok).map(([to]) => `${from}->${to}`));
}

/** All ordered pairs of `pods` except a pod to itself. */
export function pairsBetween(from: readonly string[], to: readonly string[]): string[] {
  return from.flatMap((f) => to.filter((t) => t !== f).map((t) => `${f}->${t}`));
}
