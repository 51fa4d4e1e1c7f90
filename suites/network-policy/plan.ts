// What a scenario means without a cluster: the model state and policies after each step, and
// the truth tables the engine expects at each probe step. The runner executes the same
// transitions against the cell; unit tests check the catalogue with it.
import { evaluate, policyKey, type NetworkPolicy, type PortProbe, type TruthTables } from '../../harness/netpol/index.ts';
import { clusterStateOf, type ModelState } from './model.ts';
import { describeStep, stepsOf, type LabelPatch, type Scenario, type Step } from './scenario.ts';

export function patchLabels(labels: Record<string, string>, patch: LabelPatch): Record<string, string> {
  const next = { ...labels };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** The model state and the policies in force, as the steps so far left them. */
export interface PlanState {
  model: ModelState;
  policies: Map<string, NetworkPolicy>;
}

/** Applies a step's change to the plan state (probe and resolve steps change nothing). */
export function advance(state: PlanState, step: Step): void {
  if ('apply' in step) {
    for (const policy of step.apply) state.policies.set(policyKey(policy), policy);
  } else if ('delete' in step) {
    for (const key of step.delete) {
      if (!state.policies.delete(key)) throw new Error(`step "${describeStep(step)}": policy ${key} was never applied`);
    }
  } else if ('relabelPod' in step) {
    const { pod, labels } = step.relabelPod;
    state.model.podLabels[pod] = patchLabels(state.model.podLabels[pod], labels);
  } else if ('relabelNamespace' in step) {
    const { namespace, labels } = step.relabelNamespace;
    state.model.namespaceLabels[namespace] = patchLabels(state.model.namespaceLabels[namespace], labels);
  }
}

/** The engine's truth tables for `probes` in the current state (every pod pair, self included). */
export function expectedTables(state: PlanState, probes: PortProbe[]): TruthTables {
  return evaluate(clusterStateOf(state.model), [...state.policies.values()], probes);
}

export interface Checkpoint {
  step: number;
  label: string;
  probes: PortProbe[];
  policies: NetworkPolicy[];
  model: ModelState;
  expected: TruthTables;
}

/** Every probe step of a scenario with the tables the engine expects there. */
export function checkpoints(scenario: Scenario, base: ModelState): Checkpoint[] {
  const state: PlanState = { model: structuredClone(base), policies: new Map() };
  const steps = stepsOf(scenario, base);
  const result: Checkpoint[] = [];
  steps.forEach((step, index) => {
    advance(state, step);
    if ('probe' in step) {
      result.push({
        step: index + 1,
        label: `step ${index + 1}/${steps.length} (${describeStep(step)})`,
        probes: step.probe,
        policies: [...state.policies.values()],
        model: structuredClone(state.model),
        expected: expectedTables(state, step.probe),
      });
    }
  });
  return result;
}
