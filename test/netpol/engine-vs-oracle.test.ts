// Cross-checks the engine against an independent, naive reading of the specification on many
// generated scenarios: truth tables, single decisions and explanations must all agree.
import { describe, expect, test } from '@jest/globals';
import { compilePolicies, evaluate, parseScenario, podKey, probeKey } from '../../harness/netpol/index.ts';
import { benchCluster } from '../../bench/netpol.ts';
import { oracleAllowed } from './oracle.ts';
import { RANDOM_PROBES, randomScenario } from './random-scenarios.ts';

const SEEDS = Array.from({ length: 400 }, (_, i) => i + 1);

describe('engine agrees with the naive oracle', () => {
  test('on 400 generated scenarios, every pair and probe', () => {
    let allowedCells = 0;
    let deniedCells = 0;
    const disagreements: string[] = [];
    for (const seed of SEEDS) {
      const { state, policies } = randomScenario(seed);
      // Generated scenarios are valid API objects: the schema must accept them unchanged.
      parseScenario({ ...state, policies, probes: RANDOM_PROBES });
      const tables = evaluate(state, policies, RANDOM_PROBES);
      const engine = compilePolicies(state, policies);
      for (const probe of RANDOM_PROBES) {
        const table = tables[probeKey(probe)]!;
        for (const from of state.pods) {
          for (const to of state.pods) {
            const expected = oracleAllowed(state, policies, from, to, probe);
            const where = `seed ${seed} ${probeKey(probe)} ${podKey(from)} -> ${podKey(to)}`;
            if (table[podKey(from)]![podKey(to)] !== expected) disagreements.push(`${where}: table says ${!expected}`);
            if (engine.allowed({ pod: podKey(from) }, { pod: podKey(to) }, probe) !== expected) disagreements.push(`${where}: allowed() says ${!expected}`);
            if (expected) allowedCells++;
            else deniedCells++;
          }
        }
      }
    }
    expect(disagreements.slice(0, 20)).toEqual([]);
    // The generator must exercise both outcomes in quantity, or agreement proves little.
    expect(deniedCells).toBeGreaterThan(5000);
    expect(allowedCells).toBeGreaterThan(5000);
  });

  test('explanations agree with decisions and name the admitting rule of every isolated side', () => {
    for (const seed of SEEDS.slice(0, 60)) {
      const { state, policies } = randomScenario(seed);
      const engine = compilePolicies(state, policies);
      for (const probe of RANDOM_PROBES) {
        for (const from of state.pods) {
          for (const to of state.pods) {
            const explanation = engine.explain({ pod: podKey(from) }, { pod: podKey(to) }, probe);
            expect(explanation.allowed).toBe(engine.allowed({ pod: podKey(from) }, { pod: podKey(to) }, probe));
            expect(explanation.text.startsWith(explanation.allowed ? 'allowed: ' : 'denied: ')).toBe(true);
            for (const side of [explanation.egress, explanation.ingress]) {
              expect(side.isolated).toBe(side.isolatingPolicies.length > 0);
              if (side.allowedBy) expect(side.isolatingPolicies).toContain(side.allowedBy.policy);
            }
            if (explanation.allowed && from !== to) {
              for (const side of [explanation.egress, explanation.ingress]) {
                if (side.isolated) expect(side.allowedBy).toBeDefined();
              }
            }
          }
        }
      }
    }
  });

  test('engine.matrix gives the truth-table decisions by pod index', () => {
    for (const seed of SEEDS.slice(0, 50)) {
      const { state, policies } = randomScenario(seed);
      const engine = compilePolicies(state, policies);
      for (const probe of RANDOM_PROBES) {
        const matrix = engine.matrix(probe);
        const table = engine.truthTable(probe);
        expect(matrix.podKeys).toEqual(engine.podKeys);
        const fromMatrix = Object.fromEntries(matrix.podKeys.map((from, f) => [from, Object.fromEntries(matrix.podKeys.map((to, t) => [to, matrix.allowed(f, t)]))]));
        expect(fromMatrix).toEqual(table);
      }
    }
  });

  test('on the benchmark cluster mix, scaled down', () => {
    const { state, policies } = benchCluster({ namespaces: 6, pods: 90, policies: 40, seed: 7 });
    const probes = [{ port: 8080, protocol: 'TCP' as const }, { port: 53, protocol: 'UDP' as const }, { port: 5432, protocol: 'TCP' as const }, { port: 8500, protocol: 'TCP' as const }];
    parseScenario({ ...state, policies, probes });
    const tables = evaluate(state, policies, probes);
    const disagreements: string[] = [];
    let denied = 0;
    for (const probe of probes) {
      for (const from of state.pods) {
        for (const to of state.pods) {
          const expected = oracleAllowed(state, policies, from, to, probe);
          if (!expected) denied++;
          if (tables[probeKey(probe)]![podKey(from)]![podKey(to)] !== expected) disagreements.push(`${probeKey(probe)} ${podKey(from)} -> ${podKey(to)}`);
        }
      }
    }
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(denied).toBeGreaterThan(1000);
  });
});
