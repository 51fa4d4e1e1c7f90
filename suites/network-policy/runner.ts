// Runs policy scenarios against the live model: applies each step, compares every probe step's
// observed truth tables with the engine's, and restores the model afterwards.
import { stringify } from 'yaml';
import type { Kube, KubeObject, ObjectRef } from '../../harness/kube/types.ts';
import { compilePolicies, renderComparison, type NetworkPolicy, type PortProbe } from '../../harness/netpol/index.ts';
import {
  cellName,
  describeResult,
  fqdnDigCommand,
  inconclusive,
  mismatchedCells,
  portKey,
  restrictToProbed,
  runBatch,
  settleMatrix,
  settleWindowMs,
  type ProbeSource,
  type ProbeTarget,
  type SettleResult,
  type TruthTables,
} from '../../harness/probe/index.ts';
import { liveCell, type CheckContext } from '../lib/conformance.ts';
import { deleteNamespaces, podIp } from '../lib/workloads.ts';
import {
  baseNamespaceLabels,
  basePodLabels,
  clusterStateOf,
  initialModelState,
  MODEL_NAMESPACES,
  MODEL_POD_KEYS,
  modelNamespaceObjects,
  modelPodObject,
  realNamespace,
  type ModelNamespace,
  type ModelPodKey,
  type ModelState,
} from './model.ts';
import { advance, expectedTables, type PlanState } from './plan.ts';
import { describeStep, stepsOf, type LabelPatch, type Scenario, type Step } from './scenario.ts';

/** The container probes are executed in (every model pod has one per served port). */
const PROBE_CONTAINER = 'cont-80';
const MODEL_READY_TIMEOUT_MS = 240_000;

export interface LiveModel {
  kube: Kube;
  /** The model as created: base labels and live IPs. */
  base: ModelState;
  sources: ProbeSource[];
  targets: ProbeTarget[];
}

function podRef(key: ModelPodKey) {
  const [ns, name] = key.split('/') as [ModelNamespace, string];
  return { apiVersion: 'v1', kind: 'Pod', namespace: realNamespace(ns), name };
}

/** Creates namespaces x, y, z and their pods a, b, c and waits until every pod is Ready. */
export async function setupModel(kube: Kube): Promise<LiveModel> {
  const runId = liveCell().runId;
  await kube.apply(modelNamespaceObjects(), { runId });
  const pods = MODEL_NAMESPACES.flatMap((ns) => MODEL_POD_KEYS.filter((key) => key.startsWith(`${ns}/`)).map((key) => modelPodObject(ns, key.split('/')[1]!)));
  await kube.apply(pods, { runId });
  await Promise.all(
    MODEL_NAMESPACES.map((ns) => kube.waitFor({ kind: 'podsReady', namespace: realNamespace(ns), minCount: 3 }, MODEL_READY_TIMEOUT_MS)),
  );
  const ips = Object.fromEntries(
    await Promise.all(MODEL_POD_KEYS.map(async (key) => [key, await podIp(kube, podRef(key).namespace, podRef(key).name)] as const)),
  ) as Record<ModelPodKey, string>;
  return {
    kube,
    base: initialModelState(ips),
    sources: MODEL_POD_KEYS.map((key) => ({ key, pod: { namespace: podRef(key).namespace, pod: podRef(key).name, container: PROBE_CONTAINER } })),
    targets: MODEL_POD_KEYS.map((key) => ({ key, host: ips[key] })),
  };
}

export async function teardownModel(kube: Kube): Promise<void> {
  await deleteNamespaces(kube, MODEL_NAMESPACES.map(realNamespace));
}

function toClusterPolicy(policy: NetworkPolicy): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: policy.metadata.name, namespace: realNamespace(policy.metadata.namespace ?? 'default') },
    spec: policy.spec,
  };
}

function policyRef(policy: NetworkPolicy): ObjectRef {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: policy.metadata.name, namespace: realNamespace(policy.metadata.namespace ?? 'default') };
}

/** The patch that turns `current` labels back into `base`. */
function restorePatch(current: Record<string, string>, base: Record<string, string>): LabelPatch {
  const patch: LabelPatch = {};
  for (const key of Object.keys(current)) if (!(key in base)) patch[key] = null;
  for (const [key, value] of Object.entries(base)) if (current[key] !== value) patch[key] = value;
  return patch;
}

/** Expected, observed and diff for every table that differs, and the engine's reason per wrong cell. */
function mismatchReport(state: ModelState, policies: NetworkPolicy[], probes: PortProbe[], expected: TruthTables, settled: SettleResult): string {
  const engine = compilePolicies(clusterStateOf(state), policies);
  const lines: string[] = [];
  const wrong = mismatchedCells(expected, settled.observed);
  for (const table of Object.keys(settled.observed.tables)) {
    if (!wrong.some((cell) => cell.table === table)) continue;
    lines.push('', renderComparison(expected[table] ?? {}, settled.observed.tables[table] ?? {}, table));
  }
  lines.push('', 'why each wrong cell was expected (policy engine) and what the probe saw:');
  for (const cell of wrong) {
    const probe = probes.find((p) => portKey(p) === cell.table)!;
    const why = engine.explain({ pod: cell.from }, { pod: cell.to }, probe).text;
    const observed = inconclusive(cell.result) ? `inconclusive, the probe did not run: ${describeResult(cell.result)}` : describeResult(cell.result);
    lines.push(`- ${cellName(cell)}: observed ${observed}; engine: ${why}`);
  }
  return lines.join('\n');
}

function policiesYaml(policies: NetworkPolicy[]): string {
  if (policies.length === 0) return '(no policies)';
  return policies.map((p) => stringify(p).trimEnd()).join('\n---\n');
}

interface RunState {
  model: LiveModel;
  plan: PlanState;
  flakes: string[];
  /** Every port a probe step of the scenario probed, by "port/protocol". */
  probed: Map<string, PortProbe>;
  /** API changes (objects applied, deleted or patched) made since the last probe step. */
  changesMade: number;
}

async function probeStep(run: RunState, probes: PortProbe[], label: string, scenario: Scenario): Promise<void> {
  for (const probe of probes) run.probed.set(portKey(probe), probe);
  const policies = [...run.plan.policies.values()];
  // A pod's traffic to its own IP never leaves it, so the engine (and every CNI) allows it; probing
  // it keeps the tables square and catches a broken loopback.
  const spec = { sources: run.model.sources, targets: run.model.targets, probes, includeSelf: true };
  const allTables = expectedTables(run.plan, probes);
  const changesMade = Math.max(1, run.changesMade);
  run.changesMade = 0;
  const settled = await settleMatrix(run.model.kube, spec, allTables, { changesMade });
  const expected = restrictToProbed(allTables, settled.observed);
  if (!settled.matched) {
    throw new Error(
      [
        `${scenario.name}: ${label}: connectivity still differs from the policies after ${settled.attempts} probe rounds (${(settled.elapsedMs / 1000).toFixed(1)} s).`,
        scenario.description,
        mismatchReport(run.plan.model, policies, probes, expected, settled),
        '',
        'policies in force:',
        policiesYaml(policies),
      ].join('\n'),
    );
  }
  // Converging (once per change made) is the CNI programming the policies, not flakiness.
  if (settled.verdict.verdict === 'flaky') {
    const made = `the ${changesMade} change${changesMade === 1 ? '' : 's'} made`;
    run.flakes.push(`${label}: matched after ${settled.attempts} probe rounds, but cells changed more often than ${made}: ${settled.verdict.flapped.join('; ')}`);
  }
}

const DNS_TIMEOUT_SECONDS = 2;

async function resolveStep(run: RunState, from: ModelPodKey, name: string, label: string, scenario: Scenario): Promise<void> {
  const source = run.model.sources.find((s) => s.key === from)!;
  const command = fqdnDigCommand(name, 'A', DNS_TIMEOUT_SECONDS);
  const deadline = Date.now() + settleWindowMs();
  const attempts: string[] = [];
  for (;;) {
    const result = (await runBatch(run.model.kube, source.pod, [{ id: 'dns', command, timeoutSeconds: DNS_TIMEOUT_SECONDS * 2 }])).get('dns')!;
    const answered = result.outcome === 'connected' && /^\d+\.\d+\.\d+\.\d+$/m.test(result.output);
    // Lookups follow a policy change: failing until the egress rule is programmed converges (pass).
    if (answered) return;
    attempts.push(describeResult(result));
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(
    [
      `${scenario.name}: ${label}: ${from} could not resolve ${name} — egress to cluster DNS is allowed by the policies but the lookup failed ${attempts.length} times: ${attempts.at(-1)}`,
      '',
      'policies in force:',
      policiesYaml([...run.plan.policies.values()]),
    ].join('\n'),
  );
}

/** Makes the cell follow one step (the plan state follows too), or probes it. */
async function runStep(run: RunState, step: Step, label: string, scenario: Scenario): Promise<void> {
  const { kube } = run.model;
  const runId = liveCell().runId;
  if ('apply' in step) {
    await kube.apply(step.apply.map(toClusterPolicy), { runId });
    run.changesMade += step.apply.length;
  } else if ('delete' in step) {
    for (const key of step.delete) {
      const policy = run.plan.policies.get(key);
      if (!policy) throw new Error(`${scenario.name}: ${label}: policy ${key} was never applied by this scenario`);
      await kube.delete(policyRef(policy));
      run.changesMade += 1;
    }
  } else if ('relabelPod' in step) {
    await kube.patch(podRef(step.relabelPod.pod), { metadata: { labels: step.relabelPod.labels } });
    run.changesMade += 1;
  } else if ('relabelNamespace' in step) {
    const { namespace, labels } = step.relabelNamespace;
    await kube.patch({ apiVersion: 'v1', kind: 'Namespace', name: realNamespace(namespace) }, { metadata: { labels } });
    run.changesMade += 1;
  } else if ('probe' in step) {
    await probeStep(run, step.probe, label, scenario);
  } else {
    await resolveStep(run, step.resolve.from, step.resolve.name, label, scenario);
  }
  advance(run.plan, step);
}

const RESTORE_PROBE: PortProbe = { port: 80, protocol: 'TCP' };

/**
 * Deletes the scenario's policies, restores labels and waits until the model is open again on
 * every port the scenario probed: a CNI programs the deletion late, and a port the policies left
 * open proves nothing about the ones they closed — the next scenario would meet them still closed.
 */
async function restore(run: RunState): Promise<void> {
  const { kube, base } = run.model;
  await Promise.all([...run.plan.policies.values()].map((policy) => kube.delete(policyRef(policy))));
  run.plan.policies.clear();
  for (const key of MODEL_POD_KEYS) {
    const patch = restorePatch(run.plan.model.podLabels[key], basePodLabels(key.split('/')[1]!));
    if (Object.keys(patch).length > 0) await kube.patch(podRef(key), { metadata: { labels: patch } });
  }
  for (const ns of MODEL_NAMESPACES) {
    const patch = restorePatch(run.plan.model.namespaceLabels[ns], baseNamespaceLabels(ns));
    if (Object.keys(patch).length > 0) await kube.patch({ apiVersion: 'v1', kind: 'Namespace', name: realNamespace(ns) }, { metadata: { labels: patch } });
  }
  run.plan.model = structuredClone(base);
  const probes = [...new Map([[portKey(RESTORE_PROBE), RESTORE_PROBE], ...run.probed]).values()];
  const expected = expectedTables(run.plan, probes);
  const settled = await settleMatrix(kube, { sources: run.model.sources, targets: run.model.targets, probes, includeSelf: true }, expected);
  if (!settled.matched) {
    const ports = probes.map(portKey).join(', ');
    throw new Error(`after deleting its policies the model is still not as open as with no policy on ${ports}:\n${mismatchReport(run.plan.model, [], probes, restrictToProbed(expected, settled.observed), settled)}`);
  }
}

/** Runs one scenario; throws a readable report on the first step that does not match. */
export async function runScenario(model: LiveModel, scenario: Scenario, ctx: CheckContext): Promise<void> {
  const run: RunState = { model, plan: { model: structuredClone(model.base), policies: new Map() }, flakes: [], probed: new Map(), changesMade: 0 };
  const steps = stepsOf(scenario, model.base);
  let failure: unknown;
  try {
    for (const [index, step] of steps.entries()) {
      await runStep(run, step, `step ${index + 1}/${steps.length} (${describeStep(step)})`, scenario);
    }
  } catch (error) {
    failure = error;
  }
  try {
    await restore(run);
  } catch (error) {
    failure ??= new Error(`${scenario.name}: restoring the model failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (failure) throw failure;
  if (run.flakes.length > 0) ctx.flaked(run.flakes.join('\n'));
}

/** The no-policy baseline: every model pod reaches every other on every probed port. */
export async function checkBaseline(model: LiveModel, probes: PortProbe[], ctx: CheckContext): Promise<void> {
  await runScenario(model, { name: 'baseline', description: 'No policies: every model pod reaches every other.', needs: [], steps: [{ probe: probes }] }, ctx);
}

/** Generous per-scenario timeout: every step may use a whole settle window, and so may the restore. */
export function scenarioTimeoutMs(scenario: Scenario): number {
  const steps = Array.isArray(scenario.steps) ? scenario.steps.length : 8;
  return 60_000 + (steps + 1) * (settleWindowMs() + 15_000);
}
