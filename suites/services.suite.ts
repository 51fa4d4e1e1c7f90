// Services and kube-proxy conformance: the proxy mode actually running, load spreading over
// endpoints and ClientIP session affinity over TCP and UDP, no traffic for a pod that is not
// Ready, NodePorts on every node (UDP from a hostNetwork pod, TCP from outside the cluster), what
// externalTrafficPolicy Cluster and Local do on a node without an endpoint, and fast rejection for
// a Service without endpoints.
import { afterAll, beforeAll } from '@jest/globals';
import type { ExecTarget, Kube, KubeObject } from '../harness/kube/types.ts';
import type { Capability } from '../harness/model/cell.ts';
import { connectCommand, curlCommand, describeResult, runBatch, settleWindowMs, type Probe, type ProbeResult } from '../harness/probe/index.ts';
import { check, conformanceSuite, group, liveCell, liveKube, type CheckContext } from './lib/conformance.ts';
import { describeEndpoint, waitForPodEndpoint, type SliceEndpoint } from './lib/endpoints.ts';
import { externalBatch, externalCheck, externalClient, externalGroup } from './lib/external.ts';
import { counted } from '../harness/model/count.ts';
import { RESEND_ROUNDS, sendWithResends, type SendBatch } from './lib/resend.ts';
import { crossNodeUnavailable, deleteNamespaces, namespace, namespaceName, nodeNames } from './lib/workloads.ts';
import { endpointNodes, isReady, placePods, type Placement } from './services/placement.ts';
import { RULE_EVIDENCE } from './services/proxy-mode.ts';
import { answered, answeredBy, hostnameRequest, hostnameRequests, REQUEST_TIMEOUT_SECONDS, tally, type ServiceProtocol } from './services/requests.ts';
import {
  BACKEND_PORT,
  BACKENDS,
  CLIENT_POD,
  LOCAL_BACKEND,
  LOCAL_SELECTOR,
  NODE_POD,
  NODE_POD_PORT,
  SERVICES,
  servicesWorkloads,
  UNREADY_BACKEND,
  WEB_SELECTOR,
} from './services/workloads.ts';

// Checks exec in pods (and may start the external client): room for probe timeouts and re-sends
// (a UDP request that gets no answer takes 8 s, three times).
const CHECK_TIMEOUT_MS = 90_000;
const SPREAD_REQUESTS = 30;
const SPREAD_ROUND_PAUSE_MS = 1000;
const AFFINITY_REQUESTS = 12;

let kube: Kube;
let ns: string;
const clusterIps = new Map<string, string>();
/** "service/protocol" → nodePort. */
const nodePorts = new Map<string, number>();
let nodeIps: Map<string, string>;
let schedulable: string[];
let placement: Placement;
let unreadyEndpoint: SliceEndpoint;

const cell = liveCell();
/** Without kube-proxy, Services work only where the CNI replaces it. */
const serviceNeeds: Capability[] = cell.proxyMode === 'none' ? ['kubeProxyReplacement'] : [];
/** Checks that need a node other than the client's, or one without an endpoint. */
const crossNode = crossNodeUnavailable();

function internalIp(node: KubeObject): string | undefined {
  const addresses = (node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
  return addresses.find((a) => a.type === 'InternalIP')?.address;
}

const clientPod = (): ExecTarget => ({ namespace: ns, pod: CLIENT_POD });
const nodePod = (): ExecTarget => ({ namespace: ns, pod: NODE_POD });
const fromPod = (source: ExecTarget): SendBatch => (probes) => runBatch(kube, source, probes);
const fromOutside: SendBatch = async (probes) => (await externalBatch(probes)).results;

const clusterIp = (name: string) => {
  const ip = clusterIps.get(name);
  if (!ip) throw new Error(`Service ${ns}/${name} has no ClusterIP`);
  return ip;
};

function nodePort(name: string, protocol: ServiceProtocol): number {
  const port = nodePorts.get(`${name}/${protocol}`);
  if (!port) throw new Error(`Service ${ns}/${name} was given no ${protocol} nodePort`);
  return port;
}

/** Who answered, or why nothing did — for failure messages. */
function describeAnswer(result: ProbeResult | undefined): string {
  if (!result) return 'no result';
  const name = answeredBy(result);
  return name ? `answered by ${name}` : describeResult(result);
}

function answerNames(results: Map<string, ProbeResult>): string[] {
  return [...results.values()].flatMap((r) => answeredBy(r) ?? []);
}

function unanswered(results: Map<string, ProbeResult>, failed: string[]): string {
  return failed.length ? `\n  no answer: ${failed.slice(0, 5).map((id) => `${id}: ${describeResult(results.get(id)!)}`).join('; ')}` : '';
}

/** A schedulable node that runs no Ready pod behind `selector`, read from the pods' spec.nodeName. */
async function nodeWithoutEndpoints(selector: string, service: string): Promise<{ node: string; ip: string; endpointsOn: string[] }> {
  const endpointsOn = await endpointNodes(kube, ns, selector);
  const node = schedulable.find((n) => !endpointsOn.includes(n) && nodeIps.get(n));
  if (!node) throw new Error(`every schedulable node runs an endpoint of ${ns}/${service} (${endpointsOn.join(', ')}), so none without one can be probed`);
  return { node, ip: nodeIps.get(node)!, endpointsOn };
}

async function checkSpread(ctx: CheckContext, protocol: ServiceProtocol): Promise<void> {
  const ip = clusterIp(SERVICES.clusterIp);
  // The Service was just created: kube-proxy programs endpoints a moment after the API shows them
  // Ready (seen on real cells: every request to the one endpoint programmed so far), so this is a
  // look after a change (docs/verdicts.md): rounds repeat within the settle window until every
  // ready endpoint has answered.
  const deadline = Date.now() + settleWindowMs();
  const seen: string[] = [];
  let round = 0;
  let batch: Awaited<ReturnType<typeof sendWithResends>>;
  let probes: Probe[];
  for (;;) {
    probes = hostnameRequests(`spread-${protocol.toLowerCase()}-${round}`, SPREAD_REQUESTS, (id) => hostnameRequest(id, protocol, ip, BACKEND_PORT));
    batch = await sendWithResends(fromPod(clientPod()), probes, answered, ctx);
    seen.push(...answerNames(batch.results));
    round += 1;
    const done = BACKENDS.every((b) => seen.includes(b)) || batch.failed.length > 0 || seen.includes(UNREADY_BACKEND);
    if (done || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, SPREAD_ROUND_PAUSE_MS));
  }
  const { results, failed } = batch;
  const missing = BACKENDS.filter((b) => !seen.includes(b));
  const toUnready = seen.filter((n) => n === UNREADY_BACKEND).length;
  const problems = [
    ...(missing.length ? [`never reached ${missing.join(', ')}`] : []),
    ...(toUnready ? [`${toUnready} requests reached ${UNREADY_BACKEND}, which is not Ready`] : []),
    ...(failed.length ? [`${failed.length} of ${probes.length} requests got no answer in ${RESEND_ROUNDS + 1} attempts`] : []),
  ];
  if (problems.length > 0) {
    throw new Error(
      `${protocol} Service traffic is not spread over all ready endpoints: ${problems.join('; ')}.\n` +
        `  answered by: ${tally(seen)} in ${counted(round, 'round')} of ${SPREAD_REQUESTS} (${ns}/${SERVICES.clusterIp} ${ip}:${BACKEND_PORT}/${protocol})${unanswered(results, failed)}`,
    );
  }
}

async function checkAffinity(ctx: CheckContext, protocol: ServiceProtocol): Promise<void> {
  const ip = clusterIp(SERVICES.sticky);
  const request = (id: string): Probe => hostnameRequest(id, protocol, ip, BACKEND_PORT);
  const send = fromPod(clientPod());
  // The first request creates the client's affinity entry; the rest are judged by where it went.
  const first = (await sendWithResends(send, [request('sticky-first')], answered, ctx)).results.get('sticky-first')!;
  const endpoint = answeredBy(first);
  if (!endpoint) {
    throw new Error(
      `sessionAffinity: ClientIP cannot be judged over ${protocol}: the first request to ${ns}/${SERVICES.sticky} (${ip}:${BACKEND_PORT}) ` +
        `got no answer in ${RESEND_ROUNDS + 1} attempts: ${describeResult(first)}`,
    );
  }
  const { results, failed } = await sendWithResends(send, hostnameRequests('sticky', AFFINITY_REQUESTS - 1, request), answered, ctx);
  const seen = answerNames(results);
  const elsewhere = seen.filter((n) => n !== endpoint).length;
  if (elsewhere > 0 || failed.length > 0) {
    const what = elsewhere
      ? `sessionAffinity: ClientIP is not honoured over ${protocol}: the first request went to ${endpoint}, then ${elsewhere} of ${seen.length} answered requests from the same pod went elsewhere`
      : `${failed.length} of ${AFFINITY_REQUESTS - 1} requests to the ClientIP-affinity Service got no answer over ${protocol} in ${RESEND_ROUNDS + 1} attempts`;
    throw new Error(`${what}.\n  answered by: ${tally(seen)} (${ns}/${SERVICES.sticky} ${ip}:${BACKEND_PORT}/${protocol})${unanswered(results, failed)}`);
  }
}

async function kubeProxyPodOn(node: string): Promise<string> {
  const pods = await kube.list('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy' });
  const pod = pods.find((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === node);
  if (!pod) throw new Error(`kube-proxy should run in ${cell.proxyMode} mode, but no kube-proxy pod runs on node ${node} (found ${pods.length} kube-proxy pods).`);
  return pod.metadata.name;
}

conformanceSuite('services', () => {
  beforeAll(async () => {
    kube = liveKube();
    ns = namespaceName('services');
    schedulable = await nodeNames(kube);
    placement = placePods(schedulable);
    const nodes = await kube.list('v1', 'Node');
    nodeIps = new Map(nodes.map((n) => [n.metadata.name, internalIp(n) ?? '']));
    await kube.apply([namespace(ns)]);
    await kube.apply(servicesWorkloads(ns, placement));
    await kube.waitFor({ kind: 'podsReady', namespace: ns, labelSelector: 'role in (backend,client,node)', minCount: BACKENDS.length + 3 }, 180_000);
    // The unready backend is judged only once its netexec runs and the slices list it (ready=false):
    // then a proxy or CoreDNS that ignored readiness would use it.
    const unready = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: UNREADY_BACKEND };
    await kube.waitFor({ kind: 'exists', ref: unready, path: ['status', 'containerStatuses', '0', 'state', 'running'] }, 180_000);
    unreadyEndpoint = await waitForPodEndpoint(kube, ns, SERVICES.clusterIp, UNREADY_BACKEND, 60_000);
    for (const name of Object.values(SERVICES)) {
      const svc = await kube.get({ apiVersion: 'v1', kind: 'Service', namespace: ns, name });
      const spec = svc?.spec as { clusterIP?: string; ports?: { nodePort?: number; protocol?: string }[] } | undefined;
      if (spec?.clusterIP) clusterIps.set(name, spec.clusterIP);
      for (const p of spec?.ports ?? []) if (p.nodePort) nodePorts.set(`${name}/${p.protocol ?? 'TCP'}`, p.nodePort);
    }
  }, 300_000);

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
      const result = await kube.exec(nodePod(), curlCommand('127.0.0.1', 10249, '/proxyMode', REQUEST_TIMEOUT_SECONDS), { timeoutMs: 20_000 });
      const actual = result.stdout.trim();
      if (result.exitCode !== 0) {
        throw new Error(`kube-proxy's metrics port 127.0.0.1:10249 did not answer on node ${placement.client}: ${(result.stderr || result.stdout).trim()}`);
      }
      if (actual !== mode) throw new Error(`kube-proxy runs in ${actual || '(empty)'} mode, but the cell asked for ${mode} (curl 127.0.0.1:10249/proxyMode on node ${placement.client}).`);
    });
    check("the node's Service rules are those of the cell's proxy mode", { timeoutMs: CHECK_TIMEOUT_MS }, async () => {
      const service = { namespace: ns, name: SERVICES.clusterIp, clusterIp: clusterIp(SERVICES.clusterIp), port: 80 };
      if (mode === 'none') {
        // Without kube-proxy no IPVS virtual service may exist for the Service (the CNI serves it).
        const result = await kube.exec(nodePod(), ['cat', '/proc/net/ip_vs'], { timeoutMs: 20_000 });
        if (RULE_EVIDENCE.ipvs.programs(`${result.stdout}`, service)) {
          throw new Error(`the cell asked for proxy mode none, but node ${placement.client} has an IPVS virtual service for ${ns}/${service.name} (${service.clusterIp}): kube-proxy rules are present.`);
        }
        return;
      }
      const evidence = RULE_EVIDENCE[mode];
      const target = evidence.where === 'kube-proxy' ? { namespace: 'kube-system', pod: await kubeProxyPodOn(placement.client) } : nodePod();
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
        `The node's dataplane does not program Services in ${mode} mode: no ${evidence.describe} for ${ns}/${SERVICES.clusterIp} (${service.clusterIp}) on node ${placement.client}.\n` +
          `  ${evidence.command.join(' ')} in ${target.namespace}/${target.pod} printed:\n    ${excerpt || '(nothing)'}`,
      );
    });
  });

  group('ClusterIP', () => {
    check(`spreads ${SPREAD_REQUESTS} requests over all ${BACKENDS.length} endpoints`, { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS }, (ctx) => checkSpread(ctx, 'TCP'));

    check(`spreads ${SPREAD_REQUESTS} UDP requests over all ${BACKENDS.length} endpoints`, { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS }, (ctx) => checkSpread(ctx, 'UDP'));

    check('sessionAffinity ClientIP keeps one client on one endpoint', { needs: [...serviceNeeds, 'sessionAffinity'], timeoutMs: CHECK_TIMEOUT_MS }, (ctx) => checkAffinity(ctx, 'TCP'));

    check('sessionAffinity ClientIP keeps one client on one endpoint over UDP', { needs: [...serviceNeeds, 'sessionAffinity'], timeoutMs: CHECK_TIMEOUT_MS }, (ctx) =>
      checkAffinity(ctx, 'UDP'),
    );

    check('a pod that is not Ready gets no Service traffic', { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS }, async (ctx) => {
      const pod = await kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name: UNREADY_BACKEND });
      if (isReady(pod)) {
        throw new Error(`${UNREADY_BACKEND} became Ready although its readiness probe checks a port nothing listens on: the kubelet's readiness probing is broken.`);
      }
      const ip = clusterIp(SERVICES.clusterIp);
      const probes = hostnameRequests('unready', SPREAD_REQUESTS, (id) => hostnameRequest(id, 'TCP', ip, BACKEND_PORT));
      const { results, failed } = await sendWithResends(fromPod(clientPod()), probes, answered, ctx);
      const seen = answerNames(results);
      const reached = seen.filter((n) => n === UNREADY_BACKEND).length;
      if (reached > 0 || failed.length > 0) {
        const what = reached
          ? `Service traffic reaches a pod that is not Ready: ${reached} of ${seen.length} requests were answered by ${UNREADY_BACKEND}`
          : `${failed.length} of ${probes.length} requests got no answer in ${RESEND_ROUNDS + 1} attempts, so the Service's use of ${UNREADY_BACKEND} cannot be judged`;
        throw new Error(
          `${what}.\n  answered by: ${tally(seen)} (${ns}/${SERVICES.clusterIp} ${ip}:${BACKEND_PORT}); its EndpointSlice lists ${describeEndpoint(unreadyEndpoint)}` +
            unanswered(results, failed),
        );
      }
    });

    check('a Service without endpoints refuses connections at once (not a timeout)', { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS }, async () => {
      const ip = clusterIp(SERVICES.empty);
      const results = await runBatch(kube, clientPod(), [{ id: 'empty', command: connectCommand(ip, 80, 'TCP', REQUEST_TIMEOUT_SECONDS), timeoutSeconds: REQUEST_TIMEOUT_SECONDS }]);
      const result = results.get('empty');
      if (result?.outcome !== 'refused') {
        throw new Error(
          `A Service without endpoints is not rejected: connecting to ${ns}/${SERVICES.empty} (${ip}:80) gave ${result ? describeResult(result) : 'no result'}, expected refused.`,
        );
      }
    });
  });

  // The external client only promises sh and curl, which cannot send UDP, so the UDP NodePort is
  // sent from a node instead: the hostNetwork pod's own netexec, to the other nodes' addresses.
  group('from a hostNetwork pod', () => {
    check('UDP NodePort answers on every other node', { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS, unavailable: crossNode }, async (ctx) => {
      const port = nodePort(SERVICES.nodePort, 'UDP');
      const targets = [...nodeIps].filter(([node]) => node !== placement.client);
      const probes = targets.map(([node, ip]) => hostnameRequest(node, 'UDP', ip, port, NODE_POD_PORT));
      const { results } = await sendWithResends(fromPod(nodePod()), probes, answered, ctx);
      const bad = targets.filter(([node]) => !BACKENDS.includes(answeredBy(results.get(node)!) ?? ''));
      if (bad.length > 0) {
        throw new Error(
          `UDP NodePort ${port} does not reach the Service from node ${placement.client} on ${bad.length} of ${targets.length} other nodes:\n  ` +
            bad.map(([node, ip]) => `${node} (${ip}): ${describeAnswer(results.get(node))}`).join('\n  '),
        );
      }
    });
  });

  externalGroup('from outside the cluster', () => {
    externalCheck('NodePort answers on every node', { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS }, async (ctx) => {
      const port = nodePort(SERVICES.nodePort, 'TCP');
      const probes = [...nodeIps].map(([node, ip]) => hostnameRequest(node, 'TCP', ip, port));
      const { results } = await sendWithResends(fromOutside, probes, answered, ctx);
      const bad = [...results].filter(([, r]) => !BACKENDS.includes(answeredBy(r) ?? ''));
      if (bad.length > 0) {
        throw new Error(
          `NodePort ${port} does not reach the Service from outside the cluster on ${bad.length} of ${results.size} nodes:\n  ` +
            bad.map(([node, r]) => `${node} (${nodeIps.get(node)}): ${describeAnswer(r)}`).join('\n  '),
        );
      }
    });

    externalCheck('externalTrafficPolicy Cluster forwards from a node without endpoints', { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS, unavailable: crossNode }, async (ctx) => {
      const port = nodePort(SERVICES.nodePort, 'TCP');
      const { node, ip, endpointsOn } = await nodeWithoutEndpoints(WEB_SELECTOR, SERVICES.nodePort);
      const { results } = await sendWithResends(fromOutside, [hostnameRequest('cluster', 'TCP', ip, port)], answered, ctx);
      const result = results.get('cluster');
      if (!BACKENDS.includes(answeredBy(result!) ?? '')) {
        throw new Error(
          `externalTrafficPolicy: Cluster does not forward to a ready endpoint on another node: NodePort ${port} on node ${node} (${ip}), which runs no endpoint of ` +
            `${ns}/${SERVICES.nodePort} (they run on ${endpointsOn.join(', ')}), gave ${describeAnswer(result)}, expected an answer from one of ${BACKENDS.join(', ')}.`,
        );
      }
    });

    externalCheck('externalTrafficPolicy Local keeps the client source IP', { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS }, async (ctx) => {
      const port = nodePort(SERVICES.local, 'TCP');
      const [localNode] = await endpointNodes(kube, ns, LOCAL_SELECTOR);
      const nodeIp = localNode ? nodeIps.get(localNode) : undefined;
      if (!localNode || !nodeIp) throw new Error(`${LOCAL_BACKEND} is not Ready on a node with an InternalIP`);
      const client = await externalClient();
      const probe = { id: 'local', command: curlCommand(nodeIp, port, '/clientip', REQUEST_TIMEOUT_SECONDS), timeoutSeconds: REQUEST_TIMEOUT_SECONDS };
      const { results } = await sendWithResends(fromOutside, [probe], (r) => r.outcome === 'connected', ctx);
      const result = results.get('local');
      if (result?.outcome !== 'connected' || result.detail.clientIp !== client.ip) {
        throw new Error(
          `externalTrafficPolicy: Local does not preserve the client source IP: ${LOCAL_BACKEND} on ${localNode} saw ` +
            `${result?.detail.clientIp ?? 'no client IP'} instead of the external client ${client.ip} (${result ? describeResult(result) : 'no result'}).`,
        );
      }
    });

    externalCheck('externalTrafficPolicy Local does not answer on a node without endpoints', { needs: serviceNeeds, timeoutMs: CHECK_TIMEOUT_MS, unavailable: crossNode }, async (ctx) => {
      const port = nodePort(SERVICES.local, 'TCP');
      const { node, ip, endpointsOn } = await nodeWithoutEndpoints(LOCAL_SELECTOR, SERVICES.local);
      // No answer is the expected outcome, so only an attempt that did not run at all is sent again.
      const { results } = await sendWithResends(fromOutside, [hostnameRequest('elsewhere', 'TCP', ip, port)], (r) => r.outcome !== 'error', ctx);
      const result = results.get('elsewhere')!;
      if (result.outcome !== 'timeout' && result.outcome !== 'refused') {
        throw new Error(
          `externalTrafficPolicy: Local answers on a node without a local endpoint: NodePort ${port} on node ${node} (${ip}) gave ${describeAnswer(result)}, ` +
            `expected no answer (dropped or refused); ${LOCAL_BACKEND} runs on ${endpointsOn.join(', ')}.`,
        );
      }
    });
  });
});
