// Clusters that earlier runs left behind (a crash, a kill -9, --keep): reported at the start of
// every run so they do not pile up unnoticed.
import type { Kind } from '../kind/index.ts';
import { CLUSTER_PREFIX } from '../plan/index.ts';

/** Reused clusters are kept on purpose and carry this run id in their name. */
export const REUSE_RUN_ID = 'reuse';

export async function leakedClusters(kind: Kind, runId: string): Promise<string[]> {
  const clusters = await kind.getClusters();
  return clusters.filter(
    (name) =>
      name.startsWith(CLUSTER_PREFIX) &&
      !name.startsWith(`${CLUSTER_PREFIX}${runId}-`) &&
      !name.startsWith(`${CLUSTER_PREFIX}${REUSE_RUN_ID}-`),
  );
}
