// Finds and deletes kind clusters that cnimatrix runs left behind, and nobody else's: only names
// built by clusterNameFor (cnimatrix-<run-id>-<cell-id>) are touched.

import { cellId, CNI_NAMES, PROXY_MODES } from '../model/cell.ts';
import { CLUSTER_PREFIX } from '../plan/index.ts';
import type { Kind } from './client.ts';
import { KindError } from './errors.ts';

const CELL_IDS = CNI_NAMES.flatMap((cni) => PROXY_MODES.map((mode) => cellId(cni, mode)));

/** True when `name` is a cnimatrix cluster, of run `runId` when one is given. */
export function isCnimatrixCluster(name: string, runId?: string): boolean {
  if (!name.startsWith(CLUSTER_PREFIX)) return false;
  const rest = name.slice(CLUSTER_PREFIX.length);
  // Run ids may contain hyphens, so match the cell id at the end rather than splitting.
  const cell = CELL_IDS.find((id) => rest.endsWith(`-${id}`));
  if (cell === undefined) return false;
  const clusterRunId = rest.slice(0, rest.length - cell.length - 1);
  return clusterRunId !== '' && (runId === undefined || clusterRunId === runId);
}

export interface CleanResult {
  /** Clusters deleted (or, in a dry run, that would be). */
  deleted: string[];
  failed: Array<{ name: string; error: KindError }>;
}

export async function cleanClusters(kind: Pick<Kind, 'getClusters' | 'deleteCluster'>, options: { runId?: string; dryRun?: boolean } = {}): Promise<CleanResult> {
  const leaked = (await kind.getClusters()).filter((name) => isCnimatrixCluster(name, options.runId));
  const result: CleanResult = { deleted: [], failed: [] };
  for (const name of leaked) {
    if (options.dryRun === true) {
      result.deleted.push(name);
      continue;
    }
    try {
      await kind.deleteCluster(name);
      result.deleted.push(name);
    } catch (error) {
      if (!(error instanceof KindError)) throw error;
      result.failed.push({ name, error });
    }
  }
  return result;
}
