// What repeated observations mean, decided here and nowhere else (docs/verdicts.md).
// Two kinds of look: after a change (a policy applied, a Service or pod created) the dataplane
// needs a moment, so being wrong and then right, once, is convergence and passes; in steady
// state the path should already work, so needing a second attempt is a dropped first try and is
// flaky. Changing more often than changes were made (right, wrong, right after one change) is
// flapping and flaky either way: each change made (one policy applied, one label patched) may flip
// a cell once as the CNI programs it, in the order they were made. Still wrong at the end is a
// fail. Inconclusive probes (the probe itself did not run) are no observation: callers leave them
// out and probe again.

export type Verdict = 'pass' | 'flaky' | 'fail';

/** How many times a sequence of observations changed value. */
export function changes(observed: readonly boolean[]): number {
  return observed.filter((v, i) => i > 0 && v !== observed[i - 1]).length;
}

/** Attempts at something that should already work: accepted first time, after a retry, or never. */
export function judgeSteady(accepted: readonly boolean[]): Verdict {
  if (accepted[0] === true) return 'pass';
  return accepted.includes(true) ? 'flaky' : 'fail';
}

/**
 * Looks at something that just changed, each right (true) or wrong, until right or out of time;
 * `changesMade` changes were made since the last look (each may flip it once).
 */
export function judgeConvergence(right: readonly boolean[], changesMade = 1): Verdict {
  if (right.at(-1) !== true) return 'fail';
  return changes(right) > Math.max(1, changesMade) ? 'flaky' : 'pass';
}

/** The conclusive observations of one truth-table cell, oldest first, and what it should be. */
export interface CellHistory {
  cell: string;
  expected: boolean;
  observed: boolean[];
}

export type TableVerdict = { verdict: 'pass'; converged: string[] } | { verdict: 'flaky'; flapped: string[] } | { verdict: 'fail' };

const show = (v: boolean) => (v ? 'connected' : 'blocked');

/**
 * A truth table after `changesMade` changes: it fails unless every cell matched in the end
 * (`matched`); then any cell that changed more often than changes were made makes it flaky, and
 * cells that changed converged.
 */
export function judgeTable(matched: boolean, histories: Iterable<CellHistory>, changesMade = 1): TableVerdict {
  if (!matched) return { verdict: 'fail' };
  const converged: string[] = [];
  const flapped: string[] = [];
  for (const h of histories) {
    const verdict = judgeConvergence(h.observed.map((v) => v === h.expected), changesMade);
    const path = `${h.cell}: ${h.observed.map(show).join(' → ')}`;
    if (verdict === 'flaky') flapped.push(`${path} (expected ${show(h.expected)})`);
    else if (changes(h.observed) > 0) converged.push(path);
  }
  return flapped.length > 0 ? { verdict: 'flaky', flapped } : { verdict: 'pass', converged };
}
