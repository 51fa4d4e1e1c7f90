// The simulated kind CLI: kind's subcommands, flags, messages and exit codes (1 on every error,
// "ERROR: ..." on stderr), backed by one background cluster process per cluster.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_NODE_IMAGE, imageVersion, KindConfigError, parseKindConfig, validateKindConfig, type KindConfig } from './config.ts';
import { kindKubeconfig, kubeconfigTarget, mergeInto, removeFrom, serializeKubeconfig } from './kubeconfig.ts';
import { loadedImages as imagesLoadedInto } from '../cluster/registry.ts';
import { releaseRecordedAddresses } from '../front/addresses.ts';
import {
  clusterDir, faultEnvName, isAlive, listClusters, nodeNamesFor, readCluster, readFaults, readReady,
  simHome, splitFaults, writeCluster, type ClusterRecord,
} from './state.ts';

export const KIND_VERSION_LINE = 'kind v0.33.0 go1.25.1 linux/amd64';
const CLUSTER_MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'cluster', 'main.ts');
const READY_TIMEOUT_MS = 30_000;

class KindError extends Error {
  readonly commandOutput: string | undefined;
  constructor(message: string, commandOutput?: string) {
    super(message);
    this.commandOutput = commandOutput;
  }
}

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

const BOOLEAN_FLAGS = new Set(['retain', 'internal', 'all', 'quiet', 'help']);
const VALUE_FLAGS = new Set(['name', 'config', 'image', 'wait', 'kubeconfig', 'verbosity']);
const SHORT_FLAGS: Record<string, string> = { n: 'name', q: 'quiet', v: 'verbosity', h: 'help', A: 'all' };

function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-' || !arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const body = arg.slice(long ? 2 : 1);
    const eq = body.indexOf('=');
    const rawName = eq >= 0 ? body.slice(0, eq) : body;
    const name = long ? rawName : SHORT_FLAGS[rawName];
    if (!name || (!BOOLEAN_FLAGS.has(name) && !VALUE_FLAGS.has(name))) {
      throw new KindError(long ? `unknown flag: --${rawName}` : `unknown shorthand flag: '${rawName}' in ${arg}`);
    }
    if (BOOLEAN_FLAGS.has(name)) {
      flags.set(name, eq >= 0 ? body.slice(eq + 1) : true);
    } else if (eq >= 0) {
      flags.set(name, body.slice(eq + 1));
    } else {
      const value = argv[++i];
      if (value === undefined) throw new KindError(`flag needs an argument: ${arg}`);
      flags.set(name, value);
    }
  }
  return { positional, flags };
}

function flag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function clusterNameFrom(args: ParsedArgs, config?: KindConfig): string {
  return flag(args, 'name') ?? process.env.KIND_CLUSTER_NAME ?? config?.name ?? 'kind';
}

function status(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Parses a Go duration ("5m", "90s", "1m30s", "0s"); kind requires a unit. */
function parseDuration(text: string): number {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new KindError(`invalid argument "${text}" for "--wait" flag: time: missing unit in duration "${text}"`);
  }
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]!]!, 0);
}

function readConfigText(source: string | undefined): string {
  if (source === undefined) return '';
  if (source === '-') return readFileSync(0, 'utf8');
  if (!existsSync(source)) throw new KindError(`failed to create cluster: error reading file: open ${source}: no such file or directory`);
  return readFileSync(source, 'utf8');
}

function dockerDown(name: string): KindError {
  return new KindError(
    `failed to create cluster: failed to list nodes: command "docker ps -a --filter label=io.x-k8s.kind.cluster=${name} --format '{{.Names}}'" failed with error: exit status 1`,
    'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
  );
}

/** create-transient:N fails the first N create attempts for a name, counted in the state dir. */
function transientFailure(home: string, name: string, faults: string[], image: string): KindError | undefined {
  const fault = faults.find((f) => f.startsWith('create-transient'));
  if (!fault) return undefined;
  const times = Number(fault.split(':')[1] ?? '1');
  const dir = join(home, 'create-attempts');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  const attempts = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
  writeFileSync(file, String(attempts + 1));
  if (attempts >= times) return undefined;
  return new KindError(
    `failed to create cluster: failed to pull image "${image}": command "docker pull ${image}" failed with error: exit status 1`,
    'Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout',
  );
}

async function waitForReady(home: string, name: string, child: ReturnType<typeof spawn>, logFile: string): Promise<void> {
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (readReady(home, name)) return;
    if (exited !== undefined) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
  throw new KindError(
    `failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged ${name}-control-plane kubeadm init" failed with error: exit status 1`,
    log || 'the simulated control plane did not start',
  );
}

async function createCluster(args: ParsedArgs): Promise<void> {
  const home = simHome();
  let config: KindConfig;
  try {
    config = parseKindConfig(readConfigText(flag(args, 'config')));
  } catch (error) {
    if (error instanceof KindConfigError) throw new KindError(`failed to create cluster: ${error.message}`);
    throw error;
  }
  const name = clusterNameFrom(args, config);
  const image = flag(args, 'image');
  if (image) config.nodes = config.nodes.map((n) => ({ ...n, image }));
  try {
    validateKindConfig(config, name);
  } catch (error) {
    if (error instanceof KindConfigError) throw new KindError(`failed to create cluster: ${error.message}`);
    throw error;
  }
  const waitMs = parseDuration(flag(args, 'wait') ?? '0s');
  const envFaults = splitFaults(process.env[faultEnvName(name)]);
  const faults = readFaults(home, name, envFaults);
  if (faults.includes('docker-down')) throw dockerDown(name);
  if (readCluster(home, name)) {
    throw new KindError(`failed to create cluster: node(s) already exist for a cluster with the name "${name}"`);
  }
  const nodeImage = config.nodes[0]?.image ?? DEFAULT_NODE_IMAGE;
  status(`Creating cluster "${name}" ...`);
  const transient = transientFailure(home, name, faults, nodeImage);
  if (transient) throw transient;
  if (faults.includes('create-permanent')) {
    throw new KindError(
      `failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged ${name}-control-plane kubeadm init --config=/kind/kubeadm.conf --skip-token-print --v=6" failed with error: exit status 1`,
      '[kubelet-check] The kubelet is not healthy after 4m0s\nerror execution phase wait-control-plane: could not initialize a Kubernetes cluster',
    );
  }
  status(` ✓ Ensuring node image (${nodeImage.split('@')[0]}) 🖼`);
  const record: ClusterRecord = {
    name,
    config,
    nodeNames: nodeNamesFor(name, config),
    createdAt: new Date().toISOString(),
    dockerNetwork: process.env.KIND_EXPERIMENTAL_DOCKER_NETWORK || 'kind',
    envFaults,
    execLatencyMs: Number(process.env.CNIMATRIX_SIM_EXEC_LATENCY_MS ?? '0') || 0,
  };
  writeCluster(home, record);
  status(` ✓ Preparing nodes ${config.nodes.map(() => '📦').join(' ')}`);
  status(' ✓ Writing configuration 📜');
  const dir = clusterDir(home, name);
  const logFile = join(dir, 'cluster-process.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CLUSTER_MAIN, home, name], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: process.env,
  });
  closeSync(logFd);
  try {
    await waitForReady(home, name, child, logFile);
  } catch (error) {
    if (child.pid) killQuietly(child.pid);
    if (!args.flags.has('retain')) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  child.unref();
  writeCluster(home, { ...record, pid: child.pid! });
  status(' ✓ Starting control-plane 🕹️');
  if (!config.networking.disableDefaultCNI) status(' ✓ Installing CNI 🔌');
  status(' ✓ Installing StorageClass 💾');
  if (config.nodes.some((n) => n.role === 'worker')) status(' ✓ Joining worker nodes 🚜');
  if (waitMs > 0) {
    if (config.networking.disableDefaultCNI) status(' • WARNING: Timed out waiting for Ready ⚠️');
    else status(` ✓ Waiting ≤ ${flag(args, 'wait')} for control-plane = Ready ⏳`);
  }
  const target = kubeconfigTarget(flag(args, 'kubeconfig'));
  mergeInto(target, kindKubeconfig(readFileSync(join(dir, 'kubeconfig'), 'utf8'), name));
  status(`Set kubectl context to "kind-${name}"`);
  status('You can now use your cluster with:\n');
  status(`kubectl cluster-info --context kind-${name}${flag(args, 'kubeconfig') ? ` --kubeconfig ${flag(args, 'kubeconfig')}` : ''}\n`);
  status('Have a nice day! 👋');
}

function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function stopProcess(pid: number): Promise<void> {
  killQuietly(pid);
  const deadline = Date.now() + 5000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (isAlive(pid)) killQuietly(pid, 'SIGKILL');
}

async function deleteOne(home: string, name: string, kubeconfigFlag: string | undefined): Promise<boolean> {
  const record = readCluster(home, name);
  const ready = readReady(home, name);
  for (const pid of new Set([record?.pid, ready?.pid])) if (pid) await stopProcess(pid);
  // A cluster process that had to be killed left its node addresses on the Docker bridge.
  releaseRecordedAddresses(home, name);
  // The create-transient counter survives deletes: the wrapper deletes between its retries.
  rmSync(clusterDir(home, name), { recursive: true, force: true });
  removeFrom(kubeconfigTarget(kubeconfigFlag), name);
  return record !== undefined;
}

async function deleteCluster(args: ParsedArgs): Promise<void> {
  const home = simHome();
  const name = clusterNameFrom(args);
  status(`Deleting cluster "${name}" ...`);
  const record = readCluster(home, name);
  if (await deleteOne(home, name, flag(args, 'kubeconfig'))) {
    status(`Deleted nodes: [${(record?.nodeNames ?? []).map((n) => `"${n}"`).join(' ')}]`);
  }
}

async function deleteClusters(args: ParsedArgs): Promise<void> {
  const home = simHome();
  const names = args.flags.has('all') ? listClusters(home) : args.positional;
  if (names.length === 0 && !args.flags.has('all')) throw new KindError('no cluster names provided');
  const deleted: string[] = [];
  for (const name of names) if (await deleteOne(home, name, flag(args, 'kubeconfig'))) deleted.push(name);
  status(`Deleted clusters: [${deleted.map((n) => `"${n}"`).join(' ')}]`);
}

function requireCluster(home: string, name: string, message: string): ClusterRecord {
  const record = readCluster(home, name);
  if (!record || !readReady(home, name)) throw new KindError(message);
  return record;
}

function getKubeconfig(args: ParsedArgs): void {
  const home = simHome();
  const name = clusterNameFrom(args);
  requireCluster(home, name, `could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`);
  const source = readFileSync(join(clusterDir(home, name), 'kubeconfig'), 'utf8');
  const internal = args.flags.has('internal') ? `https://${name}-control-plane:6443` : undefined;
  process.stdout.write(serializeKubeconfig(kindKubeconfig(source, name, internal)));
}

async function exportLogs(args: ParsedArgs): Promise<void> {
  const home = simHome();
  const name = clusterNameFrom(args);
  const record = requireCluster(home, name, `unknown cluster "${name}"`);
  const dir = resolve(args.positional[0] ?? mkdtempSync(join(tmpdir(), `${Date.now()}-`)));
  status(`Exporting logs for cluster "${name}" to:\n${dir}`);
  // Loaded only here: the client library is slow to import and no other subcommand needs it.
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(join(clusterDir(home, name), 'kubeconfig'), 'utf8'));
  const pods = (await kc.makeApiClient(CoreV1Api).listPodForAllNamespaces()).items;
  const version = imageVersion(record.config.nodes[0]?.image ?? DEFAULT_NODE_IMAGE);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kind-version.txt'), `${KIND_VERSION_LINE}\n`);
  writeFileSync(join(dir, 'docker-info.txt'), 'Simulated cluster: no Docker daemon is involved.\n');
  record.nodeNames.forEach((node, i) => {
    const nodeDir = join(dir, node);
    mkdirSync(nodeDir, { recursive: true });
    const onNode = pods.filter((p) => p.spec?.nodeName === node);
    writeFileSync(join(nodeDir, 'kubelet.log'), `I0000 kubelet.go:0] Kubelet version ${version} started on node ${node}\n`);
    writeFileSync(join(nodeDir, 'containerd.log'), `level=info msg="containerd successfully booted" node=${node}\n`);
    writeFileSync(join(nodeDir, 'images.log'), loadedImages(home, name).join('\n') + '\n');
    writeFileSync(
      join(nodeDir, 'pods.txt'),
      onNode.map((p) => `${p.metadata?.namespace}/${p.metadata?.name} ${p.status?.phase ?? 'Pending'} ${p.status?.podIP ?? ''}`).join('\n') + '\n',
    );
    writeFileSync(join(nodeDir, 'inspect.json'), JSON.stringify({ name: node, role: record.config.nodes[i]?.role }, null, 2));
  });
  process.stdout.write(`Exported logs for cluster "${name}" to:\n${dir}\n`);
}

function loadedImages(home: string, name: string): string[] {
  return imagesLoadedInto(clusterDir(home, name));
}

function loadDockerImage(args: ParsedArgs): void {
  const home = simHome();
  const name = clusterNameFrom(args);
  if (args.positional.length === 0) throw new KindError('a list of image names is required');
  const record = readCluster(home, name);
  if (!record) throw new KindError(`no nodes found for cluster "${name}"`);
  const present = loadedImages(home, name);
  for (const image of args.positional) {
    if (present.includes(image)) continue;
    const id = `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`;
    for (const node of record.nodeNames) {
      status(`Image: "${image}" with ID "${id}" not yet present on node "${node}", loading...`);
    }
    present.push(image);
  }
  writeFileSync(join(clusterDir(home, name), 'images.json'), JSON.stringify(present, null, 2));
}

function getNodes(args: ParsedArgs): void {
  const home = simHome();
  const name = clusterNameFrom(args);
  const record = readCluster(home, name);
  if (!record) {
    status(`No kind nodes found for cluster "${name}".`);
    return;
  }
  process.stdout.write(record.nodeNames.map((n) => `${n}\n`).join(''));
}

function getClusters(): void {
  const names = listClusters(simHome());
  if (names.length === 0) status('No kind clusters found.');
  else process.stdout.write(names.map((n) => `${n}\n`).join(''));
}

async function dispatch(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const [verb, object] = args.positional;
  const rest = (n: number): ParsedArgs => ({ positional: args.positional.slice(n), flags: args.flags });
  switch (verb) {
    case 'version':
      process.stdout.write(`${KIND_VERSION_LINE}\n`);
      return;
    case 'create':
      if (object === 'cluster') return createCluster(rest(2));
      break;
    case 'delete':
      if (object === 'cluster') return deleteCluster(rest(2));
      if (object === 'clusters') return deleteClusters(rest(2));
      break;
    case 'get':
      if (object === 'clusters') return getClusters();
      if (object === 'nodes') return getNodes(rest(2));
      if (object === 'kubeconfig') return getKubeconfig(rest(2));
      break;
    case 'export':
      if (object === 'logs') return exportLogs(rest(2));
      break;
    case 'load':
      if (object === 'docker-image') return loadDockerImage(rest(2));
      break;
    case undefined:
      process.stdout.write('kind creates and manages local Kubernetes clusters using Docker container \'nodes\'\n');
      return;
    default:
      throw new KindError(`unknown command "${verb}" for "kind"`);
  }
  throw new KindError(`unknown command "${object ?? ''}" for "kind ${verb}"`);
}

export async function main(argv: string[]): Promise<void> {
  try {
    await dispatch(argv);
  } catch (error) {
    const quiet = argv.includes('-q') || argv.includes('--quiet');
    if (!quiet) {
      process.stderr.write(`ERROR: ${error instanceof Error ? error.message : String(error)}\n`);
      if (error instanceof KindError && error.commandOutput) process.stderr.write(`Command Output: ${error.commandOutput}\n`);
    }
    process.exitCode = 1;
  }
}
