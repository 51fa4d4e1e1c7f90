// `cnimatrix run` on one simulated cell with 100 ms per exec: execs and wall time per policy
// truth table, and the harness's own share of a cell's wall time.
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchCellOverhead } from './cell-overhead.ts';
import { benchProbeTables } from './probe-tables.ts';
import type { BenchResult } from './result.ts';

export async function benchRun(): Promise<BenchResult> {
  // Other work on the machine slows the sim and jest alike; say how busy it was.
  const machine = `machine: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)} at start`;
  const tables = await benchProbeTables();
  const overhead = await benchCellOverhead(tables);
  return {
    name: 'run',
    lines: [machine, ...tables.lines.map((line) => `truth tables: ${line}`), ...overhead.lines.map((line) => `cell overhead: ${line}`)],
    metrics: [...tables.metrics, ...overhead.metrics],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchRun();
  for (const line of result.lines) console.log(`${result.name}: ${line}`);
}
