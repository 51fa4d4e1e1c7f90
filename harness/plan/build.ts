// Expands a request (CNIs x proxy modes) into a Plan: every combination ends up either as a fully
// resolved cell or in `unsupported` with a reason, never silently dropped.

import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { Diagnostic } from '../../clusters/diagnostic.ts';
import { commonHostPrereqs, type HostPrereq } from '../../clusters/host-prereq.ts';
import { profileAt, profiles } from '../../clusters/index.ts';
import { ingressNginx } from '../../clusters/ingress/ingress-nginx.ts';
import type { InstallStep, WaitStep } from '../../clusters/install-step.ts';
import { waitStep } from '../../clusters/install-step.ts';
import { MINUTE_MS, type CniProfile, type ProfileContext } from '../../clusters/profile.ts';
import { proxyModes as proxyModeInfo } from '../../clusters/proxy-modes.ts';
import { kindPins, testImages } from '../../clusters/versions.ts';
import { CNI_NAMES, PROXY_MODES, SUITE_NAMES, cellId, upgradeCellId, type Capability, type CniName, type ProxyMode, type SuiteName } from '../model/cell.ts';
import { BadInputError } from '../model/errors.ts';
import { preparedPath } from '../manifests/prepare.ts';
import { clusterNameFor, validateRunId } from './cluster-name.ts';
import { describePinProblems, pinProblems } from './pin-check.ts';
import { buildKindConfig, renderKindConfig, validateKindConfig } from './kind-config.ts';
import { PLAN_SCHEMA_VERSION, type Plan, type PlanRequest, type PlannedCell, type PlannedIngress, type RefusedCell, type UnsupportedCell } from './types.ts';

export const DEFAULT_WORKERS = 2;
const MAX_WORKERS = 9;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function defaultCacheDir(): string {
  return join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'cnimatrix');
}

export function hostArch(): string {
  const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' };
  return goArch[process.arch] ?? process.arch;
}

function checkList<T extends string>(field: string, values: readonly string[], valid: readonly T[]): T[] {
  if (values.length === 0) throw new BadInputError(`${field} is empty`, `give at least one of: ${valid.join(', ')}`);
  for (const value of values) {
    if (!(valid as readonly string[]).includes(value)) {
      throw new BadInputError(`unknown ${field} value "${value}"`, `valid values: ${valid.join(', ')}`);
    }
  }
  return [...new Set(values)] as T[];
}

/** Ids an override may name: every pinned manifest, and every prepare step's pinned archive. */
function knownPinIds(arch: string): Set<string> {
  const ids = new Set<string>();
  for (const profile of Object.values(profiles).flatMap((p) => [p, ...Object.values(p.otherReleases ?? {})])) {
    for (const pin of profile.manifests) ids.add(pin.id);
    const ctx: ProfileContext = { clusterName: 'cnimatrix', proxyMode: 'iptables', podSubnet: profile.kind.podSubnet, arch };
    for (const step of profile.prepare(ctx)) ids.add(step.id);
  }
  for (const pin of ingressNginx.manifests) ids.add(pin.id);
  return ids;
}

type Overrides = Map<string, { url: string; sha256: string }>;

function checkOverrides(request: PlanRequest, arch: string): Overrides {
  const known = knownPinIds(arch);
  const overrides: Overrides = new Map();
  for (const [id, pin] of Object.entries(request.overrides?.manifests ?? {})) {
    if (!known.has(id)) {
      throw new BadInputError(`overrides.manifests: unknown manifest id "${id}"`, `valid ids: ${[...known].join(', ')}`);
    }
    if (typeof pin.url !== 'string' || !/^(https|file):\/\//.test(pin.url)) {
      throw new BadInputError(`overrides.manifests.${id}.url: "${String(pin.url)}" is not an https:// or file:// URL`);
    }
    if (typeof pin.sha256 !== 'string' || !SHA256_HEX.test(pin.sha256)) {
      throw new BadInputError(
        `overrides.manifests.${id}.sha256: "${String(pin.sha256)}" is not a sha256`,
        'a sha256 is 64 lower-case hex characters (first field of `sha256sum <file>`)',
      );
    }
    overrides.set(id, { url: pin.url, sha256: pin.sha256 });
  }
  return overrides;
}

function withOverrides(steps: InstallStep[], overrides: Overrides): InstallStep[] {
  return steps.map((step) => {
    if (step.kind !== 'applyManifest') return step;
    const override = overrides.get(step.manifest.id);
    return override === undefined ? step : { ...step, manifest: { ...step.manifest, ...override } };
  });
}

function kubernetesMinor(nodeImage: string): number | undefined {
  const match = /:v1\.(\d+)\./.exec(nodeImage);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

type ModeDecision = { supported: true; capabilities: Capability[]; caveats: string[] } | { supported: false; reason: string };

function decideMode(profile: CniProfile, mode: ProxyMode, nodeImage: string): ModeDecision {
  const support = profile.proxyModes[mode];
  if (!support.supported) return support;
  const min = proxyModeInfo[mode].minKubernetes;
  const minor = kubernetesMinor(nodeImage);
  if (min !== undefined && minor !== undefined && minor < Number(min.split('.')[1])) {
    return { supported: false, reason: `kube-proxy ${mode} needs Kubernetes >= ${min}; node image ${nodeImage} is 1.${minor}` };
  }
  return { supported: true, capabilities: support.capabilities, caveats: support.caveats ?? [] };
}

function hostPrereqsFor(profile: CniProfile, mode: ProxyMode, capabilities: Capability[], suites: SuiteName[]): HostPrereq[] {
  const wanted = (p: HostPrereq) =>
    p.kind !== 'kernelModule' ||
    ((p.module !== 'sctp' || capabilities.includes('sctp')) && (p.forSuites === undefined || p.forSuites.some((s) => suites.includes(s))));
  const all = [...commonHostPrereqs, ...proxyModeInfo[mode].hostPrereqs, ...profile.hostPrereqs].filter(wanted);
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = JSON.stringify([p.kind, p.kind === 'kernelModule' ? p.module : p.kind === 'sysctl' ? p.key : p.min]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function clusterReadiness(nodes: number, mode: ProxyMode): WaitStep[] {
  return [
    waitStep(`${nodes} nodes Ready`, { kind: 'nodesReady', minCount: nodes }, 5 * MINUTE_MS),
    ...(proxyModeInfo[mode].runsKubeProxy
      ? [waitStep('kube-proxy DaemonSet rolled out', { kind: 'daemonSetRolledOut', namespace: 'kube-system', name: 'kube-proxy' }, 3 * MINUTE_MS)]
      : []),
    waitStep('CoreDNS available', { kind: 'deploymentAvailable', namespace: 'kube-system', name: 'coredns' }, 3 * MINUTE_MS),
  ];
}

/**
 * Readiness of a cluster cnimatrix did not create: whatever it has, not what kind would have made
 * — every node Ready (however many), the pods behind kube-system/kube-dns (CoreDNS and kube-dns
 * both carry k8s-app=kube-dns) Ready. kube-proxy is not looked for by name: it may be a static pod
 * or a systemd unit, and verify-proxy-mode asks every node's kube-proxy anyway.
 */
function existingClusterReadiness(): WaitStep[] {
  return [
    waitStep('every node Ready', { kind: 'nodesReady', minCount: 1 }, 5 * MINUTE_MS),
    waitStep('cluster DNS pods (k8s-app=kube-dns) Ready', { kind: 'podsReady', namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns', minCount: 1 }, 3 * MINUTE_MS),
  ];
}

function clusterDiagnostics(mode: ProxyMode): Diagnostic[] {
  return [
    { what: 'kube-system events and pod status', namespace: 'kube-system', collect: ['pods', 'events'] },
    { what: 'CoreDNS pods and logs', namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns', collect: ['pods', 'logs'] },
    ...(proxyModeInfo[mode].runsKubeProxy
      ? [{ what: 'kube-proxy logs (shows "Using <mode> Proxier")', namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy', collect: ['logs', 'previousLogs'] } satisfies Diagnostic]
      : []),
  ];
}

function plannedIngress(overrides: Overrides): PlannedIngress {
  return {
    name: ingressNginx.name,
    version: ingressNginx.version,
    ingressClass: ingressNginx.ingressClass,
    nodeLabel: ingressNginx.nodeLabel,
    ...(ingressNginx.retired === undefined ? {} : { retired: ingressNginx.retired }),
    installSteps: withOverrides(ingressNginx.installSteps, overrides),
    readiness: ingressNginx.readiness,
    images: ingressNginx.images,
    diagnostics: ingressNginx.diagnostics,
  };
}

interface CellInputs {
  request: PlanRequest;
  profile: CniProfile;
  mode: ProxyMode;
  capabilities: Capability[];
  caveats: string[];
  nodeImage: string;
  workers: number;
  cacheDir: string;
  arch: string;
  suites: SuiteName[];
  ingress: PlannedIngress | undefined;
  overrides: Overrides;
  /** An upgrade cell: `profile` is the `from` release, this the `to` one. */
  upgradeTo?: CniProfile;
}

function planCell(inputs: CellInputs): PlannedCell {
  const { profile, mode, ingress, upgradeTo } = inputs;
  const id = upgradeTo === undefined ? cellId(profile.name, mode) : upgradeCellId(profile.name, mode);
  const clusterName = clusterNameFor(inputs.request.runId, id);
  const ctx: ProfileContext = { clusterName, proxyMode: mode, podSubnet: profile.kind.podSubnet, arch: inputs.arch };

  const prepare = profile.prepare(ctx).map((step) => {
    const hostPath = preparedPath(inputs.cacheDir, step);
    const override = inputs.overrides.get(step.id);
    if (override === undefined) return { ...step, hostPath };
    const description = `extract ${step.member} from ${override.url} (overrides.manifests.${step.id}, in place of ${basename(step.archive.url)})`;
    return { ...step, archive: override, description, hostPath };
  });
  const extraMounts = profile.kind.nodeMounts.map((mount) => {
    const source = prepare.find((step) => step.id === mount.prepared);
    if (source === undefined) throw new Error(`profile ${profile.name}: node mount ${mount.containerPath} names unknown prepare step ${mount.prepared}`);
    return { hostPath: source.hostPath, containerPath: mount.containerPath, readOnly: mount.readOnly };
  });
  const kindConfig = buildKindConfig({
    name: clusterName,
    nodeImage: inputs.nodeImage,
    workers: inputs.workers,
    disableDefaultCNI: profile.kind.disableDefaultCNI,
    podSubnet: profile.kind.podSubnet,
    kubeProxyMode: mode,
    controlPlaneLabels: { [ingressNginx.nodeLabel.key]: ingressNginx.nodeLabel.value },
    extraMounts,
  });
  const problems = validateKindConfig(kindConfig);
  if (problems.length > 0) throw new Error(`generated kind config for ${id} is invalid: ${problems.join('; ')}`);

  const installSteps = withOverrides(profile.installSteps(ctx), inputs.overrides);
  const capabilities: Capability[] = ingress === undefined ? [...inputs.capabilities] : [...inputs.capabilities, 'ingress'];
  const images = [...new Set([...profile.images, ...(upgradeTo?.images ?? []), ...(ingress?.images ?? []), testImages.agnhost, testImages.dnsutils])];
  const upgrade =
    upgradeTo === undefined
      ? undefined
      : { from: profile.version, to: upgradeTo.version, installSteps: withOverrides(upgradeTo.installSteps(ctx), inputs.overrides), readiness: upgradeTo.readiness };
  const warnings = [
    ...proxyModeInfo[mode].warnings,
    ...inputs.caveats,
    ...(profile.legacy === undefined ? [] : [`legacy: ${profile.legacy.reason}`]),
  ];

  return {
    id,
    clusterName,
    cni: profile.name,
    cniVersion: upgrade === undefined ? profile.version : `${upgrade.from}→${upgrade.to}`,
    proxyMode: mode,
    capabilities,
    kindConfig,
    kindConfigYaml: renderKindConfig(kindConfig),
    prepare,
    installSteps,
    readiness: [...profile.readiness, ...(inputs.request.existingCluster === true ? existingClusterReadiness() : clusterReadiness(inputs.workers + 1, mode))],
    ...(ingress === undefined ? {} : { ingress }),
    images,
    hostPrereqs: hostPrereqsFor(profile, mode, capabilities, inputs.suites),
    diagnostics: [...profile.diagnostics, ...clusterDiagnostics(mode), ...(ingress?.diagnostics ?? [])],
    warnings,
    ...(profile.legacy === undefined ? {} : { legacy: profile.legacy }),
    ...(mode === 'none' && profile.kubeProxyReplacementCheck !== undefined ? { kubeProxyReplacementCheck: profile.kubeProxyReplacementCheck } : {}),
    ...(profile.hostExclusive === undefined ? {} : { hostExclusive: profile.hostExclusive }),
    notes: profile.notes,
    ...(upgrade === undefined ? {} : { upgrade }),
  };
}

export function buildPlan(request: PlanRequest): Plan {
  validateRunId(request.runId);
  const upgrades = request.upgrades ?? [];
  const cnis = upgrades.length > 0 && request.cnis.length === 0 ? [] : checkList<CniName>('cnis', request.cnis, CNI_NAMES);
  const modes = checkList<ProxyMode>('proxyModes', request.proxyModes, PROXY_MODES);
  const suites = checkList<SuiteName>('suites', request.suites, SUITE_NAMES);
  const workers = request.workers ?? DEFAULT_WORKERS;
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS) {
    throw new BadInputError(`workers: invalid value ${String(workers)}`, `use a whole number from 0 to ${MAX_WORKERS}`);
  }
  const nodeImage = request.nodeImage ?? kindPins.nodeImage;
  if (nodeImage.trim() === '') throw new BadInputError('nodeImage is empty', `omit it to use ${kindPins.nodeImage}`);
  const arch = request.arch ?? hostArch();
  const overrides = checkOverrides(request, arch);
  const installIngress = request.ingress ?? suites.includes('ingress');
  const ingress = installIngress ? plannedIngress(overrides) : undefined;

  const cells: PlannedCell[] = [];
  const unsupported: UnsupportedCell[] = [];
  const refused: RefusedCell[] = [];
  const wanted = [
    ...cnis.map((cni) => ({ profile: profiles[cni], upgradeTo: undefined })),
    ...upgrades.map((u) => ({ profile: profileAt(u.cni, u.from), upgradeTo: profileAt(u.cni, u.to) })),
  ];
  for (const { profile, upgradeTo } of wanted) {
    const cni = profile.name;
    for (const mode of modes) {
      const id = upgradeTo === undefined ? cellId(cni, mode) : upgradeCellId(cni, mode);
      const decision = decideMode(upgradeTo ?? profile, mode, nodeImage);
      if (!decision.supported) {
        unsupported.push({ id, cni, proxyMode: mode, reason: decision.reason });
        continue;
      }
      const cell = planCell({
        request, profile, mode, capabilities: decision.capabilities, caveats: decision.caveats, nodeImage, workers,
        cacheDir: request.cacheDir ?? defaultCacheDir(), arch, suites, ingress, overrides, ...(upgradeTo === undefined ? {} : { upgradeTo }),
      });
      // An existing cluster installs nothing, so its pins do not matter.
      const installed = [...cell.installSteps, ...(cell.upgrade?.installSteps ?? []), ...(cell.ingress?.installSteps ?? [])];
      const problems = request.existingCluster === true ? [] : pinProblems(cell.prepare, installed);
      if (problems.length > 0) {
        refused.push({ id: cell.id, cni, proxyMode: mode, reason: describePinProblems(problems), pins: problems });
        continue;
      }
      cells.push(cell);
    }
  }

  const warnings: string[] = [];
  if (nodeImage !== kindPins.nodeImage) warnings.push(`node image ${nodeImage} is not the pinned ${kindPins.nodeImage}`);
  if (!nodeImage.includes('@sha256:')) warnings.push(`node image ${nodeImage} is not pinned by digest; kind only guarantees images referenced by @sha256`);
  if (ingress?.retired !== undefined) {
    warnings.push(
      `${ingress.name} is retired upstream (announced ${ingress.retired.announced}; ${ingress.retired.lastFixes}); successor: ${ingress.retired.successor}`,
    );
  }
  for (const cni of cnis) {
    const exclusive = cells.filter((c) => c.cni === cni && c.hostExclusive !== undefined);
    if (exclusive.length > 1) warnings.push(`the ${exclusive.length} ${cni} cells run one at a time: ${exclusive[0]?.hostExclusive}`);
  }
  if (cells.length === 0) warnings.push(refused.length > 0 ? 'no runnable cell in this request: nothing will run' : 'no supported cell in this request: nothing will run');

  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    runId: request.runId,
    kindMinVersion: kindPins.minVersion,
    nodeImage,
    cells,
    unsupported,
    refused,
    warnings,
  };
}
