// The controller loop: every store change (except Events and Leases) schedules one reconcile pass
// of all controllers; controllers that wait for time ask for a pass at a given moment.
import type { ApiServerTiming, ObjectStore, PodStartupHook } from '../types.ts';
import { reconcileEndpointSlices } from './endpoints.ts';
import { PodController } from './pods.ts';
import { reconcileDaemonSets } from './daemonsets.ts';
import { reconcileDeployments, reconcileJobs } from './workloads.ts';

export interface ControllerOptions {
  store: ObjectStore;
  timing: ApiServerTiming;
  podStartup: PodStartupHook | undefined;
}

const IGNORED_KINDS = new Set(['Event', 'Lease']);

export function startControllers(opts: ControllerOptions): { stop(): void } {
  const { store } = opts;
  let pending: NodeJS.Timeout | undefined;
  let wake: { at: number; timer: NodeJS.Timeout } | undefined;
  let stopped = false;

  const reconcile = (): void => {
    pending = undefined;
    if (stopped) return;
    pods.reconcile();
    reconcileDeployments(store);
    reconcileDaemonSets(store);
    reconcileJobs(store, wakeAt);
    reconcileEndpointSlices(store);
  };
  const schedule = (): void => {
    if (!pending && !stopped) pending = setTimeout(reconcile, 0);
  };
  const wakeAt = (at: number): void => {
    if (stopped || (wake && wake.at <= at)) return;
    if (wake) clearTimeout(wake.timer);
    wake = {
      at,
      timer: setTimeout(() => {
        wake = undefined;
        schedule();
      }, Math.max(0, at - Date.now())),
    };
  };
  const pods = new PodController({ store, timing: opts.timing, podStartup: opts.podStartup, wakeAt });
  const unsubscribe = store.onChange((change) => {
    if (!IGNORED_KINDS.has(change.object.kind)) schedule();
  });
  schedule();
  return {
    stop() {
      stopped = true;
      unsubscribe();
      if (pending) clearTimeout(pending);
      if (wake) clearTimeout(wake.timer);
    },
  };
}
