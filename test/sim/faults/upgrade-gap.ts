// A CNI upgrade that interrupts the datapath: for a while after a node's agent is replaced, pod
// traffic to and from that node's pods is dropped (an agent that tears down routes or its overlay
// device on stop and rebuilds them on start). Probes time out, held connections stall, then both
// recover. `upgrade-gap:<ms>` sets the length of the gap.
import { agentReplacements } from '../dataplane/agent-rollout.ts';
import type { SimPod } from '../dataplane/state.ts';
import type { SimFault } from './types.ts';

export const UPGRADE_GAP_DEFAULT_MS = 3_000;

/** Connections dropped, over every variant. */
let dropped = 0;
const variants = new Map<number, SimFault>();

function upgradeGapOf(gapMs: number): SimFault {
  const known = variants.get(gapMs);
  if (known) return known;
  // Nodes in their gap in the state the model read last: transformState runs as every context is
  // built, before any of its connections is decided.
  let gapped = new Set<string>();
  const inGap = (pod: SimPod | undefined, node: string | undefined): boolean => pod !== undefined && !pod.hostNetwork && node !== undefined && gapped.has(node);
  const fault: SimFault = {
    name: gapMs === UPGRADE_GAP_DEFAULT_MS ? 'upgrade-gap' : `upgrade-gap:${gapMs}`,
    description: `For ${gapMs} ms after a node's CNI agent is replaced, pod traffic to and from that node's pods is dropped (\`upgrade-gap:<ms>\` sets the length).`,
    transformState(state) {
      const now = Date.now();
      gapped = new Set([...agentReplacements(state)].filter(([, r]) => now >= r.at && now < r.at + gapMs).map(([node]) => node));
      return state;
    },
    connection(attempt, verdict) {
      if (!inGap(attempt.fromPod, attempt.fromNode) && !inGap(attempt.toPod, attempt.toNode)) return verdict;
      if (verdict.outcome !== 'timeout') dropped++;
      return { ...verdict, outcome: 'timeout', reason: "dropped while the node's CNI agent is replaced" };
    },
    effects: () => dropped,
    withParameter: upgradeGapOf,
  };
  variants.set(gapMs, fault);
  return fault;
}

export const upgradeGap = upgradeGapOf(UPGRADE_GAP_DEFAULT_MS);
