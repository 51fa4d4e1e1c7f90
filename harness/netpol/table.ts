// Truth-table grids for terminals and JUnit bodies: plain ASCII, fixed width, sources as rows
// and destinations as columns.
import type { TruthTable } from './types.ts';

/** An observed table may lack cells (a probe that did not run). */
export type PartialTruthTable = Record<string, Record<string, boolean | undefined>>;

export interface CellDiff {
  from: string;
  to: string;
  expected: boolean;
  observed: boolean | undefined;
}

const ALLOWED = '.';
const DENIED = 'X';
const MISSING = '?';
const SAME = '.';
const DIFFERENT = '!';
// Names up to this length head their columns; longer ones are numbered.
const MAX_NAMED_COLUMN = 8;

const LEGEND = 'legend: . allowed, X denied, ? not observed; in diff: . same, ! differs; rows = from (source), columns = to (destination)';

export function renderTruthTable(table: PartialTruthTable, title?: string): string {
  const rows = Object.keys(table);
  const columns = columnsOf([table]);
  return [...(title ? [title] : []), ...grid(rows, columns, (from, to) => symbol(table[from]?.[to])), LEGEND].join('\n');
}

/** Expected, observed and diff grids with a legend and one line per wrong cell. */
export function renderComparison(expected: TruthTable, observed: PartialTruthTable, title?: string): string {
  const rows = unique([...Object.keys(expected), ...Object.keys(observed)]);
  const columns = columnsOf([expected, observed]);
  const wrong = diffCells(expected, observed);
  const total = rows.length * columns.length;
  const summary = `${title ? `${title}: ` : ''}${wrong.length === 0 ? 'all' : `${wrong.length} of`} ${total} cells ${wrong.length === 0 ? 'match' : 'differ'}`;
  const isWrong = new Set(wrong.map((cell) => `${cell.from}\u0000${cell.to}`));
  return [
    summary,
    'expected:',
    ...grid(rows, columns, (from, to) => symbol(expected[from]?.[to])),
    'observed:',
    ...grid(rows, columns, (from, to) => symbol(observed[from]?.[to])),
    'diff:',
    ...grid(rows, columns, (from, to) => (isWrong.has(`${from}\u0000${to}`) ? DIFFERENT : SAME)),
    LEGEND,
    ...wrong.map((cell) => `wrong: ${cell.from} -> ${cell.to}: expected ${word(cell.expected)}, observed ${word(cell.observed)}`),
  ].join('\n');
}

/** Every expected cell the observed table disagrees with (a missing observation disagrees). */
export function diffCells(expected: TruthTable, observed: PartialTruthTable): CellDiff[] {
  const wrong: CellDiff[] = [];
  for (const [from, row] of Object.entries(expected)) {
    for (const [to, allowed] of Object.entries(row)) {
      const seen = observed[from]?.[to];
      if (seen !== allowed) wrong.push({ from, to, expected: allowed, observed: seen });
    }
  }
  return wrong;
}

function grid(rows: readonly string[], columns: readonly string[], cell: (from: string, to: string) => string): string[] {
  const named = columns.every((column) => column.length <= MAX_NAMED_COLUMN);
  const sameAxes = rows.length === columns.length && rows.every((row, i) => row === columns[i]);
  const headers = named ? [...columns] : columns.map((_, i) => String(i));
  const width = Math.max(1, ...headers.map((header) => header.length));
  const rowLabels = rows.map((row, i) => (!named && sameAxes ? `${String(i).padStart(String(rows.length - 1).length)} ${row}` : row));
  const labelWidth = Math.max(0, ...rowLabels.map((label) => label.length));
  const line = (label: string, cells: string[]) => `${label.padEnd(labelWidth)} ${cells.map((c) => c.padStart(width)).join(' ')}`.trimEnd();
  const lines = [line('', headers)];
  rows.forEach((row, i) => lines.push(line(rowLabels[i]!, columns.map((column) => cell(row, column)))));
  if (!named && !sameAxes) lines.push(`columns: ${columns.map((column, i) => `${i}=${column}`).join(' ')}`);
  return lines;
}

function columnsOf(tables: readonly PartialTruthTable[]): string[] {
  return unique(tables.flatMap((table) => Object.values(table).flatMap((row) => Object.keys(row))));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function symbol(value: boolean | undefined): string {
  return value === undefined ? MISSING : value ? ALLOWED : DENIED;
}

function word(value: boolean | undefined): string {
  return value === undefined ? 'not observed' : value ? 'allowed' : 'denied';
}
