// The one-line verdict of a run, shared by matrix.md and matrix.html.
import { matrixHasFailures, type Matrix } from './matrix.ts';
import { counted } from '../model/count.ts';

export function runVerdict(matrix: Matrix): { passed: boolean; summary: string } {
  const { ended } = matrix.run;
  if (ended !== undefined) return { passed: false, summary: `the run ended before any cell ran (exit ${ended.exitCode}): ${ended.message}` };
  const total = { fail: 0, error: 0, flaky: 0 };
  for (const counts of Object.values(matrix.summary)) {
    total.fail += counts.fail;
    total.error += counts.error;
    total.flaky += counts.flaky;
  }
  const broken = matrix.cells.filter((c) => c.error !== undefined).length;
  if (!matrixHasFailures(matrix)) return { passed: true, summary: total.flaky > 0 ? `${total.flaky} flaky` : '' };
  const parts = [`${total.fail} failed`, `${total.error} errored`];
  if (broken > 0) parts.push(`${counted(broken, 'cell')} could not run`);
  if (total.flaky > 0) parts.push(`${total.flaky} flaky`);
  return { passed: false, summary: parts.join(', ') };
}
