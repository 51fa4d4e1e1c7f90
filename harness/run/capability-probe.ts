// Asks the live cluster what it can do instead of trusting the profile: a pod on every node (on
// the pod network, where the suites' pods live) shows which address families pods get there, and
// tries an SCTP association. A kernel without SCTP refuses the socket itself, and agnhost netexec
// serving --sctp-port exits on such a node, taking the TCP and UDP checks of the same pod down with
// it — so the SCTP checks must not be asked for.
import { podIPs } from '../kube/pod-ips.ts';
import type { ExecTarget, Kube } from '../kube/types.ts';
import { connectCommand } from '../probe/commands.ts';
import { classify, describeResult } from '../probe/outcome.ts';
import { askEveryNode } from './node-probe.ts';

export const CAPABILITY_PROBE_NAMESPACE = 'cnimatrix-capabilities';
/** The discard port: nothing listens there, so a kernel with SCTP answers with an ABORT (refused). */
const CLOSED_PORT = 9;
export const SCTP_PROBE_COMMAND = connectCommand('127.0.0.1', CLOSED_PORT, 'SCTP', 1);

/**
 * What one SCTP attempt to a closed port says about the kernel: refused or timed out, it has SCTP;
 * "protocol not supported" is the socket call itself failing (EPROTONOSUPPORT); anything else
 * says nothing about SCTP.
 */
export function sctpSupport(exitCode: number, output: string): { sctp: boolean } | { unknown: string } {
  const result = classify('sctp', SCTP_PROBE_COMMAND, exitCode, output);
  if (result.outcome === 'refused' || result.outcome === 'timeout' || result.outcome === 'connected') return { sctp: true };
  if (exitCode === 1 && /protocol not supported/i.test(output)) return { sctp: false };
  return { unknown: describeResult(result) };
}

export type SctpAnswer = { sctp: true } | { sctp: false; evidence: string } | { error: string };

/** What the probe pod on one node found: the addresses pods get there and, when asked, SCTP. */
export interface NodeCapabilities {
  node: string;
  /** The probe pod's status.podIPs: an IPv6 one when the pod network is dual-stack there. */
  podIPs: string[];
  sctp?: SctpAnswer;
}

/** One probe pod per node, on the pod network: its addresses, and whether its kernel gives pods SCTP. */
export function probeNodeCapabilities(kube: Kube, ask: { sctp: boolean }, signal?: AbortSignal): Promise<NodeCapabilities[]> {
  return askEveryNode(
    kube,
    { namespace: CAPABILITY_PROBE_NAMESPACE, hostNetwork: false },
    async (target, node, pod): Promise<NodeCapabilities> => {
      const addresses = podIPs(pod);
      if (!ask.sctp) return { node, podIPs: addresses };
      return { node, podIPs: addresses, sctp: await sctpOf(kube, target) };
    },
    signal,
  );
}

async function sctpOf(kube: Kube, target: ExecTarget): Promise<SctpAnswer> {
  const result = await kube.exec(target, SCTP_PROBE_COMMAND);
  const output = `${result.stdout}${result.stderr}`.trim();
  const support = sctpSupport(result.exitCode, output);
  if ('unknown' in support) return { error: `\`${SCTP_PROBE_COMMAND.join(' ')}\` exited ${result.exitCode}: ${support.unknown}` };
  return support.sctp ? { sctp: true } : { sctp: false, evidence: output };
}
