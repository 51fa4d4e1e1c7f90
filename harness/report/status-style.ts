import type { TestStatus } from '../model/results.ts';
import { OPT_OUT_PREFIX } from './junit-format.ts';

/**
 * How each status is shown: an emoji (Markdown), a text fallback, and a plain glyph that every
 * font has (HTML, next to a colour-blind-safe Okabe-Ito colour).
 */
export const STATUS_STYLE: Record<TestStatus, { symbol: string; text: string; glyph: string; label: string }> = {
  pass: { symbol: '✅', text: 'PASS', glyph: '✓', label: 'pass' },
  fail: { symbol: '❌', text: 'FAIL', glyph: '✗', label: 'fail' },
  flaky: { symbol: '⚠️', text: 'FLAKY', glyph: '≈', label: 'flaky' },
  unsupported: { symbol: '➖', text: 'N/A', glyph: '–', label: 'unsupported' },
  error: { symbol: '💥', text: 'ERROR', glyph: '!', label: 'error' },
};

/** Shown where a cell has no result for a test (it did not run it). */
export const NOT_RUN = { symbol: '·', text: '-', glyph: '·', label: 'not run' } as const;

/**
 * An unsupported check the user switched off (its reason starts with "skipped:"): still counted as
 * unsupported, but shown apart, so an opt-out never reads like a capability the cell lacks.
 */
export const OPTED_OUT = { symbol: '⏭️', text: 'SKIP', glyph: '»', label: 'skipped by your choice' } as const;

export function isOptedOut(result: { status: TestStatus; detail?: string } | undefined): boolean {
  return result?.status === 'unsupported' && (result.detail ?? '').startsWith(OPT_OUT_PREFIX);
}
