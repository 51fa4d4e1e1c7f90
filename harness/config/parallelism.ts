// How many kind clusters may be alive at once.

/** kubeadm's guidance for one kind node; kind itself sets no limits (nodes share host memory). */
export const MEMORY_PER_NODE_BYTES = 2 * 1024 ** 3;

export interface HostCapacity {
  cpus: number;
  freeMemoryBytes: number;
}

/**
 * The concurrency a run uses: the configured number, or for "auto" the most clusters the host
 * can carry (two CPUs and 2 GiB per node each), never more than there are cells and never less
 * than one.
 */
export function resolveParallel(
  parallel: number | 'auto',
  { cells, nodesPerCluster, host }: { cells: number; nodesPerCluster: number; host: HostCapacity },
): number {
  if (parallel !== 'auto') return Math.max(1, Math.min(parallel, cells));
  const byCpu = Math.floor(host.cpus / 2);
  const byMemory = Math.floor(host.freeMemoryBytes / (MEMORY_PER_NODE_BYTES * nodesPerCluster));
  return Math.max(1, Math.min(cells, byCpu, byMemory));
}
