// `npm run bench`: every benchmark in sequence, each one's lines under a heading, then one table of
// the goals measured in this run. Goals are reported, not enforced: the exit code is non-zero only
// when a benchmark crashed.
import { benchNetpol } from './netpol.ts';
import { benchRealCell } from './real-cell.ts';
import { benchRun } from './run.ts';
import type { BenchMetric, BenchResult } from './result.ts';

interface Benchmark {
  name: string;
  run(): Promise<BenchResult>;
}

const NETPOL_GOAL_MS = 1000;

/** The netpol benchmark prints its total on one line; that line is its measured value. */
function netpolMetrics(lines: readonly string[]): BenchMetric[] {
  const total = lines.map((line) => /^total compile \+ truth tables: ([\d.]+) ms wall/.exec(line)).find((m) => m !== null);
  if (!total) throw new Error('the netpol benchmark printed no "total compile + truth tables: <n> ms wall" line');
  return [{ metric: 'netpol engine: 1,000 pods × 200 policies, 2 tables', measured: Number(total[1]), goal: NETPOL_GOAL_MS, unit: 'ms' }];
}

const BENCHMARKS: Benchmark[] = [
  {
    name: 'netpol',
    async run() {
      const result = await benchNetpol();
      return { ...result, metrics: netpolMetrics(result.lines) };
    },
  },
  { name: 'run', run: benchRun },
  { name: 'real-cell', run: benchRealCell },
];

function formatValue(value: number, unit: string): string {
  const digits = Number.isInteger(value) ? 0 : value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${unit}`;
}

function summaryTable(metrics: readonly BenchMetric[]): string[] {
  const rows = [
    ['metric', 'measured', 'goal', 'ratio', 'result'],
    ...metrics.map((m) => {
      const ratio = m.measured / m.goal;
      return [m.metric, formatValue(m.measured, m.unit), `<= ${formatValue(m.goal, m.unit)}`, ratio.toFixed(2), ratio <= 1 ? 'PASS' : 'MISS'];
    }),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
}

const metrics: BenchMetric[] = [];
const crashed: string[] = [];
const benchStarted = Date.now();
for (const benchmark of BENCHMARKS) {
  console.log(`\n== ${benchmark.name} ==`);
  const started = Date.now();
  try {
    const result = await benchmark.run();
    for (const line of result.lines) console.log(line);
    metrics.push(...(result.metrics ?? []));
    console.log(`(${benchmark.name} took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    crashed.push(benchmark.name);
    console.log(`CRASHED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

console.log(`\n== summary (all measured in this run, ${((Date.now() - benchStarted) / 1000).toFixed(1)} s) ==`);
for (const line of summaryTable(metrics)) console.log(line);
if (crashed.length > 0) {
  console.log(`crashed: ${crashed.join(', ')}`);
  process.exitCode = 1;
}
