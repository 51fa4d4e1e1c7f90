// One real cell on the lane of test/real/lane (real kind, 3 nodes, offline): its time phase by phase
// (create, CNI ready, each suite, delete) and the harness's share of its wall time; on kindnet (the
// lane's CNI with NetworkPolicy, when kindnetd is built) a policy truth table's wall time against
// its physical limit: one probe timeout + two exec round trips. Needs what the lane needs (root,
// Docker, Go, gcc, debootstrap); without it the lines say why.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { createKube } from '../harness/kube/index.ts';
import type { Kube } from '../harness/kube/types.ts';
import type { CellInfo } from '../harness/model/cell.ts';
import type { PhaseTiming } from '../harness/model/results.ts';
import { evaluate } from '../harness/netpol/index.ts';
import { portKey, settleMatrix, type MatrixSpec } from '../harness/probe/index.ts';
import { profiles } from '../clusters/index.ts';
import { BIN as CNIMATRIX } from '../test/cli/spawn.ts';
import { REAL_BIN_ENV, realComponents } from '../test/real/components.ts';
import { laneEnv, laneRunArgs, laneWorkDir, prepareLane, type Lane } from '../test/real/lane/lane.ts';
import { laneUnavailable } from '../test/real/lane/require-lane.ts';
import { cellOverhead, GOAL_SHARE } from './cell-overhead.ts';
import { deleteModel, deployModel } from './policy-model.ts';
import { clusterPolicy, POLICIES, PROBE_TIMEOUT_SECONDS, TABLES } from './probe-tables.ts';
import { median, ms, type BenchMetric, type BenchResult } from './result.ts';

const SUITES = ['pod-network', 'services', 'dns'];
const EXEC_SAMPLES = 7;
const TABLE_REPETITIONS = 3;
/** A real table should stay within this many times its physical limit. */
const LIMIT_GOAL_RATIO = 2;

function phase(phases: PhaseTiming[], name: string): number {
  return phases.find((p) => p.phase === name)?.durationMs ?? 0;
}

/** Each suite's file time from the suites' jest --json output (start to end of the file). */
function suiteTimes(runDir: string, cellId: string): string[] {
  const file = join(runDir, 'suites', cellId, 'jest.json');
  if (!existsSync(file)) return [`suites: no ${file}`];
  const jest = JSON.parse(readFileSync(file, 'utf8')) as { testResults: { name: string; startTime: number; endTime: number }[] };
  return jest.testResults.map((r) => `${basename(r.name, '.suite.ts')} ${ms(r.endTime - r.startTime)}`);
}

async function run(lane: Lane, work: string, args: string[]) {
  const started = performance.now();
  const result = await execa(CNIMATRIX, args, { cwd: work, reject: false, extendEnv: false, env: laneEnv(lane), all: true });
  return { exitCode: result.exitCode, output: result.all ?? '', commandMs: performance.now() - started };
}

/** A whole cell, from create to delete: phases, suites, harness overhead. */
async function measureCell(lane: Lane, work: string, cni: string) {
  const runId = `bench-real-${process.pid}`;
  const suites = cni === 'kindnet' ? [...SUITES, 'network-policy'] : SUITES;
  const args = ['run', '--cni', cni, '--proxy-mode', 'iptables', '--suites', suites.join(','), ...laneRunArgs(lane, work, runId)];
  const result = await run(lane, work, args);
  const runDir = join(work, 'reports', runId);
  const overhead = cellOverhead({ runDir, command: `cnimatrix ${args.join(' ')} (real lane)`, ...result });
  const phases = overhead.cell.phases;
  const lines = [
    `per phase: create ${ms(phase(phases, 'create-cluster'))} · CNI ready (install-cni + wait-ready) ${ms(phase(phases, 'install-cni') + phase(phases, 'wait-ready'))} · verify-proxy-mode ${ms(phase(phases, 'verify-proxy-mode'))} · probe-capabilities ${ms(phase(phases, 'probe-capabilities'))} · run-suites ${ms(phase(phases, 'run-suites'))} · delete ${ms(phase(phases, 'delete-cluster'))}`,
    `per suite (test file wall): ${suiteTimes(runDir, overhead.cell.id).join(' · ')}`,
    ...overhead.lines,
  ];
  return { lines, share: overhead.share };
}

/** The time of an exec that does nothing: the fixed cost of every probe batch. */
async function execRoundTripMs(kube: Kube, pod: { namespace: string; pod: string; container?: string }): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < EXEC_SAMPLES; i++) {
    const started = performance.now();
    await kube.exec(pod, ['true']);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** Truth tables on a kept kindnet cluster: wall per table against one timeout + two exec round trips. */
async function measureTables(lane: Lane, work: string): Promise<{ lines: string[]; metrics: BenchMetric[] }> {
  const runId = 'reuse';
  const cluster = 'cnimatrix-reuse-kindnet-iptables';
  const created = await run(lane, work, ['run', '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'dns', '--reuse', ...laneRunArgs(lane, work, `bench-tables-${process.pid}`)]);
  if (created.exitCode !== 0) throw new Error(`creating the kept kindnet cell failed (exit ${created.exitCode}):\n${created.output.split('\n').slice(-15).join('\n')}`);
  const kubeconfigPath = join(work, 'kindnet.kubeconfig');
  const env = { ...process.env, DOCKER_HOST: lane.DOCKER_HOST };
  writeFileSync(kubeconfigPath, execFileSync(join(lane.BIN, 'kind'), ['get', 'kubeconfig', '--name', cluster], { env, encoding: 'utf8' }), { mode: 0o600 });
  try {
    const kube = createKube({ kubeconfigPath, runId });
    const cell: CellInfo = {
      id: 'kindnet-iptables', cni: 'kindnet', cniVersion: profiles.kindnet.version, proxyMode: 'iptables',
      // No SCTP in this kernel: the model's pods serve TCP and UDP only.
      capabilities: ['networkPolicy'], runId, strict: false, dockerNetwork: 'kind', clusterName: cluster,
    };
    const model = await deployModel(kube, cell);
    const roundTripMs = await execRoundTripMs(kube, model.sources[0]!.pod);
    const limitMs = PROBE_TIMEOUT_SECONDS * 1000 + 2 * roundTripMs;
    await kube.apply(POLICIES.map((p) => clusterPolicy(p, model)), { runId });
    const expected = evaluate(model.state, POLICIES, TABLES);
    const walls: Record<string, number[]> = {};
    let unmatched = 0;
    for (let rep = 0; rep < TABLE_REPETITIONS; rep++) {
      for (const probe of TABLES) {
        const spec: MatrixSpec = { sources: model.sources, targets: model.targets, probes: [probe], timeoutSeconds: PROBE_TIMEOUT_SECONDS, includeSelf: true };
        const started = performance.now();
        const settled = await settleMatrix(kube, spec, expected);
        (walls[portKey(probe)] ??= []).push(performance.now() - started);
        if (!settled.matched) unmatched += 1;
      }
    }
    await deleteModel(kube, model);
    const all = Object.values(walls).flat();
    return {
      lines: [
        `truth tables on real kindnet (kube-network-policies), ${model.sources.length} pods, policies ${POLICIES.map((p) => p.metadata.name).join(', ')}, probe timeout ${PROBE_TIMEOUT_SECONDS} s, ${TABLE_REPETITIONS} rounds`,
        `exec round trip (kubectl-equivalent exec of \`true\`, median of ${EXEC_SAMPLES}): ${ms(roundTripMs)}; physical limit per table = timeout + 2 round trips = ${ms(limitMs)}`,
        `wall per table: ${Object.entries(walls).map(([table, w]) => `${table} median ${ms(median(w))} max ${ms(Math.max(...w))}`).join(' · ')}; ${unmatched} of ${all.length} did not match the engine`,
        `median table / physical limit = ${(median(all) / limitMs).toFixed(2)}`,
      ],
      metrics: [{ metric: 'real truth table wall / physical limit (median)', measured: median(all) / limitMs, goal: LIMIT_GOAL_RATIO, unit: '×' }],
    };
  } finally {
    execFileSync(join(lane.BIN, 'kind'), ['delete', 'cluster', '--name', cluster], { env, stdio: 'ignore' });
  }
}

export async function benchRealCell(): Promise<BenchResult> {
  const components = await realComponents();
  if ('unavailable' in components) return { name: 'real-cell', lines: [`not measured: the real components cannot be built: ${components.unavailable}`] };
  process.env[REAL_BIN_ENV] = components.bin;
  const unavailable = laneUnavailable();
  if (unavailable !== undefined) return { name: 'real-cell', lines: [`not measured: ${unavailable}`] };
  const lane = prepareLane();
  const work = laneWorkDir(lane);
  try {
    const cni = lane.KINDNETD === 'yes' ? 'kindnet' : 'flannel';
    const cell = await measureCell(lane, work, cni);
    const tables =
      lane.KINDNETD === 'yes'
        ? await measureTables(lane, work)
        : { lines: ['truth tables: not measured: no lane CNI enforces NetworkPolicy here: Flannel has none; kindnet needs kindnetd (KINDNETD_SRC, test/real/lane/README.md) and a kernel with nft_queue'], metrics: [] };
    return {
      name: 'real-cell',
      lines: [`cell: ${cni} × iptables on the real lane (3 nodes)`, ...cell.lines, ...tables.lines],
      metrics: [{ metric: `harness overhead per real ${cni} cell`, measured: cell.share * 100, goal: GOAL_SHARE * 100, unit: '% of wall' }, ...tables.metrics],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
