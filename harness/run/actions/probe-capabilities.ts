// Checks the capabilities the profile claims against the live cluster before any suite relies on
// them. SCTP depends on the nodes' kernel, not on the CNI: without it, every pod that serves SCTP
// crash-loops. IPv6 depends on how the pod network was set up (dual-stack or not), which the pods'
// addresses show. NetworkPolicy enforcement is asked of existing clusters only: there the CNI runs
// as its owner configured it, while in a cell cnimatrix installed, a claim that fails is a defect
// the policy suite must show red. A capability found missing costs only the checks that need it.
import { isIPv6 } from 'node:net';
import { SCTP_SUITES } from '../../../clusters/host-prereq.ts';
import type { SuiteName } from '../../model/cell.ts';
import type { Action } from '../action.ts';
import { requireKube, type CellContext } from '../context.ts';
import { probeNodeCapabilities, type NodeCapabilities } from '../capability-probe.ts';
import { policyEnforcement } from '../policy-probe.ts';

/** The suites with checks that need ipv6 (pod-network's IPv6 group). */
const IPV6_SUITES: readonly SuiteName[] = ['pod-network'];

/** What the probe pods ask of the cluster's nodes. */
const NODE_CAPABILITIES = ['sctp', 'ipv6'] as const;

function sctpAsked(ctx: CellContext): boolean {
  return ctx.cell.capabilities.includes('sctp') && ctx.config.suites.some((s) => SCTP_SUITES.includes(s));
}

function ipv6Asked(ctx: CellContext): boolean {
  return ctx.cell.capabilities.includes('ipv6') && ctx.config.suites.some((s) => IPV6_SUITES.includes(s));
}

function policyAsked(ctx: CellContext): boolean {
  return ctx.config.kubeconfig !== undefined && ctx.cell.capabilities.includes('networkPolicy') && ctx.config.suites.includes('network-policy');
}

const everyNode = (nodes: readonly unknown[]) => (nodes.length === 1 ? 'the only node' : `all ${nodes.length} nodes`);

function judgeSctp(ctx: CellContext, nodes: readonly NodeCapabilities[]): void {
  const errors = nodes.flatMap((n) => (n.sctp !== undefined && 'error' in n.sctp ? [`${n.node}: ${n.sctp.error}`] : []));
  if (errors.length > 0) throw new Error(`cannot tell whether the nodes have SCTP: ${errors.join('; ')}`);
  const without = nodes.flatMap((n) => (n.sctp !== undefined && 'evidence' in n.sctp ? [{ node: n.node, evidence: n.sctp.evidence }] : []));
  if (without.length === 0) {
    ctx.log(`sctp: works on ${everyNode(nodes)}`);
    return;
  }
  const names = without.map((n) => n.node).sort().join(', ');
  ctx.probedAbsent.sctp = `the kernel of ${without.length === nodes.length ? `every node (${names})` : `node ${names}`} has no SCTP (a pod's SCTP socket fails: "${without[0]!.evidence}")`;
  ctx.log(`sctp: absent on ${without.length} of ${nodes.length} nodes (kernel without SCTP): SCTP checks will be unsupported`);
}

/** IPv6 is there when the pod network gives pods an IPv6 address on every node (dual-stack or IPv6-only). */
function judgeIpv6(ctx: CellContext, nodes: readonly NodeCapabilities[]): void {
  const without = nodes.filter((n) => !n.podIPs.some((ip) => isIPv6(ip))).sort((a, b) => a.node.localeCompare(b.node));
  if (without.length === 0) {
    ctx.log(`ipv6: pods get an IPv6 address on ${everyNode(nodes)}`);
    return;
  }
  const seen = without.map((n) => `${n.podIPs.join(', ') || 'no address'} on ${n.node}`).join('; ');
  ctx.probedAbsent.ipv6 = `pods get no IPv6 address ${without.length === nodes.length ? 'on any node: the pod network is IPv4-only' : `on ${without.map((n) => n.node).join(', ')}`} (probe pods: ${seen})`;
  ctx.log(`ipv6: absent on ${without.length} of ${nodes.length} nodes: IPv6 checks will be unsupported`);
}

async function probeNodes(ctx: CellContext): Promise<void> {
  const sctp = sctpAsked(ctx);
  const nodes = await probeNodeCapabilities(requireKube(ctx), { sctp }, ctx.signal);
  if (nodes.length === 0) throw new Error('no node ran the capability probe pod, so what the nodes can do could not be asked');
  if (sctp) judgeSctp(ctx, nodes);
  if (ipv6Asked(ctx)) judgeIpv6(ctx, nodes);
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
    if (policyAsked(ctx) || ipv6Asked(ctx) || sctpAsked(ctx)) return undefined;
    const claimed = NODE_CAPABILITIES.filter((c) => ctx.cell.capabilities.includes(c));
    return claimed.length === 0
      ? `the cell claims no capability that depends on the cluster (${NODE_CAPABILITIES.join(', ')})`
      : `no suite of this run needs ${claimed.join(' or ')}`;
  },
  async run(ctx) {
    if (sctpAsked(ctx) || ipv6Asked(ctx)) await probeNodes(ctx);
    if (policyAsked(ctx)) await probePolicy(ctx);
  },
};
