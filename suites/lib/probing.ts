// One probe from one pod, retried a few times: a steady-state check tolerates a dropped first
// try, but a pass that needed a retry is flaky (harness/probe/verdict.ts), never silently passed.
import type { ExecTarget, Kube } from '../../harness/kube/types.ts';
import { describeResult, judgeSteady, runBatch, type Probe, type ProbeResult } from '../../harness/probe/index.ts';
import type { CheckContext } from './conformance.ts';

export interface RetriedProbe {
  result: ProbeResult;
  /** Every attempt's result, oldest first (the last one is `result`). */
  history: ProbeResult[];
  accepted: boolean;
}

/**
 * Runs `probe` in `source` until `accept` holds or `attempts` are used (1 s apart). When an
 * attempt after the first is accepted, `ctx.flaked` records what the earlier ones saw.
 */
export async function probeWithRetry(
  kube: Kube,
  source: ExecTarget,
  probe: Probe,
  accept: (result: ProbeResult) => boolean,
  ctx: CheckContext,
  attempts = 3,
): Promise<RetriedProbe> {
  const history: ProbeResult[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 1000));
    const result = (await runBatch(kube, source, [probe])).get(probe.id)!;
    history.push(result);
    if (accept(result)) {
      if (judgeSteady(history.map(accept)) === 'flaky') {
        ctx.flaked(`passed on attempt ${attempt} of ${attempts}; before: ${history.slice(0, -1).map(describeResult).join('; ')}`);
      }
      return { result, history, accepted: true };
    }
  }
  return { result: history.at(-1)!, history, accepted: false };
}
