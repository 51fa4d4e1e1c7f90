// Whole truth tables with bitsets: each pod's allowed peers per direction are the union of the
// precomputed peer sets of the rules that admit the probe's port, so a table costs one bit test
// per pair instead of a policy scan.
import { Bitset } from './bitset.ts';
import type { CompiledModel, CompiledRule } from './compile.ts';
import type { IpFamily } from './ip.ts';
import { matchingPortEntry, usesNamedPorts } from './ports.ts';
import type { PortProbe, TruthTable } from './types.ts';

/** Per pod: the peers its side admits, or undefined when it is not isolated in that direction. */
interface SideSets {
  ingressSources: (Bitset | undefined)[];
  egressDestinations: (Bitset | undefined)[];
}

function sideSets(model: CompiledModel, probe: PortProbe): SideSets {
  const size = model.pods.length;
  const ingressSources = model.pods.map((pod) => {
    const policies = model.isolatedBy.ingress[pod.index]!;
    if (policies.length === 0) return undefined;
    const sources = new Bitset(size);
    const family = pod.primary.family;
    for (const policy of policies) {
      for (const rule of policy.rules.ingress) {
        if (matchingPortEntry(rule.ports, probe, pod.info.containerPorts) !== -1) sources.orWith(rule.peerPodsByFamily[family]);
      }
    }
    return sources;
  });

  const destinationsByRule = new Map<CompiledRule, Bitset>();
  const ruleDestinations = (rule: CompiledRule): Bitset => {
    let destinations = destinationsByRule.get(rule);
    if (!destinations) {
      // A pod-to-pod connection uses the destination's primary family.
      const peers = rule.peerPodsByFamily[4].and(model.podsWithPrimaryFamily[4]).orWith(rule.peerPodsByFamily[6].and(model.podsWithPrimaryFamily[6]));
      destinations = peers.andWith(portDestinations(model, rule, probe));
      destinationsByRule.set(rule, destinations);
    }
    return destinations;
  };
  const egressDestinations = model.pods.map((pod) => {
    const policies = model.isolatedBy.egress[pod.index]!;
    if (policies.length === 0) return undefined;
    const destinations = new Bitset(size);
    for (const policy of policies) {
      for (const rule of policy.rules.egress) destinations.orWith(ruleDestinations(rule));
    }
    return destinations;
  });
  return { ingressSources, egressDestinations };
}

/** Destinations whose port the rule admits; named ports make this depend on each pod. */
function portDestinations(model: CompiledModel, rule: CompiledRule, probe: PortProbe): Bitset {
  const size = model.pods.length;
  if (!usesNamedPorts(rule.ports)) {
    return matchingPortEntry(rule.ports, probe, undefined) === -1 ? new Bitset(size) : Bitset.full(size);
  }
  return Bitset.of(
    size,
    model.pods.filter((pod) => matchingPortEntry(rule.ports, probe, pod.info.containerPorts) !== -1).map((pod) => pod.index),
  );
}

/** Rows: source pods; each row the set of destination pods the connection is allowed to. */
export function allowedRows(model: CompiledModel, probe: PortProbe): Bitset[] {
  const { ingressSources, egressDestinations } = sideSets(model, probe);
  const size = model.pods.length;
  const familyOfDestination: IpFamily[] = model.pods.map((pod) => pod.primary.family);
  return model.pods.map((source) => {
    const row = new Bitset(size);
    const egress = egressDestinations[source.index];
    const reachesV4 = model.podsWithFamily[4].has(source.index);
    const reachesV6 = model.podsWithFamily[6].has(source.index);
    for (let destination = 0; destination < size; destination++) {
      if (destination === source.index) {
        row.add(destination);
        continue;
      }
      if (!(familyOfDestination[destination] === 4 ? reachesV4 : reachesV6)) continue;
      if (egress && !egress.has(destination)) continue;
      const ingress = ingressSources[destination];
      if (ingress && !ingress.has(source.index)) continue;
      row.add(destination);
    }
    return row;
  });
}

export function truthTable(model: CompiledModel, probe: PortProbe): TruthTable {
  const rows = allowedRows(model, probe);
  const keys = model.pods.map((pod) => pod.key);
  const table: TruthTable = {};
  // Object.fromEntries builds a wide row markedly faster than assigning its keys one by one.
  keys.forEach((source, index) => {
    const row = rows[index]!;
    table[source] = Object.fromEntries(keys.map((destination, d) => [destination, row.has(d)]));
  });
  return table;
}
