// A CNI upgrade that loses established connections: once a node's agent is replaced, connections
// to and from that node's pods opened before are reset, as an agent that flushes conntrack or
// rebuilds the pods' datapath on start does. (Flannel's restart keeps them: the faithful sim does.)
import { agentReplacements } from '../dataplane/agent-rollout.ts';
import type { SimFault } from './types.ts';

let resets = 0;

export const upgradeResetsConnections: SimFault = {
  name: 'upgrade-resets-connections',
  description: "Connections open across a CNI agent's replacement on the node of either end are reset (the monitor reads end of stream).",
  heldConnectionReset(held, state) {
    const now = Date.now();
    const replacements = agentReplacements(state);
    const reset = [held.from.node, held.to.node].some((node) => {
      const replacement = node === undefined ? undefined : replacements.get(node);
      return replacement !== undefined && replacement.at > held.openedAt && replacement.at <= now;
    });
    if (reset) resets++;
    return reset;
  },
  effects: () => resets,
};
