// Harness overhead of one cell of a real `cnimatrix run` against the sim: the share of the cell's
// wall time that is neither the cluster (kind create/delete, waiting for readiness) nor the
// tests themselves. Goal: at most 5%.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PhaseName, PhaseTiming } from '../harness/model/results.ts';
import { readCellJUnit } from '../harness/report/junit-read.ts';
import { cellJUnitPath } from '../harness/report/junit-write.ts';
import type { Matrix, MatrixCell } from '../harness/report/matrix.ts';
import { createSimWorld, type SimWorld } from '../test/e2e/run-harness.ts';
import { EXEC_LATENCY_MS } from './probe-tables.ts';
import { ms, percent, type BenchMetric } from './result.ts';

/** Runs of the cell; the median share is the measured value. */
const RUNS = 3;
export const GOAL_SHARE = 0.05;
/** Phases that are the cluster's own time: creating it, deleting it, waiting for it. */
const EXTERNAL_PHASES: readonly PhaseName[] = ['create-cluster', 'delete-cluster', 'wait-ready'];

/** The parts of jest's --json output that carry timestamps (epoch ms). */
interface JestTimes {
  startTime: number;
  testResults: { name: string; startTime: number; endTime: number }[];
}

interface Contributor {
  what: string;
  ms: number;
}

/** The suite's hooks timed on their own (model setup and teardown), to split the test file's time. */
export interface HookReference {
  modelSetupMs: number;
  modelTeardownMs: number;
}

const FILE_OUTSIDE_TESTS = 'test file outside its tests (test environment, module load, beforeAll model setup, afterAll namespace teardown)';

function phaseMs(phases: PhaseTiming[], name: PhaseName): number {
  return phases.filter((p) => p.phase === name).reduce((sum, p) => sum + p.durationMs, 0);
}

/** The run-suites phase outside the tests, split by jest's own timestamps when they exist. */
function suiteProcessParts(runSuites: PhaseTiming, testsMs: number, jestFile: string): Contributor[] {
  const outside = runSuites.durationMs - testsMs;
  if (!existsSync(jestFile)) return [{ what: 'run-suites outside tests (no jest.json to split it)', ms: outside }];
  const jest = JSON.parse(readFileSync(jestFile, 'utf8')) as JestTimes;
  const phaseStart = Date.parse(runSuites.startedAt);
  const phaseEnd = phaseStart + runSuites.durationMs;
  const fileStart = Math.min(...jest.testResults.map((r) => r.startTime));
  const fileEnd = Math.max(...jest.testResults.map((r) => r.endTime));
  const fileRuntime = jest.testResults.reduce((sum, r) => sum + (r.endTime - r.startTime), 0);
  return [
    { what: 'jest start-up (spawn, node, jest config) until jest starts the run', ms: jest.startTime - phaseStart },
    { what: 'jest run start until the first test file starts', ms: fileStart - jest.startTime },
    { what: FILE_OUTSIDE_TESTS, ms: fileRuntime - testsMs },
    { what: 'between test files', ms: fileEnd - fileStart - fileRuntime },
    { what: 'jest exit and reading its results', ms: phaseEnd - fileEnd },
  ];
}

/** A `cnimatrix run` of one cell that has ended: where its reports are and how the command went. */
export interface FinishedRun {
  runDir: string;
  /** The command as shown, with where it ran (sim, real lane). */
  command: string;
  exitCode: number | undefined;
  output: string;
  commandMs: number;
}

/** One `cnimatrix run`: its overhead share and the lines that explain it. */
async function measureRun(world: SimWorld, runId: string, hooks: HookReference): Promise<{ share: number; lines: string[] }> {
  const args = ['run', '--config', world.configFile, '--cni', 'calico', '--proxy-mode', 'iptables', '--suites', 'network-policy', '--run-id', runId];
  const started = performance.now();
  const result = await world.cnimatrix(args, { CNIMATRIX_SIM_EXEC_LATENCY_MS: String(EXEC_LATENCY_MS) });
  const command = `cnimatrix ${args.slice(0, 1).concat(args.slice(3)).join(' ')} (sim, exec latency ${EXEC_LATENCY_MS} ms)`;
  return cellOverhead({ runDir: join(world.reportsDir, runId), command, exitCode: result.exitCode, output: result.all ?? '', commandMs: performance.now() - started }, hooks);
}

/** The harness's share of the one cell of a finished run, and the lines that explain it. */
export function cellOverhead(run: FinishedRun, hooks?: HookReference): { share: number; lines: string[]; cell: MatrixCell } {
  const { runDir, commandMs, exitCode: runExitCode } = run;
  const matrixFile = join(runDir, 'matrix.json');
  if (!existsSync(matrixFile)) {
    throw new Error(`cnimatrix run exited ${runExitCode} without writing ${matrixFile}:\n${run.output.split('\n').slice(-20).join('\n')}`);
  }
  const matrix = JSON.parse(readFileSync(matrixFile, 'utf8')) as Matrix;
  const cell: MatrixCell | undefined = matrix.cells[0];
  if (!cell || matrix.cells.length !== 1) throw new Error(`expected exactly 1 cell in ${matrixFile}, found ${matrix.cells.length}`);
  // matrix.json keeps no cell start/finish; the cell's JUnit does.
  const junit = readCellJUnit(readFileSync(cellJUnitPath(runDir, cell.id), 'utf8'));
  const wallMs = Date.parse(junit.finishedAt) - Date.parse(junit.startedAt);
  const tests = matrix.tests.flatMap((t) => (t.results[cell.id] ? [t.results[cell.id]!] : []));
  const testsMs = tests.reduce((sum, t) => sum + t.durationMs, 0);
  const externalPhasesMs = EXTERNAL_PHASES.reduce((sum, name) => sum + phaseMs(cell.phases, name), 0);
  const externalMs = externalPhasesMs + testsMs;
  const overheadMs = wallMs - externalMs;
  const share = overheadMs / wallMs;

  const runSuites = cell.phases.find((p) => p.phase === 'run-suites');
  const phasesSum = cell.phases.reduce((sum, p) => sum + p.durationMs, 0);
  const contributors: Contributor[] = [
    ...cell.phases
      .filter((p) => !EXTERNAL_PHASES.includes(p.phase) && p.phase !== 'run-suites' && p.durationMs > 0)
      .map((p) => ({ what: `${p.phase} phase`, ms: p.durationMs })),
    ...(runSuites ? suiteProcessParts(runSuites, testsMs, join(runDir, 'suites', cell.id, 'jest.json')) : []),
    { what: 'between phases (progress, timing)', ms: wallMs - phasesSum },
  ].sort((a, b) => b.ms - a.ms);
  const outcome = tests.reduce<Record<string, number>>((counts, t) => ({ ...counts, [t.status]: (counts[t.status] ?? 0) + 1 }), {});

  const lines = [
    `command: ${run.command} exited ${runExitCode} in ${ms(commandMs)}; tests: ${Object.entries(outcome).map(([s, n]) => `${n} ${s}`).join(', ')}`,
    `cell ${cell.id} wall = finishedAt - startedAt of the cell (its JUnit) = ${ms(wallMs)}`,
    `phases: ${cell.phases.map((p) => `${p.phase} ${p.status === 'skipped' ? 'skipped' : ms(p.durationMs)}`).join(' · ')}`,
    `definition: external = create-cluster + delete-cluster + wait-ready phases + sum of tests[].durationMs; harness overhead = cell wall - external (jest start-up, suite hooks, installs, verify, collect, gaps)`,
    `external: ${ms(externalPhasesMs)} phases + ${ms(testsMs)} in ${tests.length} tests = ${ms(externalMs)}`,
    `harness overhead: ${ms(overheadMs)} = ${percent(share)} of the cell wall (goal <= ${percent(GOAL_SHARE)}; ${share <= GOAL_SHARE ? 'met' : 'missed'})`,
    `overhead by contributor, largest first: ${contributors.filter((c) => c.ms !== 0).map((c) => `${c.what} ${ms(c.ms)} (${percent(c.ms / wallMs)})`).join(' · ')}`,
    `outside the cell (CLI start-up, plan, kind version and leak check, JUnit/matrix writing): ${ms(commandMs - wallMs)} of the ${ms(commandMs)} command`,
  ];
  const fileOutside = contributors.find((c) => c.what === FILE_OUTSIDE_TESTS);
  if (fileOutside && hooks) {
    const hooksMs = hooks.modelSetupMs + hooks.modelTeardownMs;
    lines.push(
      `the test file's ${ms(fileOutside.ms)} outside tests holds the suite's beforeAll/afterAll; the same model setup + teardown took ${ms(hooks.modelSetupMs)} + ${ms(hooks.modelTeardownMs)} on the truth-table cell, leaving about ${ms(fileOutside.ms - hooksMs)} for the test environment and module load (estimate)`,
    );
  }
  if (runExitCode !== 0) lines.push(`warning: the run did not pass; its last lines:\n${run.output.split('\n').slice(-10).join('\n')}`);
  return { share, lines, cell };
}

/**
 * Runs the cell RUNS times (the machine is shared, so one run is noisy) and shows the run with the
 * median share in full.
 */
export async function benchCellOverhead(hooks: HookReference): Promise<{ lines: string[]; metrics: BenchMetric[] }> {
  const world = createSimWorld();
  try {
    const runs: { share: number; lines: string[] }[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const runId = `bench-${process.pid}-${run}`;
      try {
        runs.push(await measureRun(world, runId, hooks));
      } finally {
        await world.deleteAllClusters();
        // `cnimatrix run` keeps the cells' kubeconfigs in <tmp>/cnimatrix-<runId> after the run.
        rmSync(join(tmpdir(), `cnimatrix-${runId}`), { recursive: true, force: true });
      }
    }
    const shown = [...runs].sort((a, b) => a.share - b.share)[Math.floor(runs.length / 2)]!;
    return {
      lines: [
        `${RUNS} runs, overhead shares in order: ${runs.map((r) => percent(r.share)).join(', ')}; the median run in full:`,
        ...shown.lines,
      ],
      metrics: [{ metric: 'harness overhead per cell (median run)', measured: shown.share * 100, goal: GOAL_SHARE * 100, unit: '% of wall' }],
    };
  } finally {
    await world.dispose();
  }
}
