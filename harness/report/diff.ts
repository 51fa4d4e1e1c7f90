// Compares two matrices (a baseline and a candidate run), for upgrade gates: which results got
// worse, which got better, which tests and cells came and went.
import type { TestStatus } from '../model/results.ts';
import { testKey } from './matrix.ts';
import type { Matrix, MatrixCell, MatrixTest } from './matrix.ts';
import { inline } from './markdown.ts';
import { STATUS_STYLE } from './status-style.ts';
import { counted } from '../model/count.ts';

/** A result's status, or 'not-run' where the cell has no result for the test. */
export type DiffStatus = TestStatus | 'not-run';

export interface ResultChange {
  cell: string;
  suite: string;
  name: string;
  from: DiffStatus;
  to: DiffStatus;
  /** The candidate's failure text, for regressions. */
  message?: string;
}

export interface TestRef {
  suite: string;
  name: string;
  /** Status per cell on the side where the test exists. */
  statuses: Record<string, TestStatus>;
}

export interface CellChange {
  cell: string;
  phase: string;
  message: string;
}

export interface MatrixDiff {
  base: { runId: string };
  candidate: { runId: string };
  /** pass, flaky or unsupported → fail or error. */
  regressions: ResultChange[];
  /** fail or error → pass or flaky. */
  fixes: ResultChange[];
  /** pass ↔ flaky. */
  flakeChanges: ResultChange[];
  /** Every other status change (e.g. pass → unsupported, fail → error, not-run → pass). */
  otherChanges: ResultChange[];
  newTests: TestRef[];
  removedTests: TestRef[];
  newCells: string[];
  removedCells: string[];
  /** Cells that ran in the base but could not run in the candidate. */
  brokenCells: CellChange[];
  /** Cells that could not run in the base but ran in the candidate. */
  recoveredCells: string[];
}

const GOOD_BEFORE: readonly DiffStatus[] = ['pass', 'flaky', 'unsupported'];
const BAD: readonly DiffStatus[] = ['fail', 'error'];
const PASSING: readonly DiffStatus[] = ['pass', 'flaky'];

export function diffMatrices(base: Matrix, candidate: Matrix): MatrixDiff {
  const baseCells = new Map(base.cells.map((c) => [c.id, c]));
  const candCells = new Map(candidate.cells.map((c) => [c.id, c]));
  const baseTests = new Map(base.tests.map((t) => [testKey(t.suite, t.name), t]));
  const candTests = new Map(candidate.tests.map((t) => [testKey(t.suite, t.name), t]));
  const diff: MatrixDiff = {
    base: { runId: base.run.id },
    candidate: { runId: candidate.run.id },
    regressions: [],
    fixes: [],
    flakeChanges: [],
    otherChanges: [],
    newTests: candidate.tests.filter((t) => !baseTests.has(testKey(t.suite, t.name))).map(testRef),
    removedTests: base.tests.filter((t) => !candTests.has(testKey(t.suite, t.name))).map(testRef),
    newCells: candidate.cells.filter((c) => !baseCells.has(c.id)).map((c) => c.id),
    removedCells: base.cells.filter((c) => !candCells.has(c.id)).map((c) => c.id),
    brokenCells: [],
    recoveredCells: [],
  };
  const shared = base.cells.filter((c) => candCells.has(c.id));
  for (const baseCell of shared) {
    const candCell = candCells.get(baseCell.id) as MatrixCell;
    if (baseCell.error === undefined && candCell.error !== undefined) {
      diff.brokenCells.push({ cell: candCell.id, phase: candCell.error.phase, message: candCell.error.message });
    }
    if (baseCell.error !== undefined && candCell.error === undefined) diff.recoveredCells.push(candCell.id);
  }
  for (const [key, baseTest] of baseTests) {
    const candTest = candTests.get(key);
    if (candTest === undefined) continue;
    for (const baseCell of shared) {
      const candCell = candCells.get(baseCell.id) as MatrixCell;
      // Tests the cell never recorded on either side say nothing about it.
      if (baseTest.results[baseCell.id] === undefined && candTest.results[candCell.id] === undefined) continue;
      const from = statusIn(baseTest, baseCell);
      const to = statusIn(candTest, candCell);
      if (from === to) continue;
      const change: ResultChange = { cell: baseCell.id, suite: baseTest.suite, name: baseTest.name, from, to };
      if (GOOD_BEFORE.includes(from) && BAD.includes(to)) {
        const message = candTest.results[candCell.id]?.message ?? candCell.error?.message;
        diff.regressions.push(message === undefined ? change : { ...change, message });
      } else if (BAD.includes(from) && PASSING.includes(to)) diff.fixes.push(change);
      else if (PASSING.includes(from) && PASSING.includes(to)) diff.flakeChanges.push(change);
      else diff.otherChanges.push(change);
    }
  }
  return diff;
}

/** A test the cell has no result for counts as an error when the whole cell could not run. */
function statusIn(test: MatrixTest, cell: MatrixCell): DiffStatus {
  return test.results[cell.id]?.status ?? (cell.error === undefined ? 'not-run' : 'error');
}

function testRef(test: MatrixTest): TestRef {
  const statuses: Record<string, TestStatus> = {};
  for (const [cell, result] of Object.entries(test.results)) statuses[cell] = result.status;
  return { suite: test.suite, name: test.name, statuses };
}

/** True when the candidate is worse than the base: a regressed result or a cell that broke. */
export function hasRegressions(diff: MatrixDiff): boolean {
  return diff.regressions.length > 0 || diff.brokenCells.length > 0;
}

export function renderDiffMarkdown(diff: MatrixDiff): string {
  const lines: string[] = [];
  lines.push(`## cnimatrix diff — ${inline(diff.base.runId)} → ${inline(diff.candidate.runId)}`, '');
  lines.push(
    hasRegressions(diff)
      ? `**${counted(diff.regressions.length, 'regression')}${diff.brokenCells.length > 0 ? `, ${counted(diff.brokenCells.length, 'cell')} could not run` : ''}**`
      : '**No regressions**',
    '',
  );
  lines.push(
    `${diff.fixes.length} fixes · ${diff.flakeChanges.length} flake changes · ${diff.otherChanges.length} other changes · ` +
      `${diff.newTests.length} new tests · ${diff.removedTests.length} removed tests · ${diff.newCells.length} new cells · ${diff.removedCells.length} removed cells`,
    '',
  );
  if (diff.brokenCells.length > 0) {
    lines.push('### Cells that could not run', '', '| Cell | Phase | Error |', '| --- | --- | --- |');
    for (const c of diff.brokenCells) lines.push(`| ${inline(c.cell)} | ${inline(c.phase)} | ${inline(c.message.split('\n', 1)[0] ?? '')} |`);
    lines.push('');
  }
  changeTable(lines, 'Regressions', diff.regressions);
  changeTable(lines, 'Fixes', diff.fixes);
  changeTable(lines, 'Flake changes', diff.flakeChanges);
  changeTable(lines, 'Other changes', diff.otherChanges);
  testList(lines, 'New tests', diff.newTests);
  testList(lines, 'Removed tests', diff.removedTests);
  if (diff.newCells.length > 0) lines.push('### New cells', '', ...diff.newCells.map((c) => `- ${inline(c)}`), '');
  if (diff.removedCells.length > 0) lines.push('### Removed cells', '', ...diff.removedCells.map((c) => `- ${inline(c)}`), '');
  if (diff.recoveredCells.length > 0) lines.push('### Cells that run again', '', ...diff.recoveredCells.map((c) => `- ${inline(c)}`), '');
  return `${lines.join('\n')}\n`;
}

function label(status: DiffStatus): string {
  return status === 'not-run' ? 'not run' : `${STATUS_STYLE[status].symbol} ${status}`;
}

function changeTable(lines: string[], title: string, changes: readonly ResultChange[]): void {
  if (changes.length === 0) return;
  lines.push(`### ${title}`, '', '| Cell | Suite | Test | Base | Candidate | Why |', '| --- | --- | --- | --- | --- | --- |');
  for (const c of changes) {
    const why = c.message === undefined ? '' : inline(c.message.split('\n', 1)[0] ?? '');
    lines.push(`| ${inline(c.cell)} | ${inline(c.suite)} | ${inline(c.name)} | ${label(c.from)} | ${label(c.to)} | ${why} |`);
  }
  lines.push('');
}

function testList(lines: string[], title: string, tests: readonly TestRef[]): void {
  if (tests.length === 0) return;
  lines.push(`### ${title}`, '');
  for (const t of tests) {
    const statuses = Object.entries(t.statuses).map(([cell, status]) => `${inline(cell)} ${STATUS_STYLE[status].symbol}`);
    lines.push(`- ${inline(t.suite)} › ${inline(t.name)}${statuses.length > 0 ? ` — ${statuses.join(', ')}` : ''}`);
  }
  lines.push('');
}
