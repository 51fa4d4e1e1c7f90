// Checks the capabilities the profile claims against the live cluster before any suite relies on
// them. SCTP depends on the nodes' kernel, not on the CNI: without it, every pod that serves SCTP
// crash-loops. NetworkPolicy enforcement is asked of existing clusters only: there the CNI runs
// as its owner configured it, while in a cell cnimatrix installed, a claim that fails is a defect
// the policy suite must show red. A capability found missing costs only the checks that need it.
import { SCTP_SUITES } from '../../../clusters/host-prereq.ts';
import type { Action } from '../action.ts';
import { requireKube, type CellContext } from '../context.ts';
import { nodeSctpSupport } from '../capability-probe.ts';
import { policyEnforcement } from '../policy-probe.ts';

function sctpSkip(ctx: CellContext): string | undefined {
  if (!ctx.cell.capabilities.includes('sctp')) return 'the cell claims no capability that depends on the nodes (sctp)';
  if (!ctx.config.suites.some((s) => SCTP_SUITES.includes(s))) return 'no suite of this run sends SCTP';
  return undefined;
}

function policyAsked(ctx: CellContext): boolean {
  return ctx.config.kubeconfig !== undefined && ctx.cell.capabilities.includes('networkPolicy') && ctx.config.suites.includes('network-policy');
}

async function probeSctp(ctx: CellContext): Promise<void> {
  const nodes = await nodeSctpSupport(requireKube(ctx), ctx.signal);
  if (nodes.length === 0) throw new Error('no node ran the capability probe pod, so SCTP support could not be asked');
  const errors = nodes.flatMap((n) => ('error' in n ? [`${n.node}: ${n.error}`] : []));
  if (errors.length > 0) throw new Error(`cannot tell whether the nodes have SCTP: ${errors.join('; ')}`);
  const without = nodes.flatMap((n) => ('sctp' in n && !n.sctp ? [n] : []));
  if (without.length === 0) {
    ctx.log(`sctp: works on ${nodes.length === 1 ? 'the only node' : `all ${nodes.length} nodes`}`);
    return;
  }
  const names = without.map((n) => n.node).sort().join(', ');
  ctx.probedAbsent.sctp = `the kernel of ${without.length === nodes.length ? `every node (${names})` : `node ${names}`} has no SCTP (a pod's SCTP socket fails: "${without[0]!.evidence}")`;
  ctx.log(`sctp: absent on ${without.length} of ${nodes.length} nodes (kernel without SCTP): SCTP checks will be unsupported`);
}

async function probePolicy(ctx: CellContext): Promise<void> {
  const answer = await policyEnforcement(requireKube(ctx), ctx.signal);
  if ('unknown' in answer) throw new Error(`cannot tell whether the cluster enforces NetworkPolicy: ${answer.unknown}`);
  if (answer.enforced) {
    ctx.log(`networkPolicy: enforced (a deny-all ingress policy blocked the probe pod within ${(answer.afterMs / 1000).toFixed(1)} s)`);
    return;
  }
  ctx.probedAbsent.networkPolicy = `this cluster does not enforce NetworkPolicy as it is configured (${answer.evidence})`;
  ctx.log(`networkPolicy: not enforced (${answer.evidence}): NetworkPolicy checks will be unsupported`);
}

export const probeCapabilities: Action = {
  phase: 'probe-capabilities',
  skip(ctx) {
    return policyAsked(ctx) ? undefined : sctpSkip(ctx);
  },
  async run(ctx) {
    if (sctpSkip(ctx) === undefined) await probeSctp(ctx);
    if (policyAsked(ctx)) await probePolicy(ctx);
  },
};
