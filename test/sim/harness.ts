// Starts and stops simulated cells for tests: a kind cluster created through the fake `kind`
// executable (exactly as the product creates real ones), a CNI-shaped DaemonSet applied over
// the API, nodes Ready, and the environment a suite run needs (KUBECONFIG, CNIMATRIX_CELL, ...).
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { CELL_ENV, cellId, type Capability, type CellInfo, type CniName, type ProxyMode } from '../../harness/model/cell.ts';
import type { ApiServerStats } from './apiserver/index.ts';
import { clusterDir, faultEnvName, isAlive, readReady, SIM_HOME_ENV, writeFaults } from './kind/state.ts';
import { readFrontRecord, releaseRecordedAddresses, type FrontRecord } from './front/addresses.ts';

export const SIM_KIND_BIN = resolve(dirname(fileURLToPath(import.meta.url)), 'bin', 'kind');

export interface SimCellOptions {
  cni: CniName;
  proxyMode: ProxyMode;
  /** Dataplane faults (test/sim/faults) active from the start. */
  faults?: string[];
  /** Worker nodes besides the control plane. Default 2. */
  workers?: number;
  /** Latency added to every exec, in ms. Default 0. */
  execLatencyMs?: number;
  /** Run id in CellInfo (namespaces of suites are suffixed with it). */
  runId?: string;
  /**
   * An existing Docker bridge network (KIND_EXPERIMENTAL_DOCKER_NETWORK for the fake kind): the
   * nodes get addresses on it that containers there can reach (see `front`). Default: none, the
   * nodes' addresses exist only in the API and CellInfo.dockerNetwork is "kind".
   */
  dockerNetwork?: string;
  /** kind's networking.ipFamily: 'dual' gives every pod-network pod an IPv6 address too. Default ipv4. */
  ipFamily?: 'ipv4' | 'dual';
}

export interface SimStats extends ApiServerStats {
  /** Execs answered by the dataplane model. */
  dataplaneExecs: number;
  /** Per fault that counts them: how many outcomes it changed (e.g. first tries dropped). */
  faultEffects: Record<string, number>;
}

export interface SimCell {
  kubeconfigPath: string;
  clusterName: string;
  cell: CellInfo;
  /** KUBECONFIG, CNIMATRIX_CELL, KIND_BIN, CNIMATRIX_SIM_HOME. */
  env: Record<string, string>;
  /** Switches the cell's dataplane faults (replacing the current set) while it runs. */
  setFaults(faults: string[]): void;
  /** Whether the node addresses are reachable on the Docker network, and if not, why. */
  front: FrontRecord;
  apiStats(): Promise<SimStats>;
  stop(): Promise<void>;
}

const CNI_VERSIONS: Record<CniName, string> = {
  kindnet: 'v20260801',
  calico: 'v3.32.2',
  flannel: 'v0.27.4',
  cilium: '1.19.1',
  weave: '2.8.1',
};

/** What each simulated CNI gives a cell (mirrors the traits in test/sim/cluster/cni.ts). */
export function simCapabilities(cni: CniName, proxyMode: ProxyMode): Capability[] {
  const caps: Capability[] = ['sessionAffinity'];
  if (cni !== 'flannel') caps.push('networkPolicy');
  if (cni !== 'flannel' && cni !== 'cilium') caps.push('ipBlockMatchesPodIPs');
  if (cni === 'kindnet' || cni === 'calico' || cni === 'flannel') caps.push('sctp');
  if (cni === 'cilium' && proxyMode === 'none') caps.push('kubeProxyReplacement');
  return caps;
}

function cniDaemonSet(name: string, namespace: string, labels: Record<string, string>, image: string): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          tolerations: [{ operator: 'Exists' }],
          containers: [{ name, image, securityContext: { privileged: true } }],
          volumes: [{ name: 'cni-net-dir', hostPath: { path: '/etc/cni/net.d' } }],
        },
      },
    },
  } as KubernetesObject;
}

function calicoKubeControllers(version: string): KubernetesObject {
  const labels = { 'k8s-app': 'calico-kube-controllers' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'calico-kube-controllers', namespace: 'calico-system', labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { tolerations: [{ operator: 'Exists' }], containers: [{ name: 'calico-kube-controllers', image: `quay.io/calico/kube-controllers:${version}` }] },
      },
    },
  } as KubernetesObject;
}

/** A small manifest shaped like each CNI's install (DaemonSet name, namespace, labels). */
export function simCniManifest(cni: CniName, proxyMode: ProxyMode): KubernetesObject[] {
  const version = CNI_VERSIONS[cni];
  const ns = (name: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  switch (cni) {
    case 'kindnet':
      return [];
    case 'calico':
      return [
        ns('calico-system'),
        cniDaemonSet('calico-node', 'calico-system', { 'k8s-app': 'calico-node' }, `quay.io/calico/node:${version}`),
        // The operator's install has it too; the calico profile's readiness waits for it.
        calicoKubeControllers(version),
      ];
    case 'flannel':
      return [ns('kube-flannel'), cniDaemonSet('kube-flannel-ds', 'kube-flannel', { app: 'flannel', 'k8s-app': 'flannel' }, `ghcr.io/flannel-io/flannel:${version}`)];
    case 'cilium':
      return [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'cilium-config', namespace: 'kube-system' },
          data: { 'kube-proxy-replacement': proxyMode === 'none' ? 'true' : 'false' },
        } as KubernetesObject,
        cniDaemonSet('cilium', 'kube-system', { 'k8s-app': 'cilium' }, `quay.io/cilium/cilium:v${version}`),
      ];
    case 'weave':
      return [cniDaemonSet('weave-net', 'kube-system', { name: 'weave-net' }, `weaveworks/weave-kube:${version}`)];
  }
}

function kindConfig(cni: CniName, proxyMode: ProxyMode, workers: number, ipFamily: 'ipv4' | 'dual'): string {
  const dual = ipFamily === 'dual';
  return stringify({
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    networking: {
      kubeProxyMode: proxyMode,
      ...(dual ? { ipFamily } : {}),
      ...(cni === 'kindnet' ? {} : { disableDefaultCNI: true }),
      ...(cni === 'calico' ? { podSubnet: dual ? '192.168.0.0/16,fd00:10:244::/56' : '192.168.0.0/16' } : {}),
    },
    nodes: [
      { role: 'control-plane', labels: { 'ingress-ready': 'true' } },
      ...Array.from({ length: workers }, () => ({ role: 'worker' })),
    ],
  });
}

async function waitNodesReady(kc: KubeConfig, expected: number, timeoutMs: number): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const nodes = (await core.listNode()).items;
    const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (nodes.length >= expected && ready.length === nodes.length) return;
    last = `${ready.length}/${nodes.length} nodes Ready`;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`simulated cell: nodes not Ready after ${timeoutMs} ms (${last})`);
}

const liveCells = new Set<{ home: string; name: string }>();

function killCellProcess(home: string, name: string): void {
  const pid = readReady(home, name)?.pid;
  if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  releaseRecordedAddresses(home, name);
}

// Safety net: a test process that exits without stop() leaves no cluster process behind.
process.once('exit', () => {
  for (const { home, name } of liveCells) killCellProcess(home, name);
});

/** Creates a simulated cell through the fake kind executable and waits until its nodes are Ready. */
export async function startSimCell(opts: SimCellOptions): Promise<SimCell> {
  const workers = opts.workers ?? 2;
  const home = mkdtempSync(join(tmpdir(), 'cnimatrix-sim-'));
  const clusterName = `sim-${opts.cni}-${opts.proxyMode}-${Math.random().toString(36).slice(2, 7)}`;
  const kubeconfigPath = join(home, 'kubeconfig');
  const createEnv: Record<string, string> = {
    [SIM_HOME_ENV]: home,
    KUBECONFIG: kubeconfigPath,
    [faultEnvName(clusterName)]: (opts.faults ?? []).join(','),
    CNIMATRIX_SIM_EXEC_LATENCY_MS: String(opts.execLatencyMs ?? 0),
    ...(opts.dockerNetwork ? { KIND_EXPERIMENTAL_DOCKER_NETWORK: opts.dockerNetwork } : {}),
  };
  const entry = { home, name: clusterName };
  liveCells.add(entry);
  try {
    await execa(SIM_KIND_BIN, ['create', 'cluster', '--name', clusterName, '--config', '-', '--kubeconfig', kubeconfigPath], {
      input: kindConfig(opts.cni, opts.proxyMode, workers, opts.ipFamily ?? 'ipv4'),
      env: createEnv,
    });
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const objects = kc.makeApiClient(KubernetesObjectApi);
    for (const obj of simCniManifest(opts.cni, opts.proxyMode)) await objects.create(obj);
    await waitNodesReady(kc, workers + 1, 20_000);
  } catch (error) {
    await execa(SIM_KIND_BIN, ['delete', 'cluster', '--name', clusterName, '--kubeconfig', kubeconfigPath], { env: createEnv, reject: false });
    liveCells.delete(entry);
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const cell: CellInfo = {
    id: cellId(opts.cni, opts.proxyMode),
    cni: opts.cni,
    cniVersion: CNI_VERSIONS[opts.cni],
    proxyMode: opts.proxyMode,
    capabilities: [...simCapabilities(opts.cni, opts.proxyMode), ...(opts.ipFamily === 'dual' ? (['ipv6'] as const) : [])],
    runId: opts.runId ?? Math.random().toString(36).slice(2, 8),
    strict: false,
    dockerNetwork: opts.dockerNetwork ?? 'kind',
    clusterName,
    schedulableNodes: workers + 1,
  };
  const env = { KUBECONFIG: kubeconfigPath, [CELL_ENV]: JSON.stringify(cell), KIND_BIN: SIM_KIND_BIN, [SIM_HOME_ENV]: home };
  const front: FrontRecord = readFrontRecord(home, clusterName) ?? { active: false, network: opts.dockerNetwork ?? '', reason: 'the cluster process recorded no node front' };
  let stopped = false;
  return {
    kubeconfigPath,
    clusterName,
    cell,
    env,
    front,
    setFaults: (faults) => writeFaults(home, clusterName, faults),
    apiStats: () => requestStats(home, clusterName),
    async stop() {
      if (stopped) return;
      stopped = true;
      await execa(SIM_KIND_BIN, ['delete', 'cluster', '--name', clusterName, '--kubeconfig', kubeconfigPath], { env: createEnv, reject: false });
      killCellProcess(home, clusterName);
      liveCells.delete(entry);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Asks the cluster process (SIGUSR2) to write its counters, then reads them. */
export async function requestStats(home: string, name: string): Promise<SimStats> {
  const ready = readReady(home, name);
  if (!ready) throw new Error(`simulated cluster "${name}" is not running`);
  const file = join(clusterDir(home, name), 'stats.json');
  const before = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { seq: number }).seq : 0;
  process.kill(ready.pid, 'SIGUSR2');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const stats = JSON.parse(readFileSync(file, 'utf8')) as SimStats & { seq: number };
      if (stats.seq > before) {
        const { seq: _seq, ...rest } = stats;
        return rest;
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`simulated cluster "${name}" did not report its stats`);
}
