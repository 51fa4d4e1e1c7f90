// The policy engine: compile once, then answer single connections (with reasons) and whole
// truth tables.
import { compileModel } from './compile.ts';
import { decide } from './decide.ts';
import { explanation } from './explain.ts';
import { allowedRows, truthTable } from './truth-table.ts';
import { probeKey, type ClusterState, type NetworkPolicy, type PolicyEngine, type PortProbe, type TruthTables } from './types.ts';

export function compilePolicies(state: ClusterState, policies: readonly NetworkPolicy[]): PolicyEngine {
  const model = compileModel(state, policies);
  return {
    podKeys: model.pods.map((pod) => pod.key),
    allowed: (from, to, probe) => decide(model, from, to, probe).allowed,
    explain: (from, to, probe) => explanation(model, decide(model, from, to, probe)),
    truthTable: (probe) => truthTable(model, probe),
    matrix: (probe) => {
      const rows = allowedRows(model, probe);
      return { podKeys: model.pods.map((pod) => pod.key), allowed: (fromIndex, toIndex) => rows[fromIndex]!.has(toIndex) };
    },
  };
}

/** Truth tables of every pod pair (a pod to itself included) for each probe. */
export function evaluate(state: ClusterState, policies: readonly NetworkPolicy[], probes: readonly PortProbe[]): TruthTables {
  const engine = compilePolicies(state, policies);
  const tables: TruthTables = {};
  for (const probe of probes) tables[probeKey(probe)] = engine.truthTable(probe);
  return tables;
}
