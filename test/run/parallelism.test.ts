import { expect, test } from '@jest/globals';
import { chooseParallel } from '../../harness/run/parallelism.ts';

const GiB = 1024 ** 3;

test('auto is bounded by CPUs, memory and cells, and says why', () => {
  const { parallel, reason } = chooseParallel('auto', 20, 3, { cpus: 8, freeMemoryBytes: 13 * GiB });
  // 8 CPUs → 4 clusters; 13 GiB / (3 nodes × 2 GiB) → 2 clusters.
  expect(parallel).toBe(2);
  expect(reason).toContain('auto: 8 CPUs and 13.0 GiB free');
  expect(reason).toContain('6 GiB for its 3 nodes');
});

test('an explicit number is used, capped at the number of cells', () => {
  expect(chooseParallel(6, 4, 3, { cpus: 2, freeMemoryBytes: GiB }).parallel).toBe(4);
  expect(chooseParallel(3, 4, 3, { cpus: 2, freeMemoryBytes: GiB }).reason).toContain('--parallel 3');
});

test('never below one', () => {
  expect(chooseParallel('auto', 5, 3, { cpus: 1, freeMemoryBytes: 0 }).parallel).toBe(1);
});

test('one cell is "1 cell", not "1 cells"', () => {
  expect(chooseParallel(1, 1, 3, { cpus: 2, freeMemoryBytes: GiB }).reason).toBe('parallel 1 (--parallel 1, 1 cell)');
  expect(chooseParallel('auto', 1, 3, { cpus: 2, freeMemoryBytes: GiB }).reason).toContain('; 1 cell; set --parallel');
});
