// Boundary probing: a port range is proven only by probes just below it, at both ends, in the
// middle and just above it. One port inside cannot tell a range from its first port alone, an
// inclusive end from an exclusive one, or a range from its two ends. While a policy with an
// endPort is in force, every probe step of a scenario also probes these ports (stepsOf), so any
// scenario with a range gets them.
import { policyKey, type NetworkPolicy, type PortProbe } from '../../harness/netpol/index.ts';
import type { Step } from './scenario.ts';

const LOWEST_PORT = 1;
const HIGHEST_PORT = 65535;

/** Below, first, middle, last and above the range first..last, each once and within 1..65535. */
export function rangeBoundaryPorts(first: number, last: number): number[] {
  const ports = [first - 1, first, Math.floor((first + last) / 2), last, last + 1];
  return [...new Set(ports)].filter((port) => port >= LOWEST_PORT && port <= HIGHEST_PORT);
}

/** The boundary probes of every endPort range in the policies' ingress and egress rules. */
export function rangeBoundaryProbes(policies: Iterable<NetworkPolicy>): PortProbe[] {
  const probes: PortProbe[] = [];
  for (const policy of policies) {
    for (const rule of [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])]) {
      for (const entry of rule.ports ?? []) {
        if (typeof entry.port !== 'number' || entry.endPort === undefined) continue;
        const protocol = entry.protocol ?? 'TCP';
        probes.push(...rangeBoundaryPorts(entry.port, entry.endPort).map((port) => ({ port, protocol })));
      }
    }
  }
  return probes;
}

const sameProbe = (a: PortProbe, b: PortProbe) => a.port === b.port && a.protocol === b.protocol;

/** The steps with every probe step extended by the boundary probes of the ranges in force there. */
export function withRangeBoundaries(steps: Step[]): Step[] {
  const inForce = new Map<string, NetworkPolicy>();
  return steps.map((step) => {
    if ('apply' in step) for (const policy of step.apply) inForce.set(policyKey(policy), policy);
    if ('delete' in step) for (const key of step.delete) inForce.delete(key);
    if (!('probe' in step)) return step;
    const probes = [...step.probe];
    for (const probe of rangeBoundaryProbes(inForce.values())) if (!probes.some((p) => sameProbe(p, probe))) probes.push(probe);
    return { probe: probes };
  });
}
