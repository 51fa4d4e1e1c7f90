// A real control plane for one test file: etcd and kube-apiserver (plus kube-controller-manager and
// kube-scheduler when asked) as processes on 127.0.0.1, in a temp dir that stop() removes.
//
//   const cp = await controlPlane().withControllerManager().withScheduler().start();
//   createKube({ kubeconfigPath: cp.kubeconfigPath });
//   await cp.stop();
//
// There is no kubelet: no node runs pods, so pods stay Pending and exec has nothing to reach.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPki, kubeconfigYaml, UNPRIVILEGED, type Pki } from './pki.ts';
import { freePort, startComponent, waitUntil, type Component } from './processes.ts';
import { realBinary } from './require.ts';

const START_TIMEOUT_MS = 90_000;

/** Controllers the contract tests need; the rest would only slow the start. */
const CONTROLLERS = [
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'deployment-controller',
  'replicaset-controller',
  'daemonset-controller',
  'job-controller',
];

export interface RawResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** The temp dir holding certificates, etcd's data and the components' logs; gone after stop(). */
  readonly dir: string;
  /** Kubeconfig of the admin (client certificate, group system:masters). */
  readonly kubeconfigPath: string;
  readonly kubeconfig: string;
  /** Kubeconfig of a user that RBAC grants nothing but discovery (bearer token). */
  readonly unprivilegedKubeconfig: string;
  /** Wall time from the first process spawned to everything ready. */
  readonly startMs: number;
  /** One request as the admin, for comparing raw answers with the sim's. */
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<RawResponse>;
  /** Kills every process and removes the temp dir; safe to call twice. */
  stop(): Promise<void>;
}

/** JSON objects parsed; anything else (plain-text 404s, watch streams) as `{ text }`. */
function parseBody(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not one JSON document
  }
  return { text: raw };
}

class Running implements ControlPlane {
  readonly url: string;
  readonly dir: string;
  readonly pki: Pki;
  readonly kubeconfig: string;
  readonly unprivilegedKubeconfig: string;
  readonly kubeconfigPath: string;
  startMs = 0;
  readonly #components: Component[] = [];

  constructor(url: string, dir: string, pki: Pki) {
    this.url = url;
    this.dir = dir;
    this.pki = pki;
    this.kubeconfig = kubeconfigYaml(url, pki.caCert, pki.admin);
    this.unprivilegedKubeconfig = kubeconfigYaml(url, pki.caCert, { token: UNPRIVILEGED.token });
    this.kubeconfigPath = join(dir, 'admin.kubeconfig');
  }

  start(name: string, binary: string, args: string[]): Component {
    const component = startComponent(name, binary, args, join(this.dir, `${name}.log`));
    this.#components.push(component);
    return component;
  }

  call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<RawResponse> {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, this.url), {
        method,
        ca: this.pki.caCert,
        cert: this.pki.admin.cert,
        key: this.pki.admin.key,
        headers: { Accept: 'application/json', ...(text !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseBody(raw) });
        });
      });
      req.on('error', reject);
      if (text !== undefined) req.write(text);
      req.end();
    });
  }

  async stop(): Promise<void> {
    // Reverse order: the API server's clients first, etcd last.
    for (const component of [...this.#components].reverse()) await component.stop();
    this.#components.length = 0;
    await rm(this.dir, { recursive: true, force: true });
  }
}

const DIR_PREFIX = 'cnimatrix-real-cp-';
const OWNER_FILE = 'owner.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Dirs of control planes whose test process died before stop(): their processes died with it. */
async function removeOrphanedDirs(): Promise<void> {
  for (const name of (await readdir(tmpdir())).filter((n) => n.startsWith(DIR_PREFIX))) {
    const dir = join(tmpdir(), name);
    const owner = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && !alive(owner)) await rm(dir, { recursive: true, force: true });
  }
}

export class ControlPlaneBuilder {
  #controllerManager = false;
  #scheduler = false;

  /** Adds kube-controller-manager with the controllers of CONTROLLERS (namespace deletion, workloads). */
  withControllerManager(): this {
    this.#controllerManager = true;
    return this;
  }

  /** Adds kube-scheduler: with no nodes it marks every pod Unschedulable. */
  withScheduler(): this {
    this.#scheduler = true;
    return this;
  }

  async start(): Promise<ControlPlane> {
    await removeOrphanedDirs();
    const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
    let cp: Running | undefined;
    try {
      await writeFile(join(dir, OWNER_FILE), String(process.pid));
      const pki = await createPki(dir);
      const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
      cp = new Running(`https://127.0.0.1:${apiPort}`, dir, pki);
      await writeFile(cp.kubeconfigPath, cp.kubeconfig, { mode: 0o600 });
      const began = Date.now();
      // All at once: each retries until what it needs answers, so their start-ups overlap.
      const etcd = startEtcd(cp, etcdPort, peerPort);
      const apiserver = startApiServer(cp, etcdPort, apiPort);
      const clients = [...(this.#controllerManager ? [startControllerManager(cp)] : []), ...(this.#scheduler ? [startScheduler(cp)] : [])];
      // Should the API server fail first, these end (with their component) when stop() kills it.
      for (const ready of clients) ready.catch(() => undefined);
      const ready = async (): Promise<boolean> => (await cp!.call('GET', '/readyz')).status === 200;
      await waitUntil(apiserver, '/readyz answered 200', ready, START_TIMEOUT_MS, [etcd]);
      await Promise.all(clients);
      cp.startMs = Date.now() - began;
      return cp;
    } catch (err) {
      if (cp) await cp.stop();
      else await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }
}

export function controlPlane(): ControlPlaneBuilder {
  return new ControlPlaneBuilder();
}

function startEtcd(cp: Running, clientPort: number, peerPort: number): Component {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return cp.start('etcd', realBinary('etcd'), [
    '--name=cnimatrix',
    `--data-dir=${join(cp.dir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=cnimatrix=${peer}`,
    // A test's data is thrown away: durability only costs time.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
}

function startApiServer(cp: Running, etcdPort: number, port: number): Component {
  const f = cp.pki.files;
  return cp.start('kube-apiserver', realBinary('kube-apiserver'), [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(cp.dir, 'apiserver-certs')}`,
    `--tls-cert-file=${f.servingCert}`,
    `--tls-private-key-file=${f.servingKey}`,
    `--client-ca-file=${f.caCert}`,
    `--token-auth-file=${f.tokens}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${f.serviceAccountPub}`,
    `--service-account-signing-key-file=${f.serviceAccountKey}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    // Flow control only adds its own bootstrap work at start; these tests send few requests.
    '--enable-priority-and-fairness=false',
    '--profiling=false',
  ]);
}

/** The name of the lease a component holds once it leads, i.e. once its controllers run. */
async function holdsLease(cp: Running, name: string): Promise<boolean> {
  const lease = await cp.call('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`);
  return lease.status === 200 && Boolean((lease.body['spec'] as { holderIdentity?: string } | undefined)?.holderIdentity);
}

async function startControllerManager(cp: Running): Promise<void> {
  const f = cp.pki.files;
  const component = cp.start('kube-controller-manager', realBinary('kube-controller-manager'), [
    `--kubeconfig=${cp.kubeconfigPath}`,
    // No HTTPS endpoint of its own: nothing here scrapes it, and it would need a free port.
    '--secure-port=0',
    `--controllers=${CONTROLLERS.join(',')}`,
    `--service-account-private-key-file=${f.serviceAccountKey}`,
    `--root-ca-file=${f.caCert}`,
  ]);
  await waitUntil(component, 'its leader lease', () => holdsLease(cp, 'kube-controller-manager'), START_TIMEOUT_MS);
  // Pods are admitted only once their namespace's "default" ServiceAccount exists.
  await waitUntil(component, 'the default ServiceAccount', async () => (await cp.call('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200, START_TIMEOUT_MS);
}

async function startScheduler(cp: Running): Promise<void> {
  const component = cp.start('kube-scheduler', realBinary('kube-scheduler'), [`--kubeconfig=${cp.kubeconfigPath}`, '--secure-port=0']);
  await waitUntil(component, 'its leader lease', () => holdsLease(cp, 'kube-scheduler'), START_TIMEOUT_MS);
}
