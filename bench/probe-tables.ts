// Probing policy truth tables on one simulated cell whose execs each cost 100 ms: how many execs
// a table takes (goal: at most one per source pod) and how long settleMatrix takes per table
// (goal: 2.5 s), with a 1 s probe timeout.
import { performance } from 'node:perf_hooks';
import { createKube } from '../harness/kube/index.ts';
import type { Kube, KubeObject } from '../harness/kube/types.ts';
import { evaluate, type NetworkPolicy, type PortProbe } from '../harness/netpol/index.ts';
import { portKey, probeConcurrency, settleMatrix, waveSize, type MatrixSpec, type TruthTables } from '../harness/probe/index.ts';
import { startSimCell, type SimCell } from '../test/sim/harness.ts';
import { deleteModel, deployModel, MODEL_POD_KEYS, type BenchModel } from './policy-model.ts';
import { median, ms, type BenchMetric } from './result.ts';

export const EXEC_LATENCY_MS = 100;
export const PROBE_TIMEOUT_SECONDS = 1;
const REPETITIONS = 5;
const EXEC_GOAL_PER_TABLE = MODEL_POD_KEYS.length;
const WALL_GOAL_MS = 2500;

export const TABLES: PortProbe[] = (['TCP', 'UDP'] as const).flatMap((protocol) => [80, 81].map((port) => ({ port, protocol })));

/** Default-deny ingress in x, then only namespace y may reach x/a, on 80/TCP. */
export const POLICIES: NetworkPolicy[] = [
  { metadata: { name: 'default-deny-ingress', namespace: 'x' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
  {
    metadata: { name: 'allow-y-to-a-80', namespace: 'x' },
    spec: {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
    },
  },
];

interface Call {
  tables: string[];
  execs: number;
  dataplaneExecs: number;
  wallMs: number;
  attempts: number;
  matched: boolean;
}

async function measuredSettle(sim: SimCell, model: BenchModel, kube: Kube, probes: PortProbe[], expected: TruthTables): Promise<Call> {
  const spec: MatrixSpec = { sources: model.sources, targets: model.targets, probes, timeoutSeconds: PROBE_TIMEOUT_SECONDS, includeSelf: true };
  const before = await sim.apiStats();
  const started = performance.now();
  const settled = await settleMatrix(kube, spec, expected);
  const wallMs = performance.now() - started;
  const after = await sim.apiStats();
  return {
    tables: probes.map(portKey),
    execs: after.execs - before.execs,
    dataplaneExecs: after.dataplaneExecs - before.dataplaneExecs,
    wallMs,
    attempts: settled.attempts,
    matched: settled.matched,
  };
}

export function clusterPolicy(policy: NetworkPolicy, model: BenchModel): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: policy.metadata.name, namespace: model.realNamespace(policy.metadata.namespace ?? 'default') },
    spec: policy.spec,
  };
}

function allowedCount(table: Record<string, Record<string, boolean>>): number {
  return Object.values(table).reduce((sum, row) => sum + Object.values(row).filter(Boolean).length, 0);
}

export interface ProbeTablesResult {
  lines: string[];
  metrics: BenchMetric[];
  /** What the suite's beforeAll/afterAll do, timed here: creating the model, deleting it. */
  modelSetupMs: number;
  modelTeardownMs: number;
}

export async function benchProbeTables(): Promise<ProbeTablesResult> {
  const sim = await startSimCell({ cni: 'calico', proxyMode: 'iptables', execLatencyMs: EXEC_LATENCY_MS });
  try {
    const kube = createKube({ kubeconfigPath: sim.kubeconfigPath, runId: sim.cell.runId });
    const setupStarted = performance.now();
    const model = await deployModel(kube, sim.cell);
    const setupMs = performance.now() - setupStarted;
    await kube.apply(POLICIES.map((p) => clusterPolicy(p, model)), { runId: sim.cell.runId });
    const expected = evaluate(model.state, POLICIES, TABLES);

    const single: Call[] = [];
    const combined: Call[] = [];
    for (let rep = 0; rep < REPETITIONS; rep++) {
      for (const probe of TABLES) single.push(await measuredSettle(sim, model, kube, [probe], expected));
      combined.push(await measuredSettle(sim, model, kube, TABLES, expected));
    }

    const teardownStarted = performance.now();
    await deleteModel(kube, model);
    const teardownMs = performance.now() - teardownStarted;

    const byTable = (table: string) => single.filter((call) => call.tables[0] === table);
    const maxExecs = Math.max(...single.map((call) => call.execs));
    const combinedExecs = Math.max(...combined.map((call) => call.execs));
    const calls = [...single, ...combined];
    const unmatched = calls.filter((call) => !call.matched);
    const walls = single.map((call) => call.wallMs);
    const pairs = MODEL_POD_KEYS.length * MODEL_POD_KEYS.length;
    const wave = waveSize(probeConcurrency(), model.sources.length);
    const realWaves = Math.ceil(model.targets.length / wave);
    const lines = [
      `cell: sim calico/iptables, 3 nodes, exec latency ${EXEC_LATENCY_MS} ms per exec (CNIMATRIX_SIM_EXEC_LATENCY_MS at kind create, read by the cluster process), probe timeout ${PROBE_TIMEOUT_SECONDS} s`,
      `model: ${MODEL_POD_KEYS.length} pods (x/y/z × a/b/c), ${pairs} pairs per table (self included, as the suite probes); policies: ${POLICIES.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')}`,
      `model setup (apply, 9 pods Ready, IPs read) ${ms(setupMs)}; teardown (3 namespaces deleted and gone) ${ms(teardownMs)}`,
      `expected (engine): ${TABLES.map((probe) => `${portKey(probe)} ${allowedCount(expected[portKey(probe)]!)}/${pairs} allowed`).join(' · ')}`,
      `settle: ${calls.length - unmatched.length}/${calls.length} calls matched the engine; attempts per call: max ${Math.max(...calls.map((c) => c.attempts))}` +
        (unmatched.length > 0 ? `; UNMATCHED: ${unmatched.map((c) => c.tables.join('+')).join(', ')}` : ''),
      `execs per table, one settleMatrix per table (max of ${REPETITIONS}): ${TABLES.map((probe) => `${portKey(probe)} ${Math.max(...byTable(portKey(probe)).map((c) => c.execs))}`).join(' · ')} (goal <= ${EXEC_GOAL_PER_TABLE}, one per source pod; dataplane answered ${Math.max(...single.map((c) => c.dataplaneExecs))} per call)`,
      `execs for all ${TABLES.length} tables in one settleMatrix: ${combinedExecs} = ${(combinedExecs / TABLES.length).toFixed(2)} per table`,
      `wall per table (settleMatrix, ${single.length} calls): ${TABLES.map((probe) => {
        const w = byTable(portKey(probe)).map((c) => c.wallMs);
        return `${portKey(probe)} median ${ms(median(w))} max ${ms(Math.max(...w))}`;
      }).join(' · ')}; overall median ${ms(median(walls))}, max ${ms(Math.max(...walls))} (goal <= ${WALL_GOAL_MS} ms)`,
      `wall for all ${TABLES.length} tables in one settleMatrix: median ${ms(median(combined.map((c) => c.wallMs)))}, max ${ms(Math.max(...combined.map((c) => c.wallMs)))}`,
      // The sim answers a blocked probe at once; a real pod waits out its timeout, once per wave.
      `note: the sim answers blocked probes at once; in a real pod a blocked probe waits its ${PROBE_TIMEOUT_SECONDS} s timeout, and a source runs its ${model.targets.length} probes per table in ${realWaves} wave(s) of ${wave} (probe concurrency ${probeConcurrency()} over ${model.sources.length} sources), so a real table whose every wave holds a blocked cell takes about ${ms(median(walls) + realWaves * PROBE_TIMEOUT_SECONDS * 1000)} (median + waves × timeout)`,
    ];
    return {
      lines,
      modelSetupMs: setupMs,
      modelTeardownMs: teardownMs,
      metrics: [
        { metric: 'execs per truth table (max)', measured: maxExecs, goal: EXEC_GOAL_PER_TABLE, unit: 'execs' },
        { metric: 'wall per truth table (median)', measured: median(walls), goal: WALL_GOAL_MS, unit: 'ms' },
        { metric: 'wall per truth table (max)', measured: Math.max(...walls), goal: WALL_GOAL_MS, unit: 'ms' },
      ],
    };
  } finally {
    await sim.stop();
  }
}
