// Runs one cell's lifecycle: the actions in order, each timed; cleanup actions always run, also
// after a failure or an interrupt, so no cluster is left behind.
import type { CellMeta, CellResult, PhaseName, PhaseTiming } from '../model/results.ts';
import { CnimatrixError } from '../model/errors.ts';
import type { Action } from './action.ts';
import type { CellContext } from './context.ts';
import { collect } from './actions/collect.ts';
import { createCluster } from './actions/create-cluster.ts';
import { deleteCluster } from './actions/delete-cluster.ts';
import { installCni } from './actions/install-cni.ts';
import { installIngress } from './actions/install-ingress.ts';
import { probeCapabilities } from './actions/probe-capabilities.ts';
import { runSuites } from './actions/run-suites.ts';
import { upgradeCni } from './actions/upgrade-cni.ts';
import { verifyProxyMode } from './actions/verify-proxy-mode.ts';
import { waitReady } from './actions/wait-ready.ts';
import type { Progress } from './progress.ts';

const LIFECYCLE: Action[] = [createCluster, installCni, waitReady, installIngress, verifyProxyMode, probeCapabilities, upgradeCni, runSuites];
const CLEANUP: Action[] = [collect, deleteCluster];

export class InterruptedError extends Error {
  constructor(phase: PhaseName) {
    super(`interrupted during ${phase}`);
    this.name = 'InterruptedError';
  }
}

/** Stops waiting for `work` when the run is interrupted; the work itself ends with the cluster. */
function abortable<T>(work: Promise<T>, signal: AbortSignal, phase: PhaseName): Promise<T> {
  if (signal.aborted) return Promise.reject(new InterruptedError(phase));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new InterruptedError(phase));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export interface CellRunHooks {
  progress: Progress;
  meta: Omit<CellMeta, 'kubernetesVersion'>;
}

export async function runCell(ctx: CellContext, hooks: CellRunHooks): Promise<CellResult> {
  const { progress } = hooks;
  const startedAt = new Date().toISOString();
  const phases: PhaseTiming[] = [];
  let error: CellResult['error'];
  progress.cellStarted(ctx.cell.id);

  const perform = async (action: Action, cleanup: boolean): Promise<void> => {
    const begin = Date.now();
    const timing = (status: PhaseTiming['status'], extra: Partial<PhaseTiming> = {}): PhaseTiming => ({
      phase: action.phase,
      status,
      startedAt: new Date(begin).toISOString(),
      durationMs: Date.now() - begin,
      ...extra,
    });
    let skipped: string | undefined;
    if (!cleanup && ctx.signal.aborted) skipped = 'interrupted';
    else if (!cleanup && ctx.failedPhase) skipped = `${ctx.failedPhase} failed`;
    else if (cleanup && action === collect && ctx.signal.aborted) skipped = 'interrupted';
    else skipped = action.skip?.(ctx);
    if (skipped !== undefined) {
      // A cell that was cut short is not a result: it stays an error, so --resume runs it again.
      if (!cleanup && skipped === 'interrupted' && !error) error = { phase: action.phase, message: `interrupted before ${action.phase}` };
      const t = timing('skipped', { error: skipped });
      phases.push(t);
      progress.phaseEnded(ctx.cell.id, t);
      return;
    }
    progress.phaseStarted(ctx.cell.id, action.phase);
    try {
      // Cleanup must finish even after an interrupt; interruptible lifecycle actions stop waiting.
      const stopsOnInterrupt = !cleanup && action.interruptible !== false;
      await (stopsOnInterrupt ? abortable(action.run(ctx), ctx.signal, action.phase) : action.run(ctx));
      const t = timing('ok');
      phases.push(t);
      progress.phaseEnded(ctx.cell.id, t);
    } catch (caught) {
      const message = caught instanceof Error ? caught.message : String(caught);
      const hint = caught instanceof CnimatrixError ? caught.hint : undefined;
      const t = timing('failed', { error: message });
      phases.push(t);
      progress.phaseEnded(ctx.cell.id, t);
      ctx.log(`${action.phase} failed: ${message}${hint ? ` (${hint})` : ''}`);
      if (!ctx.failedPhase) ctx.failedPhase = action.phase;
      if (!error) error = { phase: action.phase, message, ...(hint ? { hint } : {}) };
    }
  };

  for (const action of LIFECYCLE) await perform(action, false);
  for (const action of CLEANUP) await perform(action, true);

  const result: CellResult = {
    runId: ctx.config.runId,
    // The profile's claims stay as declared; what the probe found missing travels beside them with its evidence.
    cell: {
      ...hooks.meta,
      kubernetesVersion: ctx.kubernetesVersion,
      ...(Object.keys(ctx.probedAbsent).length > 0 ? { probedAbsent: { ...ctx.probedAbsent } } : {}),
    },
    startedAt,
    finishedAt: new Date().toISOString(),
    phases,
    tests: ctx.tests,
    ...(error ? { error } : {}),
  };
  progress.cellEnded(ctx.cell.id, result);
  return result;
}
