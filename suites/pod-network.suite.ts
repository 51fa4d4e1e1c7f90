// Pod network conformance: pods reach each other on the same node and across nodes over TCP,
// UDP and SCTP without NAT (and over IPv6 on a dual-stack cluster), nodes and hostNetwork pods
// reach pods, a ClusterIP keeps the source pod IP, and a 64 KiB HTTP body crosses nodes intact.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import type { Capability } from '../harness/model/cell.ts';
import { connectCommand, curlCommand, describeResult, dialCommand, DIAL_TIMEOUT_SECONDS, type ProbeProtocol, type ProbeResult } from '../harness/probe/index.ts';
import { check, conformanceSuite, group, liveKube, type CheckContext, type CheckOptions } from './lib/conformance.ts';
import { probeWithRetry } from './lib/probing.ts';
import { crossNodeUnavailable, deleteNamespaces } from './lib/workloads.ts';
import { createTopology, DIAL_PORT, HOST_DIAL_PORT, SERVE_PORT, type PlacedPod, type Topology } from './pod-network/topology.ts';

const PROBE_TIMEOUT_SECONDS = 2;
const CHECK_TIMEOUT_MS = 60_000;
const SETUP_TIMEOUT_MS = 300_000;
const LARGE_BODY_BYTES = 64 * 1024;

let topology: Topology | undefined;

function live(): Topology {
  if (!topology) throw new Error('the pod-network pods were not created (see the beforeAll error above)');
  return topology;
}

/** The pod on the second node; checks that use it are unavailable on a single-node cell. */
function otherNode(): PlacedPod {
  const pod = live().otherNode;
  if (!pod) throw new Error('the pod-network topology has no second-node pod');
  return pod;
}

/** Options of a check that crosses nodes: unavailable, with the reason, on a single-node cell. */
function crossNode(): CheckOptions {
  const unavailable = crossNodeUnavailable();
  return { timeoutMs: CHECK_TIMEOUT_MS, ...(unavailable === undefined ? {} : { unavailable }) };
}

const connected = (result: ProbeResult) => result.outcome === 'connected';

/** Source can open a connection to destination's port 80 over `protocol`. */
async function expectConnect(ctx: CheckContext, what: string, from: PlacedPod, to: PlacedPod, protocol: ProbeProtocol): Promise<void> {
  const probe = { id: 'connect', command: connectCommand(to.ip, SERVE_PORT, protocol, PROBE_TIMEOUT_SECONDS), timeoutSeconds: PROBE_TIMEOUT_SECONDS };
  const { result, accepted, history } = await probeWithRetry(liveKube(), from.exec, probe, connected, ctx);
  if (!accepted) {
    throw new Error(
      `${what}: ${from.label} could not reach ${to.label} on ${SERVE_PORT}/${protocol} — ${describeResult(result)} ` +
        `(${history.length} attempts); pod-to-pod ${protocol} ${from.node === to.node ? 'on one node' : 'between nodes'} is broken`,
    );
  }
}

/** The destination must see the source pod's own IP: no SNAT between pods. */
async function expectClientIp(ctx: CheckContext, what: string, from: PlacedPod, to: PlacedPod, protocol: 'TCP' | 'UDP', via?: { host: string; label: string }): Promise<void> {
  const host = via?.host ?? to.ip;
  const command =
    protocol === 'TCP'
      ? curlCommand(host, SERVE_PORT, '/clientip', PROBE_TIMEOUT_SECONDS)
      : dialCommand({ host, port: SERVE_PORT, protocol: 'udp', request: 'clientip', localPort: DIAL_PORT });
  const probe = { id: 'clientip', command, timeoutSeconds: protocol === 'TCP' ? PROBE_TIMEOUT_SECONDS : DIAL_TIMEOUT_SECONDS };
  const { result, accepted } = await probeWithRetry(liveKube(), from.exec, probe, (r) => connected(r) && r.detail.clientIp === from.ip, ctx);
  if (accepted) return;
  const path = via ? `${from.label} → ${via.label} → ${to.label}` : `${from.label} → ${to.label}`;
  if (!connected(result)) throw new Error(`${what}: ${path} over ${protocol} got no answer — ${describeResult(result)}`);
  const seen = result.detail.clientIp ?? `"${result.detail.firstLine}"`;
  throw new Error(
    `${what}: destination saw ${seen} instead of the source pod IP ${from.ip} (${path}) — traffic is SNATed ` +
      `${via ? 'on the way through the Service' : from.node === to.node ? 'on the node' : 'between nodes'}`,
  );
}

/** The pod as reached over IPv6: its IPv6 address in place of the IPv4 one. */
function overIpv6(pod: PlacedPod): PlacedPod {
  if (pod.ipv6 === undefined) {
    throw new Error(`${pod.label} got no IPv6 address although the capability probe found IPv6 pod addresses on every node; pod IPv6 addressing is inconsistent`);
  }
  return { ...pod, ip: pod.ipv6, label: `${pod.name} on ${pod.node} (${pod.ipv6})` };
}

function protocolChecks(title: string, from: () => PlacedPod, to: () => PlacedPod, opts: CheckOptions = { timeoutMs: CHECK_TIMEOUT_MS }): void {
  group(title, () => {
    const cases: { protocol: ProbeProtocol; needs: Capability[] }[] = [
      { protocol: 'TCP', needs: [] },
      { protocol: 'UDP', needs: [] },
      { protocol: 'SCTP', needs: ['sctp'] },
    ];
    for (const { protocol, needs } of cases) {
      check(protocol, { ...opts, needs }, (ctx) => expectConnect(ctx, `${title} ${protocol}`, from(), to(), protocol));
    }
    check('TCP keeps the source pod IP', opts, (ctx) => expectClientIp(ctx, `${title} TCP`, from(), to(), 'TCP'));
    check('UDP keeps the source pod IP', opts, (ctx) => expectClientIp(ctx, `${title} UDP`, from(), to(), 'UDP'));
  });
}

conformanceSuite('pod-network', () => {
  beforeAll(async () => {
    topology = await createTopology(liveKube());
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    if (topology) await deleteNamespaces(liveKube(), [topology.namespace]);
  }, SETUP_TIMEOUT_MS);

  protocolChecks('same node', () => live().client, () => live().sameNode);
  protocolChecks('cross node', () => live().client, otherNode, crossNode());

  check('cross node: a 64 KiB HTTP body arrives intact', crossNode(), async (ctx) => {
    const { client } = live();
    const other = otherNode();
    // Hex keeps the message URL-safe; its size makes every packet full-sized, so MTU problems show.
    const message = randomBytes(LARGE_BODY_BYTES / 2).toString('hex');
    const digest = createHash('sha256').update(message).digest('hex');
    const probe = { id: 'echo', command: curlCommand(other.ip, SERVE_PORT, `/echo?msg=${message}`, 10), timeoutSeconds: 10 };
    const bodyDigest = (r: ProbeResult) => createHash('sha256').update(r.detail.body ?? '').digest('hex');
    const { result, accepted } = await probeWithRetry(liveKube(), client.exec, probe, (r) => connected(r) && bodyDigest(r) === digest, ctx);
    if (accepted) return;
    if (result.exitCode === undefined) {
      throw new Error(`cross-node 64 KiB: the probe could not run in ${client.label}: ${result.detail.firstLine}`);
    }
    if (!connected(result)) {
      throw new Error(`cross-node 64 KiB: ${client.label} → ${other.label} failed — ${describeResult(result)}; large packets do not cross nodes (MTU or fragmentation problem)`);
    }
    const length = result.detail.body?.length ?? 0;
    throw new Error(
      `cross-node 64 KiB: the echoed body differs (sha256 ${bodyDigest(result).slice(0, 12)}…, ${length} bytes) from what was sent ` +
        `(sha256 ${digest.slice(0, 12)}…, ${LARGE_BODY_BYTES} bytes) between ${client.label} and ${other.label} — data is corrupted or truncated`,
    );
  });

  // On a dual-stack cluster the pod network must carry IPv6 as it carries IPv4: between the pods'
  // IPv6 addresses, across nodes, without NAT.
  group('IPv6', () => {
    const needs: Capability[] = ['ipv6'];
    check('same node TCP', { timeoutMs: CHECK_TIMEOUT_MS, needs }, (ctx) => expectConnect(ctx, 'IPv6 same node TCP', overIpv6(live().client), overIpv6(live().sameNode), 'TCP'));
    check('cross node TCP', { ...crossNode(), needs }, (ctx) => expectConnect(ctx, 'IPv6 cross node TCP', overIpv6(live().client), overIpv6(otherNode()), 'TCP'));
    check('cross node UDP', { ...crossNode(), needs }, (ctx) => expectConnect(ctx, 'IPv6 cross node UDP', overIpv6(live().client), overIpv6(otherNode()), 'UDP'));
    check('cross node TCP keeps the source pod IPv6 address', { ...crossNode(), needs }, (ctx) =>
      expectClientIp(ctx, 'IPv6 cross node TCP', overIpv6(live().client), overIpv6(otherNode()), 'TCP'),
    );
  });

  group('from the node', () => {
    check('node → pod on the same node', { timeoutMs: CHECK_TIMEOUT_MS }, (ctx) => expectConnect(ctx, 'node → pod on the same node', live().host, live().sameNode, 'TCP'));
    check('node → pod on another node', crossNode(), (ctx) => expectConnect(ctx, 'node → pod on another node', live().host, otherNode(), 'TCP'));
    check('hostNetwork pod → pod over UDP', { timeoutMs: CHECK_TIMEOUT_MS }, async (ctx) => {
      const { host } = live();
      // Across nodes where there are two; on one node, to the pod beside it.
      const target = live().otherNode ?? live().sameNode;
      const probe = {
        id: 'dial',
        command: dialCommand({ host: target.ip, port: SERVE_PORT, protocol: 'udp', request: 'clientip', localPort: HOST_DIAL_PORT }),
        timeoutSeconds: DIAL_TIMEOUT_SECONDS,
      };
      const { result, accepted } = await probeWithRetry(liveKube(), host.exec, probe, connected, ctx);
      if (!accepted) throw new Error(`hostNetwork → pod UDP: ${host.label} (the node's network) got no UDP answer from ${target.label} — ${describeResult(result)}`);
    });
  });

  check('pod → ClusterIP → pod keeps the source pod IP', { timeoutMs: CHECK_TIMEOUT_MS }, (ctx) =>
    expectClientIp(ctx, 'pod → ClusterIP → pod', live().client, live().otherNode ?? live().sameNode, 'TCP', { host: live().serviceIp, label: `Service ClusterIP ${live().serviceIp}` }),
  );
});
