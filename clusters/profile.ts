// Everything cnimatrix knows about one CNI: pins, kind config patch, proxy-mode support,
// capabilities, install steps, readiness, host prerequisites, images and diagnostics.

import type { Capability, CniName, ProxyMode } from '../harness/model/cell.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { HostPrereq } from './host-prereq.ts';
import type { InstallStep, WaitStep } from './install-step.ts';
import type { ManifestPin } from './pin.ts';
import type { PrepareStep } from './prepare-step.ts';

export type ModeSupport =
  | { supported: true; capabilities: Capability[]; caveats?: string[] }
  | { supported: false; reason: string };

/** A kind extraMount whose host path is the output of one of the profile's prepare steps. */
export interface PreparedMount {
  /** Id of the PrepareStep that produces the host file. */
  prepared: string;
  containerPath: string;
  readOnly: boolean;
}

export interface KindPatch {
  disableDefaultCNI: boolean;
  /** Pod CIDR the CNI expects; install steps receive it so both always agree. */
  podSubnet: string;
  /** Mounted into every node (control plane and workers). */
  nodeMounts: PreparedMount[];
}

/** What a profile's steps may depend on; fixed per cell by the plan. */
export interface ProfileContext {
  clusterName: string;
  proxyMode: ProxyMode;
  podSubnet: string;
  /** Go architecture name of the Docker host (amd64, arm64). */
  arch: string;
}

/**
 * How to ask the CNI itself whether it replaces kube-proxy: a command run in each of its agent
 * pods, whose output must match `expect` (a regular expression).
 */
export interface KubeProxyReplacementCheck {
  namespace: string;
  labelSelector: string;
  container: string;
  command: string[];
  expect: string;
  /** What a match means, for logs and errors. */
  what: string;
}

export interface LegacyInfo {
  reason: string;
  /** Which release or fork is used, and why. */
  source: string;
}

export interface CniProfile {
  name: CniName;
  displayName: string;
  version: string;
  legacy?: LegacyInfo;
  /** Every manifest the install steps may apply, for `cnimatrix pins verify` and overrides. */
  manifests: ManifestPin[];
  kind: KindPatch;
  proxyModes: Record<ProxyMode, ModeSupport>;
  prepare(ctx: ProfileContext): PrepareStep[];
  installSteps(ctx: ProfileContext): InstallStep[];
  /** Checked after the install steps; the plan adds nodes Ready and CoreDNS. */
  readiness: WaitStep[];
  hostPrereqs: HostPrereq[];
  /** Images to preload with `kind load` (manifest images plus ones operators create later). */
  images: string[];
  diagnostics: Diagnostic[];
  /** Why the profile is built the way it is (manifest choice, known fixes); shown by the plan. */
  notes: string[];
  /** For proxy mode none: proof from the CNI that its kube-proxy replacement is on. */
  kubeProxyReplacementCheck?: KubeProxyReplacementCheck;
  /** Set when two cells of this CNI must not run at once on one host: why. The run serialises them. */
  hostExclusive?: string;
  /** Earlier releases an upgrade cell can start from, each a whole profile with its own pins, by version. */
  otherReleases?: Record<string, CniProfile>;
}

export const MINUTE_MS = 60_000;
