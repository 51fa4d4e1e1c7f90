// matrix.md: a compact tests × cells grid with a legend and collapsed failure texts, sized for
// a pull-request comment and $GITHUB_STEP_SUMMARY (which rejects more than 1 MiB).
import { CAPABILITIES } from '../model/cell.ts';
import { TEST_STATUSES, UPGRADE_SUITE } from '../model/results.ts';
import type { TestStatus } from '../model/results.ts';
import type { Matrix, MatrixResult, MatrixTest } from './matrix.ts';
import { isOptedOut, NOT_RUN, OPTED_OUT, STATUS_STYLE } from './status-style.ts';
import { runVerdict } from './verdict.ts';
import { counted } from '../model/count.ts';
import { bundleLink } from './bundle-link.ts';

export interface MarkdownOptions {
  /** 'emoji' (default) or 'text' for renderers without emoji. */
  symbols?: 'emoji' | 'text';
  /** Upper bound of the document in UTF-8 bytes. */
  maxBytes?: number;
  /** Longest failure text shown before it is cut, in characters. */
  maxFailureChars?: number;
}

export const MARKDOWN_MAX_BYTES = 1_000_000;
const DEFAULT_FAILURE_CHARS = 12_000;

export function renderMarkdown(matrix: Matrix, options: MarkdownOptions = {}): string {
  const symbols = options.symbols ?? 'emoji';
  const maxBytes = options.maxBytes ?? MARKDOWN_MAX_BYTES;
  const maxFailureChars = options.maxFailureChars ?? DEFAULT_FAILURE_CHARS;
  const mark = (status: TestStatus | undefined) =>
    status === undefined ? (symbols === 'emoji' ? NOT_RUN.symbol : NOT_RUN.text) : symbols === 'emoji' ? STATUS_STYLE[status].symbol : STATUS_STYLE[status].text;
  const optedOut = symbols === 'emoji' ? OPTED_OUT.symbol : OPTED_OUT.text;
  const markResult = (result: MatrixResult | undefined) => (isOptedOut(result) ? optedOut : mark(result?.status));

  const head: string[] = [];
  head.push(`## cnimatrix — run ${inline(matrix.run.id)}`, '');
  head.push(
    `${counted(matrix.cells.length, 'cell')} · ${counted(matrix.tests.length, 'test')} · ${inline(matrix.run.startedAt)} → ${inline(matrix.run.finishedAt)} · host ${inline(matrix.run.host)} · cnimatrix ${inline(matrix.run.cnimatrixVersion)}`,
    '',
  );
  head.push(verdict(matrix), '');
  if (matrix.run.ended?.hint !== undefined) head.push(`What to do: ${inline(matrix.run.ended.hint)}`, '');

  // A pull-request comment is read from the top: what failed comes first, the full grids last.
  const rest: string[] = [];
  rest.push(`Legend: ${TEST_STATUSES.map((s) => `${mark(s)} ${STATUS_STYLE[s].label}`).join(' · ')} · ${optedOut} ${OPTED_OUT.label} · ${mark(undefined)} ${NOT_RUN.label}`, '');
  rest.push('### Cells', '');
  rest.push(`| Cell | CNI | Proxy mode | Kubernetes | ${TEST_STATUSES.map((s) => mark(s)).join(' | ')} | Cell error | Troubleshooting |`);
  rest.push(`| --- | --- | --- | --- | ${TEST_STATUSES.map(() => '--:').join(' | ')} | --- | --- |`);
  for (const cell of matrix.cells) {
    const counts = matrix.summary[cell.id];
    const error = cell.error === undefined ? '' : `${mark('error')} ${inline(cell.error.phase)}: ${inline(firstLine(cell.error.message))}`;
    const bundle = bundleLink(matrix, cell);
    rest.push(
      `| ${inline(cell.id)} | ${inline(cell.cni)} ${inline(cell.cniVersion)} | ${inline(cell.proxyMode)} | ${inline(cell.kubernetesVersion)} | ${TEST_STATUSES.map((s) => String(counts?.[s] ?? 0)).join(' | ')} | ${error} | ${bundle === undefined ? '' : `[bundle](${bundle})`} |`,
    );
  }
  rest.push('');
  rest.push(...probedAbsent(matrix));
  rest.push(...upgradeFigures(matrix, markResult));
  if (matrix.run.notRun?.length) {
    rest.push('Not run (unsupported combinations):', '');
    for (const cell of matrix.run.notRun) rest.push(`- ${inline(cell.id)}: ${inline(cell.reason)}`);
    rest.push('');
  }
  rest.push(...unsupportedReasons(matrix, mark('unsupported'), optedOut));

  for (const [suite, tests] of bySuite(matrix.tests)) {
    const grid = [
      `| Test | ${matrix.cells.map((c) => inline(c.id)).join(' | ')} |`,
      `| --- | ${matrix.cells.map(() => ':-:').join(' | ')} |`,
      ...tests.map((test) => `| ${inline(test.name)} | ${matrix.cells.map((c) => markResult(test.results[c.id])).join(' | ')} |`),
    ];
    const clean = tests.every((t) => Object.values(t.results).every((r) => r.status === 'pass' || r.status === 'unsupported'));
    // A suite with nothing to look at stays folded; one with failures or flakes is open.
    if (clean) rest.push(`<details><summary>${mark('pass')} ${inline(suite)}: ${tests.length} tests, nothing failed</summary>`, '', ...grid, '', '</details>', '');
    else rest.push(`### ${inline(suite)}`, '', ...grid, '');
  }

  const top = head.join('\n');
  const bottom = `\n${rest.join('\n')}`;
  const failures = failureBlocks(matrix, mark, maxFailureChars);
  if (failures.length === 0) return top + bottom;
  let text = `${top}\n### Failures\n\n`;
  const budget = maxBytes - Buffer.byteLength(bottom, 'utf8');
  let shown = 0;
  for (const block of failures) {
    const omittedNote = omitted(failures.length - shown - 1);
    if (Buffer.byteLength(text + block + omittedNote, 'utf8') > budget) break;
    text += block;
    shown++;
  }
  if (shown < failures.length) text += omitted(failures.length - shown);
  return text + bottom;
}

/** Per upgrade cell: each upgrade check with what it measured (gaps, broken connections, leaks), in one line. */
function upgradeFigures(matrix: Matrix, mark: (result: MatrixResult | undefined) => string): string[] {
  const checks = matrix.tests.filter((t) => t.suite === UPGRADE_SUITE);
  const lines: string[] = [];
  for (const cell of matrix.cells) {
    const mine = checks.filter((t) => t.results[cell.id] !== undefined);
    if (mine.length === 0) continue;
    lines.push(`#### Upgrade ${inline(cell.cni)} ${inline(cell.cniVersion)} · ${inline(cell.proxyMode)}`, '', '| Check | | Measured |', '| --- | :-: | --- |');
    for (const test of mine) {
      const result = test.results[cell.id];
      const figures = Object.entries(result?.figures ?? {}).map(([key, value]) => `${key} ${value}`).join(' · ');
      lines.push(`| ${inline(test.name)} | ${mark(result)} | ${inline(figures)} |`);
    }
    lines.push('');
  }
  return lines;
}

/** Under the cells table: which declared capabilities a cell's cluster was probed not to have, and the evidence. */
function probedAbsent(matrix: Matrix): string[] {
  const lines = matrix.cells.flatMap((cell) =>
    CAPABILITIES.flatMap((capability) => {
      const evidence = cell.probedAbsent?.[capability];
      return evidence === undefined ? [] : [`- ${inline(cell.id)}: ${inline(capability)} — ${inline(firstLine(evidence))}`];
    }),
  );
  return lines.length === 0 ? [] : ['Declared by the profile but probed absent from the cluster:', '', ...lines, ''];
}

/**
 * ➖ results grouped by cell and reason: why each check did not run there, in one line per reason;
 * the checks the user switched off apart, under their own heading.
 */
function unsupportedReasons(matrix: Matrix, symbol: string, optedOutSymbol: string): string[] {
  const groups = new Map<string, { cell: string; reason: string; optedOut: boolean; checks: string[] }>();
  for (const test of matrix.tests) {
    for (const [cellId, result] of Object.entries(test.results)) {
      if (result.status !== 'unsupported') continue;
      const reason = result.detail ?? 'unsupported';
      const key = `${cellId}\u0000${reason}`;
      const group = groups.get(key) ?? { cell: cellId, reason, optedOut: isOptedOut(result), checks: [] };
      group.checks.push(`${test.suite} › ${test.name}`);
      groups.set(key, group);
    }
  }
  const line = (g: { cell: string; reason: string; checks: string[] }, mark: string) => {
    const named = g.checks.slice(0, 3).map(inline).join('; ') + (g.checks.length > 3 ? `; and ${g.checks.length - 3} more` : '');
    return `- ${mark} ${inline(g.cell)}: ${inline(firstLine(g.reason))} (${counted(g.checks.length, 'check')}: ${named})`;
  };
  const all = [...groups.values()];
  const lacking = all.filter((g) => !g.optedOut);
  const optedOut = all.filter((g) => g.optedOut);
  const lines: string[] = [];
  if (lacking.length > 0) lines.push('### Not tested', '', ...lacking.map((g) => line(g, symbol)), '');
  if (optedOut.length > 0) lines.push('### Skipped by your choice', '', ...optedOut.map((g) => line(g, optedOutSymbol)), '');
  return lines;
}


function omitted(count: number): string {
  return count <= 0 ? '' : `\n_${count} more failure texts are not shown to keep this summary under 1 MiB; see matrix.html or the JUnit files._\n`;
}

function verdict(matrix: Matrix): string {
  const { passed, summary } = runVerdict(matrix);
  if (passed) return `**Result: passed**${summary ? ` (${summary})` : ''}`;
  return `**Result: failed** — ${summary}`;
}

function failureBlocks(matrix: Matrix, mark: (s: TestStatus) => string, maxChars: number): string[] {
  const blocks: string[] = [];
  for (const cell of matrix.cells) {
    if (cell.error === undefined) continue;
    const hint = cell.error.hint === undefined ? '' : `\n\nhint: ${cell.error.hint}`;
    blocks.push(details(`${mark('error')} ${cell.id} · cell could not run (${cell.error.phase})`, cell.error.message + hint, maxChars));
  }
  for (const test of matrix.tests) {
    for (const cell of matrix.cells) {
      const result = test.results[cell.id];
      if (result === undefined || (result.status !== 'fail' && result.status !== 'error')) continue;
      blocks.push(details(`${mark(result.status)} ${cell.id} · ${test.suite} › ${test.name}`, result.message ?? '(no failure text recorded)', maxChars));
    }
  }
  return blocks;
}

function details(summary: string, body: string, maxChars: number): string {
  let shown = body;
  if (body.length > maxChars) {
    shown = `${body.slice(0, maxChars)}\n… truncated: ${body.length - maxChars} more characters (full text in the cell's JUnit file)`;
  }
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(shown) + 1));
  return `<details><summary>${inline(summary)}</summary>\n\n${fence}text\n${shown}\n${fence}\n\n</details>\n`;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

function bySuite(tests: readonly MatrixTest[]): Map<string, MatrixTest[]> {
  const groups = new Map<string, MatrixTest[]>();
  for (const test of tests) {
    const group = groups.get(test.suite) ?? [];
    group.push(test);
    groups.set(test.suite, group);
  }
  return groups;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

const INLINE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '|': '&#124;',
  '`': '&#96;',
  '*': '&#42;',
  '_': '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '\\': '&#92;',
  '~': '&#126;',
  '$': '&#36;',
};

/**
 * Text placed in a table cell, heading or <summary>. Character references work in both Markdown
 * and HTML contexts, so one escaping serves all three; a newline would end the table row.
 */
export function inline(text: string): string {
  return text.replace(/[&<>|`*_[\]\\~$]/g, (ch) => INLINE_ESCAPES[ch] ?? ch).replace(/\r\n|\r|\n/g, '<br>');
}
