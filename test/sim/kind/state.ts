// The simulated kind's on-disk state, under CNIMATRIX_SIM_HOME:
//   clusters/<name>/cluster.json   what create recorded (config, node names, cluster process pid/port)
//   clusters/<name>/ready.json     written by the cluster process once its API server listens
//   clusters/<name>/kubeconfig     the cluster's external kubeconfig
//   clusters/<name>/images.json    images loaded with `kind load docker-image`
//   faults/<name>                  comma-separated fault names set by tests (read on every exec)
//   create-attempts/<name>         attempt counter for the create-transient fault
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KindConfig } from './config.ts';

export const SIM_HOME_ENV = 'CNIMATRIX_SIM_HOME';
export const SIM_FAULTS_MODULE_ENV = 'CNIMATRIX_SIM_FAULTS';

export interface ClusterRecord {
  name: string;
  config: KindConfig;
  nodeNames: string[];
  createdAt: string;
  /** Docker network the nodes are on (KIND_EXPERIMENTAL_DOCKER_NETWORK, default "kind"). */
  dockerNetwork: string;
  /** Fault names from CNIMATRIX_SIM_FAULTS_<NAME> at create time. */
  envFaults: string[];
  /** Simulated exec latency (ms) for every exec answered by the dataplane. */
  execLatencyMs: number;
  pid?: number;
}

export interface ReadyRecord {
  pid: number;
  port: number;
  url: string;
}

export function simHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env[SIM_HOME_ENV];
  if (!home) {
    throw new Error(
      `${SIM_HOME_ENV} is not set: the simulated kind keeps its clusters in that directory. ` +
        'Set it to an empty directory (test/sim/harness.ts does this for you).',
    );
  }
  return home;
}

export function clusterDir(home: string, name: string): string {
  return join(home, 'clusters', name);
}

/** The environment variable holding a cluster's fault list: CNIMATRIX_SIM_FAULTS_<NAME>. */
export function faultEnvName(clusterName: string): string {
  return `CNIMATRIX_SIM_FAULTS_${clusterName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function faultFile(home: string, name: string): string {
  return join(home, 'faults', name);
}

export function splitFaults(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Faults for a cluster: the create-time environment plus the state-dir file tests write. */
export function readFaults(home: string, name: string, envFaults: string[] = []): string[] {
  const file = faultFile(home, name);
  const fromFile = existsSync(file) ? splitFaults(readFileSync(file, 'utf8')) : [];
  return [...new Set([...envFaults, ...fromFile])];
}

/** Tests switch faults on (or off, with []) for a running cluster. */
export function writeFaults(home: string, name: string, faults: string[]): void {
  mkdirSync(join(home, 'faults'), { recursive: true });
  writeFileSync(faultFile(home, name), faults.join(','));
}

export function readCluster(home: string, name: string): ClusterRecord | undefined {
  const file = join(clusterDir(home, name), 'cluster.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterRecord;
}

export function writeCluster(home: string, record: ClusterRecord): void {
  mkdirSync(clusterDir(home, record.name), { recursive: true });
  writeFileSync(join(clusterDir(home, record.name), 'cluster.json'), JSON.stringify(record, null, 2));
}

export function readReady(home: string, name: string): ReadyRecord | undefined {
  const file = join(clusterDir(home, name), 'ready.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ReadyRecord;
}

export function listClusters(home: string): string[] {
  const dir = join(home, 'clusters');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'cluster.json')))
    .sort();
}

export function nodeNamesFor(clusterName: string, config: KindConfig): string[] {
  let controlPlanes = 0;
  let workers = 0;
  return config.nodes.map((node) => {
    if (node.role === 'control-plane') {
      controlPlanes++;
      return controlPlanes === 1 ? `${clusterName}-control-plane` : `${clusterName}-control-plane${controlPlanes}`;
    }
    workers++;
    return workers === 1 ? `${clusterName}-worker` : `${clusterName}-worker${workers}`;
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
