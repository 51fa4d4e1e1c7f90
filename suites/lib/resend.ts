// A batch of requests where only the ones that got no answer are sent again: a steady-state check
// tolerates a dropped first try, but a pass that needed a re-send is reported flaky with what the
// first attempts saw, never silently passed; what still fails after the last round is the evidence.
import { describeResult, judgeSteady, missingResult, type Probe, type ProbeResult } from '../../harness/probe/index.ts';
import type { CheckContext } from './conformance.ts';

/** Runs probes from wherever the check sends them (a pod, the external client) and returns them by id. */
export type SendBatch = (probes: Probe[]) => Promise<Map<string, ProbeResult>>;

export interface ResentBatch {
  /** Each probe's accepted result, or its last one when no attempt was accepted. */
  results: Map<string, ProbeResult>;
  /** Ids of the probes that no attempt got accepted. */
  failed: string[];
  /** Every attempt's result per probe, oldest first. */
  history: Map<string, ProbeResult[]>;
}

/** Rounds of re-sends after the first batch, one second apart. */
export const RESEND_ROUNDS = 2;
const RESEND_PAUSE_MS = 1_000;
/** How many first attempts a flaky note quotes. */
const QUOTED = 5;

/**
 * Sends `probes`, then re-sends those whose result `accept` rejects, up to `rounds` more times.
 * When every probe was accepted but some only on a re-send, `ctx.flaked` records it.
 */
export async function sendWithResends(
  send: SendBatch,
  probes: Probe[],
  accept: (result: ProbeResult) => boolean,
  ctx: CheckContext,
  rounds = RESEND_ROUNDS,
): Promise<ResentBatch> {
  const history = new Map<string, ProbeResult[]>(probes.map((p) => [p.id, []]));
  const last = (id: string) => history.get(id)!.at(-1)!;
  let pending = probes;
  for (let round = 0; round <= rounds && pending.length > 0; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, RESEND_PAUSE_MS));
    const results = await send(pending);
    for (const probe of pending) history.get(probe.id)!.push(results.get(probe.id) ?? missingResult(probe.id, 'no result'));
    pending = pending.filter((probe) => !accept(last(probe.id)));
  }
  // Each request judged as steady-state attempts (harness/probe/verdict.ts).
  const verdicts = new Map(probes.map((p) => [p.id, judgeSteady(history.get(p.id)!.map(accept))]));
  const failed = probes.filter((p) => verdicts.get(p.id) === 'fail').map((p) => p.id);
  const resent = probes.filter((p) => verdicts.get(p.id) === 'flaky');
  if (failed.length === 0 && resent.length > 0) {
    const quoted = resent.slice(0, QUOTED).map((p) => `${p.id}: ${describeResult(history.get(p.id)![0]!)}`);
    ctx.flaked(
      `${resent.length} of ${probes.length} requests were answered only when sent again; first attempts: ${quoted.join('; ')}` +
        (resent.length > QUOTED ? `; and ${resent.length - QUOTED} more` : ''),
    );
  }
  return { results: new Map(probes.map((p) => [p.id, last(p.id)])), failed, history };
}
