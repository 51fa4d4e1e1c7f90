// Services and kube-proxy conformance: the proxy mode actually running, load spreading over
// endpoints, NodePort and externalTrafficPolicy Local from outside the cluster, ClientIP session
// affinity, and fast rejection for a Service without endpoints.
import { afterAll, beforeAll } from '@jest/globals';
import type { Kube, KubeObject } from '../harness/kube/types.ts';
import type { Capability } from '../harness/model/cell.ts';
import { connectCommand, curlCommand, describeResult, runBatch, type Probe, type ProbeResult } from '../harness/probe/index.ts';
import { check, conformanceSuite, group, liveCell, liveKube } from './lib/conformance.ts';
import { externalBatch, externalCheck, externalGroup } from './lib/external.ts';
import { deleteNamespaces, namespace, namespaceName, nodeNames } from './lib/workloads.ts';
import { RULE_EVIDENCE } from './services/proxy-mode.ts';
import { BACKENDS, CLIENT_POD, LOCAL_BACKEND, NODE_POD, SERVICES, servicesWorkloads } from './services/workloads.ts';

const TIMEOUT_SECONDS = 5;
// Checks exec in pods (and may start the external client): room for probe timeouts and retries.
const CHECK_TIMEOUT_MS = 60_000;
const SPREAD_REQUESTS = 30;

let kube: Kube;
let ns: string;
const clusterIps = new Map<string, string>();
const nodePorts = new Map<string, number>();
let nodeIps: Map<string, string>;
let localNode: string;

const cell = liveCell();
/** Without kube-proxy, Services work only where the CNI replaces it. */
const serviceNeeds: Capability[] = cell.proxyMode === 'none' ? ['kubeProxyReplacement'] : [];

function internalIp(node: KubeObject): string | undefined {
  const addresses = (node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
  return addresses.find((a) => a.type === 'InternalIP')?.address;
}

const clientPod = () => ({ namespace: ns, pod: CLIENT_POD });
const clusterIp = (name: string) => {
  const ip = clusterIps.get(name);
  if (!ip) throw new Error(`Service ${ns}/${name} has no ClusterIP`);
  return ip;
};

function hostnameProbes(prefix: string, host: string, port: number, count: number): Probe[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, command: curlCommand(host, port, '/hostname', TIMEOUT_SECONDS), timeoutSeconds: TIMEOUT_SECONDS }));
}

/** Backend names that answered, and the failures, of /hostname probes. */
function answers(results: Map<string, ProbeResult>): { seen: string[]; failed: string[] } {
  const seen: string[] = [];
  const failed: string[] = [];
  for (const [id, r] of results) {
    if (r.outcome === 'connected' && r.detail.body?.trim()) seen.push(r.detail.body.trim());
    else failed.push(`${id}: ${describeResult(r)}`);
  }
  return { seen, failed };
}

function counts(names: string[]): string {
  const tally = new Map<string, number>();
  for (const n of names) tally.set(n, (tally.get(n) ?? 0) + 1);
  return [...tally].map(([n, c]) => `${n}×${c}`).join(', ') || 'none';
}

async function kubeProxyPodOn(node: string): Promise<string> {
  const pods = await kube.list('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy' });
  const pod = pods.find((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === node);
  if (!pod) throw new Error(`kube-proxy should run in ${cell.proxyMode} mode, but no kube-proxy pod runs on node ${node} (found ${pods.length} kube-proxy pods).`);
  return pod.metadata.name;
}

conformanceSuite('services', () => {
  let clientNode: string;

  beforeAll(async () => {
    kube = liveKube();
    ns = namespaceName('services');
    const names = await nodeNames(kube);
    clientNode = names[0] ?? '';
    localNode = names[1] ?? clientNode;
    const nodes = await kube.list('v1', 'Node');
    nodeIps = new Map(nodes.map((n) => [n.metadata.name, internalIp(n) ?? '']));
    await kube.apply([namespace(ns)]);
    await kube.apply(servicesWorkloads(ns, { client: clientNode, local: localNode }));
    await kube.waitFor({ kind: 'podsReady', namespace: ns, labelSelector: 'role in (backend,client,node)', minCount: BACKENDS.length + 3 }, 180_000);
    for (const name of Object.values(SERVICES)) {
      const svc = await kube.get({ apiVersion: 'v1', kind: 'Service', namespace: ns, name });
      const spec = svc?.spec as { clusterIP?: string; ports?: { nodePort?: number }[] } | undefined;
      if (spec?.clusterIP) clusterIps.set(name, spec.clusterIP);
      const nodePort = spec?.ports?.[0]?.nodePort;
      if (nodePort) nodePorts.set(name, nodePort);
    }
  }, 240_000);

  afterAll(async () => {
    if (ns) await deleteNamespaces(kube, [ns]);
  }, 150_000);

  // The same check names in every cell, so the matrix lines cells up; mode none is judged by
  // kube-proxy's absence, the others by its metrics port and the rules it programs.
  group('kube-proxy', () => {
    const mode = cell.proxyMode;
    check("kube-proxy runs in the cell's proxy mode", { timeoutMs: CHECK_TIMEOUT_MS }, async () => {
      if (mode === 'none') {
        const daemonSet = await kube.get({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'kube-system', name: 'kube-proxy' });
        const pods = await kube.list('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy' });
        if (daemonSet || pods.length > 0) {
          throw new Error(`kube-proxy runs although the cell asked for proxy mode none: DaemonSet ${daemonSet ? 'present' : 'absent'}, ${pods.length} kube-proxy pod(s).`);
        }
        return;
      }
      const result = await kube.exec({ namespace: ns, pod: NODE_POD }, curlCommand('127.0.0.1', 10249, '/proxyMode', TIMEOUT_SECONDS), { timeoutMs: 20_000 });
      const actual = result.stdout.trim();
      if (result.exitCode !== 0) {
        throw new Error(`kube-proxy's metrics port 127.0.0.1:10249 did not answer on node ${clientNode}: ${(result.stderr || result.stdout).trim()}`);
      }
      if (actual !== mode) throw new Error(`kube-proxy runs in ${actual || '(empty)'} mode, but the cell asked for ${mode} (curl 127.0.0.1:10249/proxyMode on node ${clientNode}).`);
    });
    check("the node's Service rules are those of the cell's proxy mode", { timeoutMs: CHECK_TIMEOUT_MS }, async () => {
      const service = { namespace: ns, name: SERVICES.clusterIp, clusterIp: clusterIp(SERVICES.clusterIp), port: 80 };
      if (mode === 'none') {
        // Without kube-proxy no IPVS virtual service may exist for the Service (the CNI serves it).
        const result = await kube.exec({ namespace: ns, pod: NODE_POD }, ['cat', '/proc/net/ip_vs'], { timeoutMs: 20_000 });
        if (RULE_EVIDENCE.ipvs.programs(`${result.stdout}`, service)) {
          throw new Error(`the cell asked for proxy mode none, but node ${clientNode} has an IPVS virtual service for ${ns}/${service.name} (${service.clusterIp}): kube-proxy rules are present.`);
        }
        return;
      }
      const evidence = RULE_EVIDENCE[mode];
      const target = evidence.where === 'kube-proxy' ? { namespace: 'kube-system', pod: await kubeProxyPodOn(clientNode) } : { namespace: ns, pod: NODE_POD };
      // Rules follow the Service within kube-proxy's sync period; look a few times before judging.
      let output = '';
      for (let attempt = 0; attempt < 10; attempt++) {
        const result = await kube.exec(target, evidence.command, { timeoutMs: 20_000 });
        output = `${result.stdout}${result.stderr}`;
        if (result.exitCode === 0 && evidence.programs(output, service)) return;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      const excerpt = output.trim().split('\n').slice(0, 6).join('\n    ');
      throw new Error(
        `The node's dataplane does not program Services in ${mode} mode: no ${evidence.describe} for ${ns}/${SERVICES.clusterIp} (${service.clusterIp}) on node ${clientNode}.\n` +
          `  ${evidence.command.join(' ')} in ${target.namespace}/${target.pod} printed:\n    ${excerpt || '(nothing)'}`,
      );
    });
  });

  group('ClusterIP', () => {
    check(`spreads ${SPREAD_REQUESTS} requests over all ${BACKENDS.length} endpoints`, { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS }, async () => {
      const results = await runBatch(kube, clientPod(), hostnameProbes('req', clusterIp(SERVICES.clusterIp), 80, SPREAD_REQUESTS));
      const { seen, failed } = answers(results);
      const missing = BACKENDS.filter((b) => !seen.includes(b));
      if (failed.length > 0 || missing.length > 0) {
        throw new Error(
          `Service traffic is not spread over all ready endpoints: ${missing.length ? `never reached ${missing.join(', ')}` : 'some requests failed'}.\n` +
            `  answered by: ${counts(seen)}${failed.length ? `\n  failed: ${failed.slice(0, 5).join('; ')}` : ''}`,
        );
      }
    });

    check('sessionAffinity ClientIP keeps one client on one endpoint', { needs: [...serviceNeeds, 'sessionAffinity'], timeoutMs: CHECK_TIMEOUT_MS }, async () => {
      const results = await runBatch(kube, clientPod(), hostnameProbes('sticky', clusterIp(SERVICES.sticky), 80, 12));
      const { seen, failed } = answers(results);
      const distinct = new Set(seen);
      if (failed.length > 0 || distinct.size !== 1) {
        throw new Error(
          `sessionAffinity: ClientIP is not honoured: ${seen.length} requests from one pod reached ${distinct.size} endpoints.\n  answered by: ${counts(seen)}` +
            (failed.length ? `\n  failed: ${failed.slice(0, 5).join('; ')}` : ''),
        );
      }
    });

    check('a Service without endpoints refuses connections at once (not a timeout)', { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS }, async () => {
      const ip = clusterIp(SERVICES.empty);
      const results = await runBatch(kube, clientPod(), [{ id: 'empty', command: connectCommand(ip, 80, 'TCP', TIMEOUT_SECONDS), timeoutSeconds: TIMEOUT_SECONDS }]);
      const result = results.get('empty');
      if (result?.outcome !== 'refused') {
        throw new Error(
          `A Service without endpoints is not rejected: connecting to ${ns}/${SERVICES.empty} (${ip}:80) gave ${result ? describeResult(result) : 'no result'}, expected refused.`,
        );
      }
    });
  });

  externalGroup('from outside the cluster', () => {
    externalCheck('NodePort answers on every node', { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS }, async () => {
      const port = nodePorts.get(SERVICES.nodePort);
      if (!port) throw new Error(`Service ${ns}/${SERVICES.nodePort} was given no nodePort`);
      const probes = [...nodeIps].map(([node, ip]) => ({ id: node, command: curlCommand(ip, port, '/hostname', TIMEOUT_SECONDS), timeoutSeconds: TIMEOUT_SECONDS }));
      const { results } = await externalBatch(probes);
      const bad = [...results].filter(([, r]) => r.outcome !== 'connected' || !BACKENDS.includes(r.detail.body?.trim() ?? ''));
      if (bad.length > 0) {
        throw new Error(
          `NodePort ${port} does not reach the Service from outside the cluster on ${bad.length} of ${results.size} nodes:\n  ` +
            bad.map(([node, r]) => `${node} (${nodeIps.get(node)}): ${describeResult(r)}`).join('\n  '),
        );
      }
    });

    externalCheck('externalTrafficPolicy Local keeps the client source IP', { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS }, async () => {
      const port = nodePorts.get(SERVICES.local);
      const nodeIp = nodeIps.get(localNode);
      if (!port || !nodeIp) throw new Error(`Service ${ns}/${SERVICES.local} has no nodePort, or node ${localNode} has no InternalIP`);
      const { client, results } = await externalBatch([
        { id: 'local', command: curlCommand(nodeIp, port, '/clientip', TIMEOUT_SECONDS), timeoutSeconds: TIMEOUT_SECONDS },
      ]);
      const result = results.get('local');
      if (result?.outcome !== 'connected' || result.detail.clientIp !== client.ip) {
        throw new Error(
          `externalTrafficPolicy: Local does not preserve the client source IP: ${LOCAL_BACKEND} on ${localNode} saw ` +
            `${result?.detail.clientIp ?? 'no client IP'} instead of the external client ${client.ip} (${result ? describeResult(result) : 'no result'}).`,
        );
      }
    });
  });
});
