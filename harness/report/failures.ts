// The failed checks of a run, one line of evidence each: what the end of a red run prints, and
// what CI annotations carry, so nobody has to open matrix.md to learn what broke.
import type { CellResult, TestStatus } from '../model/results.ts';
import { firstLine } from './junit-format.ts';

export interface FailedCheck {
  cellId: string;
  /** "<suite> › <name>", or the phase for a cell that could not run its suites. */
  check: string;
  status: Extract<TestStatus, 'fail' | 'error'>;
  /** The first line of the failure message: the defect in a sentence. */
  evidence: string;
}

export function failedChecks(results: readonly CellResult[]): FailedCheck[] {
  return results.flatMap((result): FailedCheck[] => {
    const cellId = result.cell.id;
    const tests = result.tests
      .filter((t) => t.status === 'fail' || t.status === 'error')
      .map((t) => ({ cellId, check: `${t.suite} › ${t.name}`, status: t.status as FailedCheck['status'], evidence: firstLine(t.message ?? '') }));
    if (!result.error || tests.length > 0) return tests;
    return [{ cellId, check: `(${result.error.phase})`, status: 'error', evidence: firstLine(result.error.message) }];
  });
}

/** Lines listing each failed cell's checks, at most `perCell` each (the rest counted). */
export function failureDigest(results: readonly CellResult[], perCell = 10): string[] {
  const byCell = new Map<string, FailedCheck[]>();
  for (const f of failedChecks(results)) byCell.set(f.cellId, [...(byCell.get(f.cellId) ?? []), f]);
  const lines: string[] = [];
  for (const [cellId, checks] of byCell) {
    lines.push(`${cellId}: ${heading(checks)}`);
    for (const f of checks.slice(0, perCell)) lines.push(`  ${f.status === 'fail' ? '✗' : '!'} ${f.check}${f.evidence ? `: ${f.evidence}` : ''}`);
    if (checks.length > perCell) lines.push(`  … and ${checks.length - perCell} more (matrix.md has them all)`);
  }
  return lines;
}

/** "2 failed, 1 errored", or for a cell that could not run its suites, the phase it stopped in. */
function heading(checks: readonly FailedCheck[]): string {
  const only = checks[0];
  if (checks.length === 1 && only !== undefined && only.check.startsWith('(')) return `could not run its suites ${only.check}`;
  const failed = checks.filter((c) => c.status === 'fail').length;
  const errored = checks.length - failed;
  return [failed > 0 ? `${failed} failed` : '', errored > 0 ? `${errored} errored` : ''].filter(Boolean).join(', ');
}
