// How many cells run at once, and the sentence that says why.
import { availableParallelism, freemem } from 'node:os';
import { MEMORY_PER_NODE_BYTES, resolveParallel, type HostCapacity } from '../config/index.ts';
import { counted } from '../model/count.ts';

export function chooseParallel(
  parallel: number | 'auto',
  cells: number,
  nodesPerCluster: number,
  host: HostCapacity = { cpus: availableParallelism(), freeMemoryBytes: freemem() },
): { parallel: number; reason: string } {
  const chosen = resolveParallel(parallel, { cells, nodesPerCluster, host });
  const cellCount = counted(cells, 'cell');
  if (parallel !== 'auto') return { parallel: chosen, reason: `parallel ${chosen} (--parallel ${parallel}, ${cellCount})` };
  const gib = (host.freeMemoryBytes / 1024 ** 3).toFixed(1);
  const perCluster = (MEMORY_PER_NODE_BYTES * nodesPerCluster) / 1024 ** 3;
  return {
    parallel: chosen,
    reason:
      `parallel ${chosen} (auto: ${host.cpus} CPUs and ${gib} GiB free; each cluster takes about 2 CPUs and ` +
      `${perCluster} GiB for its ${nodesPerCluster} nodes; ${cellCount}; set --parallel to override)`,
  };
}
