// The plan: which cells a run executes, fully resolved, and which requested cells are unsupported.
// Serialized as JSON by `cnimatrix plan --format json`; schema documented in docs/plan-schema.md.

import type { Diagnostic } from '../../clusters/diagnostic.ts';
import type { HostPrereq } from '../../clusters/host-prereq.ts';
import type { InstallStep, WaitStep } from '../../clusters/install-step.ts';
import type { KubeProxyReplacementCheck, LegacyInfo } from '../../clusters/profile.ts';
import type { PrepareStep } from '../../clusters/prepare-step.ts';
import type { Capability, CniName, ProxyMode, SuiteName, UpgradeRequest } from '../model/cell.ts';
import type { KindConfig } from './kind-config.ts';
import type { PinProblem } from './pin-check.ts';

export const PLAN_SCHEMA_VERSION = 'cnimatrix.io/plan/v1';

export interface PlanRequest {
  runId: string;
  cnis: CniName[];
  proxyModes: ProxyMode[];
  suites: SuiteName[];
  nodeImage?: string;
  /** Worker nodes per cluster (default 2: cross-node paths need two workers besides the control plane). */
  workers?: number;
  /** Install the ingress controller (default: true when 'ingress' is among the suites). */
  ingress?: boolean;
  overrides?: { manifests?: Record<string, { url: string; sha256: string }> };
  /** Where pinned artifacts are cached and prepared files are written (default ~/.cache/cnimatrix). */
  cacheDir?: string;
  /** Docker host architecture in Go naming (default: this machine's). */
  arch?: string;
  /** The cells test a cluster that exists already (--kubeconfig): nothing is installed, pins are not checked. */
  existingCluster?: boolean;
  /** Upgrade cells, each in every proxy mode of the request (`cnis` may then be empty). */
  upgrades?: UpgradeRequest[];
}

/** What an upgrade cell installs after its first version is up: the next version, in place. */
export interface PlannedUpgrade {
  from: string;
  to: string;
  /** The `to` version's install steps (applied over the running `from`), then its readiness. */
  installSteps: InstallStep[];
  readiness: WaitStep[];
}

/** A prepare step with the absolute host path it writes (mounted by the kind config). */
export type PlannedPrepareStep = PrepareStep & { hostPath: string };

export interface PlannedIngress {
  name: string;
  version: string;
  ingressClass: string;
  nodeLabel: { key: string; value: string };
  retired?: { announced: string; lastFixes: string; successor: string };
  installSteps: InstallStep[];
  readiness: WaitStep[];
  images: string[];
  diagnostics: Diagnostic[];
}

export interface PlannedCell {
  id: string;
  clusterName: string;
  cni: CniName;
  cniVersion: string;
  proxyMode: ProxyMode;
  capabilities: Capability[];
  kindConfig: KindConfig;
  kindConfigYaml: string;
  prepare: PlannedPrepareStep[];
  installSteps: InstallStep[];
  /** Run after the install steps: the CNI's own checks, then nodes Ready and CoreDNS available. */
  readiness: WaitStep[];
  ingress?: PlannedIngress;
  images: string[];
  hostPrereqs: HostPrereq[];
  diagnostics: Diagnostic[];
  warnings: string[];
  legacy?: LegacyInfo;
  /** Proxy mode none only: how verify-proxy-mode asks the CNI that it replaces kube-proxy. */
  kubeProxyReplacementCheck?: KubeProxyReplacementCheck;
  /** Cells of this CNI run one at a time on a host, for this reason. */
  hostExclusive?: string;
  notes: string[];
  /** Set on an upgrade cell: installSteps/readiness install `from`, this upgrades it to `to`. */
  upgrade?: PlannedUpgrade;
}

export interface UnsupportedCell {
  id: string;
  cni: CniName;
  proxyMode: ProxyMode;
  reason: string;
}

/** A supported combination that cannot run as pinned (e.g. a pin without a recorded sha256). */
export interface RefusedCell {
  id: string;
  cni: CniName;
  proxyMode: ProxyMode;
  /** Every pin problem with its fix, in one line. */
  reason: string;
  pins: PinProblem[];
}

export interface Plan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  runId: string;
  kindMinVersion: string;
  nodeImage: string;
  cells: PlannedCell[];
  unsupported: UnsupportedCell[];
  /** Refused before any cluster is created; `run` exits 4 while the request holds one. */
  refused: RefusedCell[];
  warnings: string[];
}
