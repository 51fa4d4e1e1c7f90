// Truth-table probing: every source → target pair on every port/protocol, one batch per source,
// and a settle window that re-probes until the observation matches what is expected.
import type { ExecTarget, Kube } from '../kube/types.ts';
import { runBatches, type Probe } from './batch.ts';
import { connectCommand, type ProbeProtocol } from './commands.ts';
import type { ProbeResult } from './outcome.ts';
import { judgeTable, type CellHistory, type TableVerdict } from './verdict.ts';

export interface ProbeSource {
  /** Row key in the tables, e.g. "x/a". */
  key: string;
  pod: ExecTarget;
}

export interface ProbeTarget {
  /** Column key in the tables, e.g. "x/b" or "ipblock:10.244.1.5". */
  key: string;
  /** Pod IP or bare IP. */
  host: string;
}

export interface PortProbe {
  port: number;
  protocol: ProbeProtocol;
}

/** table ("80/TCP") → source key → target key → connected? */
export type TruthTables = Record<string, Record<string, Record<string, boolean>>>;
/** Same shape as TruthTables, with the full probe result of every cell. */
export type ResultTables = Record<string, Record<string, Record<string, ProbeResult>>>;

export interface MatrixSpec {
  sources: ProbeSource[];
  targets: ProbeTarget[];
  probes: PortProbe[];
  /** agnhost connect --timeout; default 1 s. */
  timeoutSeconds?: number;
  /**
   * Probe a pod to itself too. Off by default: traffic to a pod's own IP never leaves the pod
   * on most CNIs, so policies do not apply to it consistently.
   */
  includeSelf?: boolean;
}

export interface ObservedTables {
  tables: TruthTables;
  results: ResultTables;
}

export const DEFAULT_PROBE_TIMEOUT_SECONDS = 1;

export function portKey(probe: PortProbe): string {
  return `${probe.port}/${probe.protocol}`;
}

function cellProbeId(targetIndex: number, probe: PortProbe): string {
  return `t${targetIndex}-${probe.port}-${probe.protocol}`;
}

function pairs(spec: MatrixSpec, source: ProbeSource): { target: ProbeTarget; index: number }[] {
  return spec.targets
    .map((target, index) => ({ target, index }))
    .filter(({ target }) => spec.includeSelf || target.key !== source.key);
}

/** Probes the matrix once (only the sources in `only`, when given). */
export async function probeMatrix(kube: Kube, spec: MatrixSpec, only?: ReadonlySet<string>): Promise<ObservedTables> {
  const timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_PROBE_TIMEOUT_SECONDS;
  const sources = spec.sources.filter((s) => !only || only.has(s.key));
  const batches = sources.map((source) => ({
    key: source.key,
    source: source.pod,
    probes: pairs(spec, source).flatMap(({ target, index }): Probe[] =>
      spec.probes.map((probe) => ({
        id: cellProbeId(index, probe),
        command: connectCommand(target.host, probe.port, probe.protocol, timeoutSeconds),
        timeoutSeconds,
      })),
    ),
  }));
  const bySource = await runBatches(kube, batches);
  const observed: ObservedTables = { tables: {}, results: {} };
  for (const probe of spec.probes) {
    const table = portKey(probe);
    observed.tables[table] = {};
    observed.results[table] = {};
    for (const source of sources) {
      const row: Record<string, boolean> = {};
      const resultRow: Record<string, ProbeResult> = {};
      for (const { target, index } of pairs(spec, source)) {
        const result = bySource.get(source.key)?.get(cellProbeId(index, probe));
        if (!result) throw new Error(`probe ${cellProbeId(index, probe)} of ${source.key} has no result`);
        row[target.key] = result.outcome === 'connected';
        resultRow[target.key] = result;
      }
      observed.tables[table][source.key] = row;
      observed.results[table][source.key] = resultRow;
    }
  }
  return observed;
}

export interface Cell {
  table: string;
  from: string;
  to: string;
}

export function cellName(cell: Cell): string {
  return `${cell.table} ${cell.from} → ${cell.to}`;
}

function* cellsOf(observed: ObservedTables): Generator<Cell & { value: boolean; result: ProbeResult }> {
  for (const [table, rows] of Object.entries(observed.tables)) {
    for (const [from, row] of Object.entries(rows)) {
      for (const [to, value] of Object.entries(row)) {
        const result = observed.results[table]?.[from]?.[to];
        if (result) yield { table, from, to, value, result };
      }
    }
  }
}

function expectedValue(expected: TruthTables, cell: Cell): boolean {
  const value = expected[cell.table]?.[cell.from]?.[cell.to];
  if (value === undefined) throw new Error(`the expected tables have no cell ${cellName(cell)}`);
  return value;
}

/**
 * A probe that says nothing about the path: its exec failed, it printed no result line, or agnhost
 * did not run (connect exits 0 connected, 1 not connected, anything else is the harness's failure).
 * It is never counted as connected or blocked; it stays a mismatch, so it is probed again.
 */
export function inconclusive(result: ProbeResult): boolean {
  return result.exitCode !== 0 && result.exitCode !== 1;
}

/** Cells where `observed` differs from `expected`, or whose probe was inconclusive. */
export function mismatchedCells(expected: TruthTables, observed: ObservedTables): (Cell & { value: boolean; result: ProbeResult })[] {
  return [...cellsOf(observed)].filter((cell) => inconclusive(cell.result) || cell.value !== expectedValue(expected, cell));
}

/** `tables` restricted to the cells that were probed (drops e.g. the self column). */
export function restrictToProbed(tables: TruthTables, observed: ObservedTables): TruthTables {
  const restricted: TruthTables = {};
  for (const cell of cellsOf(observed)) {
    const rows = (restricted[cell.table] ??= {});
    (rows[cell.from] ??= {})[cell.to] = expectedValue(tables, cell);
  }
  return restricted;
}

export interface SettleOptions {
  /** How long after the first observation to keep re-probing a mismatch; default settleWindowMs(). */
  windowMs?: number;
  /** Minimum time between the starts of two attempts; default 1 s. */
  intervalMs?: number;
  /** API changes the expected tables follow (policies applied or deleted, labels patched); default 1. */
  changesMade?: number;
}

export interface SettleResult {
  observed: ObservedTables;
  /** Observed equals expected in the end. */
  matched: boolean;
  /** Probe rounds run (the first covers all sources, later ones only sources with mismatches). */
  attempts: number;
  elapsedMs: number;
  /** pass (possibly after converging), flaky (a cell flapped) or fail: see harness/probe/verdict.ts. */
  verdict: TableVerdict;
}

export const SETTLE_WINDOW_ENV = 'CNIMATRIX_SETTLE_SECONDS';

/** The settle window: CNIMATRIX_SETTLE_SECONDS, default 10 s. */
export function settleWindowMs(): number {
  const raw = process.env[SETTLE_WINDOW_ENV];
  if (raw === undefined || raw === '') return 10_000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(`${SETTLE_WINDOW_ENV}="${raw}" is not a number of seconds ≥ 0 (e.g. 10)`);
  }
  return seconds * 1000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Probes until observed == expected or the settle window ends. Only sources with a mismatching
 * cell are re-probed. `verdict` judges every cell's observations (harness/probe/verdict.ts).
 */
export async function settleMatrix(
  kube: Kube,
  spec: MatrixSpec,
  expected: TruthTables,
  opts: SettleOptions = {},
): Promise<SettleResult> {
  const windowMs = opts.windowMs ?? settleWindowMs();
  const intervalMs = opts.intervalMs ?? 1000;
  const started = Date.now();
  let attemptStarted = started;
  const observed = await probeMatrix(kube, spec);
  // The window runs from the first observation, so a slow first round still gets re-probes.
  const windowEnds = Date.now() + windowMs;
  let attempts = 1;
  let mismatches = mismatchedCells(expected, observed);
  // Each cell's conclusive observations: an inconclusive probe is no look at the path.
  const histories = new Map<string, CellHistory>();
  const record = (round: ObservedTables) => {
    for (const cell of cellsOf(round)) {
      if (inconclusive(cell.result)) continue;
      const name = cellName(cell);
      const history = histories.get(name) ?? { cell: name, expected: expectedValue(expected, cell), observed: [] };
      history.observed.push(cell.value);
      histories.set(name, history);
    }
  };
  record(observed);
  while (mismatches.length > 0 && Date.now() < windowEnds) {
    await sleep(Math.max(0, attemptStarted + intervalMs - Date.now()));
    attemptStarted = Date.now();
    attempts += 1;
    const again = await probeMatrix(kube, spec, new Set(mismatches.map((cell) => cell.from)));
    record(again);
    for (const cell of cellsOf(again)) {
      // The first attempt probed every source, so every row already exists.
      observed.tables[cell.table]![cell.from]![cell.to] = cell.value;
      observed.results[cell.table]![cell.from]![cell.to] = cell.result;
    }
    mismatches = mismatchedCells(expected, observed);
  }
  const matched = mismatches.length === 0;
  return { observed, matched, attempts, elapsedMs: Date.now() - started, verdict: judgeTable(matched, histories.values(), opts.changesMade) };
}
