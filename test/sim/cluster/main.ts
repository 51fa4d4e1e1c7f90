// The background process behind one simulated kind cluster: serves the fake API server with the
// dataplane model behind exec, seeds what kind creates, and marks nodes Ready once a CNI runs.
// It exits on SIGTERM (kind delete), when its state directory disappears, or after an idle period.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiServer } from '../apiserver/index.ts';
import { createDataplane } from '../dataplane/index.ts';
import { kernelLogs, kernelStartup } from '../dataplane/kernel.ts';
import { readinessStartup } from '../dataplane/readiness.ts';
import { FAULT_CATALOGUE, loadExtraFaults, resolveFaults } from '../faults/index.ts';
import { claimNodeFront } from '../front/index.ts';
import { clusterDir, readCluster, readFaults } from '../kind/state.ts';
import { certgen } from '../ingress-controller.ts';
import { cniDaemonSet } from './cni.ts';
import { loadedImages, nodeImageImages, registryStartup } from './registry.ts';
import { seedObjects } from './seed.ts';

const STATE_POLL_MS = 1000;
const IDLE_TIMEOUT_MS = Number(process.env.CNIMATRIX_SIM_IDLE_TIMEOUT_MS ?? 30 * 60_000);

async function main(home: string, name: string): Promise<void> {
  const record = readCluster(home, name);
  if (!record) throw new Error(`no cluster record for "${name}" under ${home}`);
  const available = [...FAULT_CATALOGUE, ...(await loadExtraFaults())];
  // Fail at start for unknown names in the create-time environment; the file is read per exec.
  resolveFaults(record.envFaults, available);
  const activeFaults = () => resolveFaults(readFaults(home, name, record.envFaults), available);
  const dataplane = createDataplane({ faults: activeFaults, execLatencyMs: record.execLatencyMs });
  const front = await claimNodeFront({ home, cluster: name, nodeNames: record.nodeNames, log: (message) => console.log(message) });
  // Addresses on the host outlive the process unless removed: also on exits that cannot wait.
  process.once('exit', () => front?.releaseNow());
  const seeded = seedObjects({ clusterName: name, config: record.config, nodeNames: record.nodeNames, ...(front ? { nodeIps: front.nodeIps } : {}) });
  const builtIn = nodeImageImages(seeded);
  const present = () => [...builtIn, ...loadedImages(clusterDir(home, name))];
  const podStartup = (pod: Parameters<typeof readinessStartup>[0]) =>
    registryStartup(pod, activeFaults(), present) ?? kernelStartup(pod, activeFaults()) ?? readinessStartup(pod);
  const logs = (req: Parameters<typeof kernelLogs>[0]) => kernelLogs(req, activeFaults()) ?? '';
  const api = await startApiServer({ exec: dataplane.exec, logs, podStartup, serviceSubnet: record.config.networking.serviceSubnet.split(',')[0]! });
  dataplane.watch(api.store);
  for (const obj of seeded) {
    // The API server already created the system namespaces (with their status); keep those.
    if (obj.kind === 'Namespace' && api.store.get('v1', 'Namespace', undefined, obj.metadata.name)) continue;
    api.store.put(obj);
  }

  const syncNodeReadiness = () => {
    const cni = cniDaemonSet(api.store.list('apps/v1', 'DaemonSet'));
    for (const node of api.store.list('v1', 'Node')) {
      api.setNodeReady(node.metadata.name, cni !== undefined, cni ? 'KubeletReady' : 'KubeletNotReady');
    }
  };
  // ingress-nginx's admission Jobs run kube-webhook-certgen; its effects are what readiness waits for.
  api.store.onChange(certgen(api.store));
  let cniPresent = false;
  api.store.onChange((change) => {
    if (change.object.kind !== 'DaemonSet') return;
    const present = cniDaemonSet(api.store.list('apps/v1', 'DaemonSet')) !== undefined;
    if (present !== cniPresent) {
      cniPresent = present;
      syncNodeReadiness();
    }
  });
  cniPresent = cniDaemonSet(api.store.list('apps/v1', 'DaemonSet')) !== undefined;
  syncNodeReadiness();
  await front?.serve(api.store, dataplane);

  const dir = clusterDir(home, name);
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig(name));
  writeFileSync(join(dir, 'ready.json'), JSON.stringify({ pid: process.pid, port: api.port, url: api.url }));

  let lastRequests = api.stats.requests;
  let idleSince = Date.now();
  const stop = async (reason: string) => {
    console.log(`stopping: ${reason}`);
    clearInterval(timer);
    await front?.close();
    await api.stop();
    process.exit(0);
  };
  const timer = setInterval(() => {
    if (!existsSync(dir)) return void stop('state directory removed');
    if (api.stats.requests !== lastRequests) {
      lastRequests = api.stats.requests;
      idleSince = Date.now();
    } else if (Date.now() - idleSince > IDLE_TIMEOUT_MS) {
      return void stop('idle timeout');
    }
  }, STATE_POLL_MS);
  let statsSeq = 0;
  process.on('SIGUSR2', () => {
    statsSeq++;
    const faultEffects = Object.fromEntries(available.flatMap((f) => (f.effects ? [[f.name, f.effects()]] : [])));
    const stats = { ...api.stats, byVerb: { ...api.stats.byVerb }, dataplaneExecs: dataplane.execCount, faultEffects, seq: statsSeq };
    writeFileSync(join(dir, 'stats.json.tmp'), JSON.stringify(stats));
    renameSync(join(dir, 'stats.json.tmp'), join(dir, 'stats.json'));
  });
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  console.log(`cluster "${name}" serving at ${api.url}`);
}

const [home, name] = process.argv.slice(2);
if (!home || !name) {
  console.error('usage: cluster/main.ts <sim-home> <cluster-name>');
  process.exit(2);
}
main(home, name).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
