// What one cell's lifecycle actions share: the planned cell, the run settings, the kind wrapper,
// the kube adapter once the cluster exists, and the results gathered so far.
import type { Config } from '../config/index.ts';
import type { Kind } from '../kind/index.ts';
import type { Kube } from '../kube/types.ts';
import type { Capability, CellInfo } from '../model/cell.ts';
import type { PhaseName, TestResult } from '../model/results.ts';
import type { PlannedCell } from '../plan/index.ts';

/**
 * kind: cnimatrix creates and deletes the cluster · reuse: a kept cluster is created once and
 * kept for the next run · existing: someone else's cluster named by --kubeconfig.
 */
export type ClusterMode = 'kind' | 'reuse' | 'existing';

export interface CellContext {
  readonly cell: PlannedCell;
  readonly config: Config;
  readonly runDir: string;
  readonly cacheDir: string;
  readonly nodeImage: string;
  readonly kind: Kind;
  readonly mode: ClusterMode;
  readonly kubeconfigPath: string;
  readonly artifactsDir: string;
  /** Aborted on SIGINT/SIGTERM: actions stop waiting and cleanup begins. */
  readonly signal: AbortSignal;
  log(line: string): void;
  /** What the cell is doing right now (e.g. the check running): shown in a terminal, not logged. */
  status(line: string): void;
  /** Set by create-cluster as soon as a cluster may exist, so cleanup knows to delete it. */
  clusterExists: boolean;
  /** A reused cluster that already had its CNI installed. */
  alreadyInstalled: boolean;
  kube: Kube | undefined;
  kubernetesVersion: string;
  tests: TestResult[];
  /** Set by probe-capabilities: what the profile claims but the live cluster lacks, with why. */
  probedAbsent: Partial<Record<Capability, string>>;
  /** Phases whose failure sends the cell to the troubleshooting bundle. */
  failedPhase: PhaseName | undefined;
}

/** The profile's capabilities less those the live cluster was probed not to have. */
export function effectiveCapabilities(ctx: CellContext): Capability[] {
  return ctx.cell.capabilities.filter((c) => ctx.probedAbsent[c] === undefined);
}

export function cellInfo(ctx: CellContext): CellInfo {
  return {
    id: ctx.cell.id,
    cni: ctx.cell.cni,
    cniVersion: ctx.cell.cniVersion,
    proxyMode: ctx.cell.proxyMode,
    capabilities: effectiveCapabilities(ctx),
    ...(Object.keys(ctx.probedAbsent).length > 0 ? { probedAbsent: { ...ctx.probedAbsent } } : {}),
    runId: ctx.config.runId,
    strict: ctx.config.strict,
    dockerNetwork: process.env.KIND_EXPERIMENTAL_DOCKER_NETWORK ?? 'kind',
    clusterName: ctx.cell.clusterName,
  };
}

export function requireKube(ctx: CellContext): Kube {
  if (!ctx.kube) throw new Error(`no cluster is connected for cell ${ctx.cell.id}`);
  return ctx.kube;
}
