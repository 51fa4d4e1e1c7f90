// matrix.md: a compact tests × cells grid with a legend and collapsed failure texts, sized for
// a pull-request comment and $GITHUB_STEP_SUMMARY (which rejects more than 1 MiB).
import { TEST_STATUSES } from '../model/results.ts';
import type { TestStatus } from '../model/results.ts';
import { matrixHasFailures } from './matrix.ts';
import type { Matrix, MatrixTest } from './matrix.ts';
import { NOT_RUN, STATUS_STYLE } from './status-style.ts';

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

  const head: string[] = [];
  head.push(`## cnimatrix — run ${inline(matrix.run.id)}`, '');
  head.push(
    `${matrix.cells.length} cells · ${matrix.tests.length} tests · ${inline(matrix.run.startedAt)} → ${inline(matrix.run.finishedAt)} · host ${inline(matrix.run.host)} · cnimatrix ${inline(matrix.run.cnimatrixVersion)}`,
    '',
  );
  head.push(verdict(matrix), '');
  head.push(`Legend: ${TEST_STATUSES.map((s) => `${mark(s)} ${STATUS_STYLE[s].label}`).join(' · ')} · ${mark(undefined)} ${NOT_RUN.label}`, '');

  head.push('### Cells', '');
  head.push(`| Cell | CNI | Proxy mode | Kubernetes | ${TEST_STATUSES.map((s) => mark(s)).join(' | ')} | Cell error |`);
  head.push(`| --- | --- | --- | --- | ${TEST_STATUSES.map(() => '--:').join(' | ')} | --- |`);
  for (const cell of matrix.cells) {
    const counts = matrix.summary[cell.id];
    const error = cell.error === undefined ? '' : `${mark('error')} ${inline(cell.error.phase)}: ${inline(firstLine(cell.error.message))}`;
    head.push(
      `| ${inline(cell.id)} | ${inline(cell.cni)} ${inline(cell.cniVersion)} | ${inline(cell.proxyMode)} | ${inline(cell.kubernetesVersion)} | ${TEST_STATUSES.map((s) => String(counts?.[s] ?? 0)).join(' | ')} | ${error} |`,
    );
  }
  head.push('');
  if (matrix.run.notRun?.length) {
    head.push('Not run (unsupported combinations):', '');
    for (const cell of matrix.run.notRun) head.push(`- ${inline(cell.id)}: ${inline(cell.reason)}`);
    head.push('');
  }

  for (const [suite, tests] of bySuite(matrix.tests)) {
    head.push(`### ${inline(suite)}`, '');
    head.push(`| Test | ${matrix.cells.map((c) => inline(c.id)).join(' | ')} |`);
    head.push(`| --- | ${matrix.cells.map(() => ':-:').join(' | ')} |`);
    for (const test of tests) {
      head.push(`| ${inline(test.name)} | ${matrix.cells.map((c) => mark(test.results[c.id]?.status)).join(' | ')} |`);
    }
    head.push('');
  }

  const failures = failureBlocks(matrix, mark, maxFailureChars);
  let text = head.join('\n');
  if (failures.length === 0) return text;
  text += '\n### Failures\n\n';
  let shown = 0;
  for (const block of failures) {
    const omittedNote = omitted(failures.length - shown - 1);
    if (Buffer.byteLength(text + block + omittedNote, 'utf8') > maxBytes) break;
    text += block;
    shown++;
  }
  if (shown < failures.length) text += omitted(failures.length - shown);
  return text;
}

function omitted(count: number): string {
  return count <= 0 ? '' : `\n_${count} more failure texts are not shown to keep this summary under 1 MiB; see matrix.html or the JUnit files._\n`;
}

function verdict(matrix: Matrix): string {
  const total = { fail: 0, error: 0, flaky: 0 };
  for (const counts of Object.values(matrix.summary)) {
    total.fail += counts.fail;
    total.error += counts.error;
    total.flaky += counts.flaky;
  }
  const broken = matrix.cells.filter((c) => c.error !== undefined).length;
  if (!matrixHasFailures(matrix)) return `**Result: passed**${total.flaky > 0 ? ` (${total.flaky} flaky)` : ''}`;
  const parts = [`${total.fail} failed`, `${total.error} errored`];
  if (broken > 0) parts.push(`${broken} cells could not run`);
  if (total.flaky > 0) parts.push(`${total.flaky} flaky`);
  return `**Result: failed** — ${parts.join(', ')}`;
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
