// The fault catalogue: every dataplane fault by name, the create-time faults the fake kind
// handles itself, and loading of extra faults from the module named in CNIMATRIX_SIM_FAULTS.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { affinityIgnored } from './affinity-ignored.ts';
import { affinityUdpIgnored } from './affinity-udp-ignored.ts';
import { dnsHeadlessEmpty } from './dns-headless-empty.ts';
import { dnsNoSearchPath } from './dns-no-search-path.ts';
import { dnsNoSrv } from './dns-no-srv.ts';
import { firstTryDrops } from './first-try-drops.ts';
import { endpointsIncludeUnready } from './endpoints-include-unready.ts';
import { ingressIgnoreHost } from './ingress-ignore-host.ts';
import { ingressPrefixAsExact } from './ingress-prefix-as-exact.ts';
import { ipv6NoCrossNode } from './ipv6-no-cross-node.ts';
import { kernelNoSctp } from './kernel-no-sctp.ts';
import { registryUnreachable } from './registry-unreachable.ts';
import { noCrossNode } from './no-cross-node.ts';
import { nodePortLocalForwards } from './nodeport-local-forwards.ts';
import { nodePortNoRemoteForwarding } from './nodeport-no-remote-forwarding.ts';
import { policyEndPortExclusive } from './policy-endport-exclusive.ts';
import { policyEndPortFirstPortOnly } from './policy-endport-first-port-only.ts';
import { policyIgnoreEgress } from './policy-ignore-egress.ts';
import { policyIgnoreExcept } from './policy-ignore-except.ts';
import { policyIgnoreNamedPorts } from './policy-ignore-named-ports.ts';
import { policyNamedPortFirstPod } from './policy-named-port-first-pod.ts';
import { policyDeletionIgnored } from './policy-deletion-ignored.ts';
import { policyPeersOrInsteadOfAnd } from './policy-peers-or-instead-of-and.ts';
import { policyProgrammingDelay } from './policy-programming-delay.ts';
import { policyUdpUnenforced } from './policy-udp-unenforced.ts';
import { policyUnenforced } from './policy-unenforced.ts';
import { proxyModeIptablesOnly } from './proxy-mode-iptables-only.ts';
import { serviceSingleEndpoint } from './service-single-endpoint.ts';
import { serviceUdpNotForwarded } from './service-udp-not-forwarded.ts';
import { snatCrossNode } from './snat-cross-node.ts';
import { upgradeGap } from './upgrade-gap.ts';
import { upgradePolicyLeak } from './upgrade-policy-leak.ts';
import { upgradeResetsConnections } from './upgrade-resets-connections.ts';
import type { SimFault } from './types.ts';

export type * from './types.ts';

export const FAULT_CATALOGUE: readonly SimFault[] = [
  snatCrossNode,
  noCrossNode,
  ipv6NoCrossNode,
  policyIgnoreEgress,
  policyPeersOrInsteadOfAnd,
  policyIgnoreExcept,
  policyIgnoreNamedPorts,
  policyNamedPortFirstPod,
  policyEndPortFirstPortOnly,
  policyEndPortExclusive,
  policyUdpUnenforced,
  policyUnenforced,
  policyDeletionIgnored,
  dnsNoSearchPath,
  dnsHeadlessEmpty,
  dnsNoSrv,
  ingressPrefixAsExact,
  ingressIgnoreHost,
  proxyModeIptablesOnly,
  serviceSingleEndpoint,
  affinityIgnored,
  affinityUdpIgnored,
  serviceUdpNotForwarded,
  endpointsIncludeUnready,
  nodePortLocalForwards,
  nodePortNoRemoteForwarding,
  kernelNoSctp,
  registryUnreachable,
  policyProgrammingDelay,
  firstTryDrops,
  upgradeResetsConnections,
  upgradeGap,
  upgradePolicyLeak,
];

/** Faults the fake kind executable acts on at create time (not dataplane faults). */
export const CREATE_FAULTS = ['create-transient:<n>', 'create-permanent', 'docker-down'] as const;

export function isCreateFault(name: string): boolean {
  return name === 'create-permanent' || name === 'docker-down' || /^create-transient(:\d+)?$/.test(name);
}

export const EXTRA_FAULTS_ENV = 'CNIMATRIX_SIM_FAULTS';

/** Loads the extra faults module (default export: SimFault[]) named in CNIMATRIX_SIM_FAULTS. */
export async function loadExtraFaults(env: NodeJS.ProcessEnv = process.env): Promise<SimFault[]> {
  const path = env[EXTRA_FAULTS_ENV];
  if (!path) return [];
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
  const faults = mod.default;
  if (!Array.isArray(faults) || faults.some((f) => typeof f?.name !== 'string' || typeof f?.description !== 'string')) {
    throw new Error(`${EXTRA_FAULTS_ENV}=${path}: the module's default export must be an array of faults ({ name, description, ...hooks })`);
  }
  return faults as SimFault[];
}

/** A fault by name: its own, or `<name>:<n>` of a fault that takes a number. */
function findFault(name: string, available: readonly SimFault[]): SimFault | undefined {
  const exact = available.find((f) => f.name === name);
  if (exact) return exact;
  const [, base, value] = /^(.+):(\d+)$/.exec(name) ?? [];
  return available.find((f) => f.name === base && f.withParameter)?.withParameter?.(Number(value));
}

/** The dataplane faults for names (create-time names are skipped); unknown names are an error. */
export function resolveFaults(names: readonly string[], available: readonly SimFault[]): SimFault[] {
  return names
    .filter((name) => !isCreateFault(name))
    .map((name) => {
      const fault = findFault(name, available);
      if (!fault) {
        const known = [...available.map((f) => (f.withParameter ? `${f.name}[:<n>]` : f.name)), ...CREATE_FAULTS].join(', ');
        throw new Error(`unknown simulated fault "${name}"; known faults: ${known}`);
      }
      return fault;
    });
}
