// The shape of a policy scenario: data only. A scenario is a list of steps that change the
// cluster (policies, labels) and probe steps that compare the truth tables the engine expects
// with what the cell does.
import type { Capability } from '../../harness/model/cell.ts';
import type { NetworkPolicy, PortProbe } from '../../harness/netpol/index.ts';
import { withRangeBoundaries } from './boundaries.ts';
import type { ModelNamespace, ModelPodKey, ModelState } from './model.ts';

/** Label changes: a string sets the label, null removes it. */
export type LabelPatch = Record<string, string | null>;

export type Step =
  /** Create or update (same name) policies; metadata.namespace is a model namespace (x, y, z). */
  | { apply: NetworkPolicy[] }
  /** Delete policies by "<model namespace>/<name>". */
  | { delete: string[] }
  | { relabelPod: { pod: ModelPodKey; labels: LabelPatch } }
  | { relabelNamespace: { namespace: ModelNamespace; labels: LabelPatch } }
  /**
   * Probe every model pod → every other model pod on these ports (and on the boundaries of every
   * port range in force, boundaries.ts); compare with the engine.
   */
  | { probe: PortProbe[] }
  /** From a model pod, resolve a cluster DNS name; the lookup must answer (egress to DNS allowed). */
  | { resolve: { from: ModelPodKey; name: string } };

export interface Scenario {
  /** Short, unique, stable: the test's name in reports. */
  name: string;
  description: string;
  needs: Capability[];
  /** Steps; a function when they depend on the live model (e.g. ipBlocks built from pod IPs). */
  steps: Step[] | ((model: ModelState) => Step[]);
}

/** The steps as they run: built for the live model, every probe step with its range boundaries. */
export function stepsOf(scenario: Scenario, model: ModelState): Step[] {
  return withRangeBoundaries(typeof scenario.steps === 'function' ? scenario.steps(model) : scenario.steps);
}

export function describeStep(step: Step): string {
  if ('apply' in step) return `apply ${step.apply.map((p) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`).join(', ')}`;
  if ('delete' in step) return `delete ${step.delete.join(', ')}`;
  if ('relabelPod' in step) return `relabel pod ${step.relabelPod.pod} ${JSON.stringify(step.relabelPod.labels)}`;
  if ('relabelNamespace' in step) return `relabel namespace ${step.relabelNamespace.namespace} ${JSON.stringify(step.relabelNamespace.labels)}`;
  if ('probe' in step) return `probe ${step.probe.map((p) => `${p.port}/${p.protocol}`).join(', ')}`;
  return `resolve ${step.resolve.name} from ${step.resolve.from}`;
}
