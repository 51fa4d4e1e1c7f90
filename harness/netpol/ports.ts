// NetworkPolicyPort matching: protocol (default TCP), numeric ports and endPort ranges, and
// named ports, which always resolve against the destination pod's container ports.
import type { ContainerPort, NetworkPolicyPort, PortProbe } from './types.ts';

/** Whether one port entry admits `probe` to a destination with `destinationPorts` (none for a bare IP). */
export function portEntryMatches(
  entry: NetworkPolicyPort,
  probe: PortProbe,
  destinationPorts: readonly ContainerPort[] | undefined,
): boolean {
  const protocol = entry.protocol ?? 'TCP';
  if (protocol !== probe.protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'number') {
    return entry.endPort === undefined ? probe.port === entry.port : probe.port >= entry.port && probe.port <= entry.endPort;
  }
  return (destinationPorts ?? []).some((containerPort) => namedPortResolvesTo(containerPort, entry.port as string, probe));
}

function namedPortResolvesTo(containerPort: ContainerPort, name: string, probe: PortProbe): boolean {
  return containerPort.name === name && containerPort.containerPort === probe.port && (containerPort.protocol ?? 'TCP') === probe.protocol;
}

/**
 * The index of the first entry admitting `probe`, -1 if none does, or undefined when the rule
 * has no `ports` (or an empty list), which admits every port and protocol.
 */
export function matchingPortEntry(
  ports: readonly NetworkPolicyPort[] | undefined,
  probe: PortProbe,
  destinationPorts: readonly ContainerPort[] | undefined,
): number | undefined {
  if (!ports || ports.length === 0) return undefined;
  return ports.findIndex((entry) => portEntryMatches(entry, probe, destinationPorts));
}

/** Whether a rule's port list depends on the destination pod (it names a port). */
export function usesNamedPorts(ports: readonly NetworkPolicyPort[] | undefined): boolean {
  return (ports ?? []).some((entry) => typeof entry.port === 'string');
}

export function describePortEntry(entry: NetworkPolicyPort): string {
  const protocol = entry.protocol ?? 'TCP';
  if (entry.port === undefined) return `any ${protocol} port`;
  if (entry.endPort !== undefined) return `${entry.port}-${entry.endPort}/${protocol}`;
  return `${entry.port}/${protocol}`;
}
