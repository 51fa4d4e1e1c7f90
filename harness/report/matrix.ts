// The run's tests × cells matrix: the versioned document behind matrix.json, matrix.md and
// matrix.html (schema: docs/matrix-schema.md).
import { z } from 'zod';
import { CAPABILITIES, CNI_NAMES, PROXY_MODES, SUITE_NAMES } from '../model/cell.ts';
import type { Capability, CniName, ProxyMode } from '../model/cell.ts';
import { PHASES, reportSuiteOrder, TEST_STATUSES } from '../model/results.ts';
import type { CellResult, PhaseTiming, TestStatus } from '../model/results.ts';

export const MATRIX_SCHEMA_VERSION = 'cnimatrix.io/matrix/v1';

export interface RunInfo {
  id: string;
  startedAt: string;
  finishedAt: string;
  host: string;
  cnimatrixVersion: string;
  /** Requested combinations the plan could not run, each with its reason. */
  notRun?: { id: string; reason: string }[];
  /** Set when the run ended before any cell ran (bad input, an unusable cluster, refused pins). */
  ended?: RunEnded;
}

export interface RunEnded {
  exitCode: number;
  message: string;
  hint?: string;
}

export interface MatrixCell {
  id: string;
  cni: CniName;
  cniVersion: string;
  proxyMode: ProxyMode;
  kindVersion: string;
  kubernetesVersion: string;
  nodeImage: string;
  host: string;
  runId: string;
  /** Declared by the cell's profile. */
  capabilities: Capability[];
  /** Declared capabilities the live cluster was probed not to have, with the evidence; absent when none (and in files written before the probe). */
  probedAbsent?: Partial<Record<Capability, string>>;
  phases: PhaseTiming[];
  error?: NonNullable<CellResult['error']>;
}

export interface MatrixResult {
  status: TestStatus;
  durationMs: number;
  message?: string;
  detail?: string;
  /** What the check measured (upgrade checks: gaps, broken connections, leak windows). */
  figures?: Record<string, string>;
}

export interface MatrixTest {
  suite: string;
  name: string;
  /** Keyed by cell id; a cell that did not run the test has no entry. */
  results: Record<string, MatrixResult>;
}

export type StatusCounts = Record<TestStatus, number>;

export interface Matrix {
  schemaVersion: typeof MATRIX_SCHEMA_VERSION;
  run: RunInfo;
  cells: MatrixCell[];
  tests: MatrixTest[];
  summary: Record<string, StatusCounts>;
}

export function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, flaky: 0, unsupported: 0, error: 0 };
}

/** Builds the matrix: cells in CNI × proxy-mode order, tests by suite then first appearance. */
export function buildMatrix(results: readonly CellResult[], run: RunInfo): Matrix {
  const ordered = [...results].sort(compareCells);
  const tests = new Map<string, MatrixTest>();
  const summary: Record<string, StatusCounts> = {};
  for (const result of ordered) {
    const counts = emptyCounts();
    for (const test of result.tests) {
      const key = testKey(test.suite, test.name);
      let row = tests.get(key);
      if (row === undefined) {
        row = { suite: test.suite, name: test.name, results: {} };
        tests.set(key, row);
      }
      row.results[result.cell.id] = {
        status: test.status,
        durationMs: test.durationMs,
        ...(test.message === undefined ? {} : { message: test.message }),
        ...(test.detail === undefined ? {} : { detail: test.detail }),
        ...(test.figures === undefined ? {} : { figures: { ...test.figures } }),
      };
    }
    for (const row of tests.values()) {
      const status = row.results[result.cell.id]?.status;
      if (status !== undefined) counts[status]++;
    }
    summary[result.cell.id] = counts;
  }
  return {
    schemaVersion: MATRIX_SCHEMA_VERSION,
    run,
    cells: ordered.map(matrixCell),
    tests: [...tests.values()].sort((a, b) => reportSuiteOrder(a.suite) - reportSuiteOrder(b.suite)),
    summary,
  };
}

export function testKey(suite: string, name: string): string {
  return `${suite}\u0000${name}`;
}

function matrixCell(result: CellResult): MatrixCell {
  const { cell } = result;
  return {
    id: cell.id,
    cni: cell.cni,
    cniVersion: cell.cniVersion,
    proxyMode: cell.proxyMode,
    kindVersion: cell.kindVersion,
    kubernetesVersion: cell.kubernetesVersion,
    nodeImage: cell.nodeImage,
    host: cell.host,
    runId: result.runId,
    capabilities: [...cell.capabilities],
    ...(cell.probedAbsent === undefined ? {} : { probedAbsent: { ...cell.probedAbsent } }),
    phases: result.phases.map((p) => ({ ...p })),
    ...(result.error === undefined ? {} : { error: { ...result.error } }),
  };
}

function compareCells(a: CellResult, b: CellResult): number {
  return (
    CNI_NAMES.indexOf(a.cell.cni) - CNI_NAMES.indexOf(b.cell.cni) ||
    PROXY_MODES.indexOf(a.cell.proxyMode) - PROXY_MODES.indexOf(b.cell.proxyMode) ||
    a.cell.id.localeCompare(b.cell.id)
  );
}

/** Run information for cells gathered from several runs or machines (`cnimatrix report`). */
export function mergedRunInfo(results: readonly CellResult[], cnimatrixVersion: string): RunInfo {
  const distinct = (values: string[]) => [...new Set(values.filter((v) => v !== ''))];
  const starts = distinct(results.map((r) => r.startedAt)).sort();
  const ends = distinct(results.map((r) => r.finishedAt)).sort();
  return {
    id: distinct(results.map((r) => r.runId)).join('+'),
    startedAt: starts[0] ?? '',
    finishedAt: ends.at(-1) ?? '',
    host: distinct(results.map((r) => r.cell.host)).join(', '),
    cnimatrixVersion,
  };
}

/** The overall outcome of a matrix: any fail or error (test- or cell-level) is a failure. */
export function matrixHasFailures(matrix: Matrix): boolean {
  if (matrix.run.ended !== undefined) return true;
  return matrix.cells.some((c) => c.error !== undefined) || Object.values(matrix.summary).some((c) => c.fail + c.error > 0);
}

const statusSchema = z.enum(TEST_STATUSES);
const phaseSchema = z.object({
  phase: z.enum(PHASES),
  status: z.enum(['ok', 'failed', 'skipped']),
  startedAt: z.string(),
  durationMs: z.number(),
  error: z.string().optional(),
});
const matrixSchema = z.object({
  schemaVersion: z.literal(MATRIX_SCHEMA_VERSION),
  run: z.object({
    id: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
    host: z.string(),
    cnimatrixVersion: z.string(),
    notRun: z.array(z.object({ id: z.string(), reason: z.string() })).optional(),
    ended: z.object({ exitCode: z.number().int(), message: z.string(), hint: z.string().optional() }).optional(),
  }),
  cells: z.array(
    z.object({
      id: z.string(),
      cni: z.enum(CNI_NAMES),
      cniVersion: z.string(),
      proxyMode: z.enum(PROXY_MODES),
      kindVersion: z.string(),
      kubernetesVersion: z.string(),
      nodeImage: z.string(),
      host: z.string(),
      runId: z.string(),
      capabilities: z.array(z.enum(CAPABILITIES)),
      // Optional: added within v1, so matrices written before the capability probe still parse.
      probedAbsent: z.partialRecord(z.enum(CAPABILITIES), z.string()).optional(),
      phases: z.array(phaseSchema),
      error: z.object({ phase: z.enum(PHASES), message: z.string(), hint: z.string().optional() }).optional(),
    }).superRefine((cell, ctx) => {
      for (const capability of Object.keys(cell.probedAbsent ?? {})) {
        if (!(cell.capabilities as string[]).includes(capability)) {
          const message = `probed absent, but not among the declared capabilities [${cell.capabilities.join(', ')}]`;
          ctx.addIssue({ code: 'custom', path: ['probedAbsent', capability], message });
        }
      }
    }),
  ),
  tests: z.array(
    z.object({
      suite: z.string(),
      name: z.string(),
      results: z.record(
        z.string(),
        z.object({ status: statusSchema, durationMs: z.number(), message: z.string().optional(), detail: z.string().optional(), figures: z.record(z.string(), z.string()).optional() }),
      ),
    }),
  ),
  summary: z.record(z.string(), z.object({ pass: z.number(), fail: z.number(), flaky: z.number(), unsupported: z.number(), error: z.number() })),
});

export class MatrixFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatrixFormatError';
  }
}

/** Validates a parsed matrix.json; the error names the first offending field and its value. */
export function parseMatrix(data: unknown): Matrix {
  const parsed = matrixSchema.safeParse(data);
  if (parsed.success) return parsed.data as Matrix;
  const issue = parsed.error.issues[0];
  const path = issue === undefined ? '' : issue.path.map(String).join('.');
  throw new MatrixFormatError(`${path === '' ? 'document' : path}: ${issue?.message ?? 'invalid'} (expected schemaVersion ${MATRIX_SCHEMA_VERSION}, see docs/matrix-schema.md)`);
}
