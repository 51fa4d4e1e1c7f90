// What a benchmark hands back: its printed lines and the measured values that have a goal.

/** One measured value with an upper-bound goal ("at most `goal` `unit`"). */
export interface BenchMetric {
  metric: string;
  measured: number;
  goal: number;
  unit: string;
}

export interface BenchResult {
  name: string;
  lines: string[];
  /** Values with a goal, for the summary table; a benchmark without them reports lines only. */
  metrics?: BenchMetric[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
