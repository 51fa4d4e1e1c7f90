import type { TestStatus } from '../model/results.ts';

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
