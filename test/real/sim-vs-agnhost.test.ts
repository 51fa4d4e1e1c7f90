// The sim's dataplane against real agnhost: the probe situations of probe-situations.ts run once
// in the network-namespace lab (real netexec and connect) and once through the sim's exec handler
// (a cluster state built to play the same roles), both through the product's runBatch. They must
// classify alike, and agnhost's own texts (connect, /dial) must read alike once addresses, ports
// and names are masked. curl's texts are not compared: the lab's curl is the host's, not the image's.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { ExecTarget, Kube } from '../../harness/kube/types.ts';
import type { KubeObject } from '../sim/apiserver/index.ts';
import { runBatch, type ProbeResult } from '../../harness/probe/index.ts';
import { createDataplane } from '../sim/dataplane/index.ts';
import { netexecContainer, NODES, pod, seededStore, service, slice } from '../sim/testing/fixture.ts';
import { CLIENT_NETEXEC_PORT, KNOWN_NAME, PORTS, startAgnhostLab, type AgnhostLab } from './agnhost-lab.ts';
import { situations, UNKNOWN_NAME, type Role, type Target } from './probe-situations.ts';
import { realBinary, realTestsRun } from './require.ts';

const SIM = { server: '10.244.2.10', client: '10.244.1.10', web: '10.96.0.50', rejecting: '10.96.0.51' };
const SIM_KNOWN_NAME = 'web.x.svc.cluster.local';
// A cluster name, so CoreDNS answers NXDOMAIN itself as the lab's resolver does.
const SIM_UNKNOWN_NAME = 'nosuch.x.svc.cluster.local';

/**
 * Where each role lives in the sim. The reject roles are a Service without endpoints (kube-proxy
 * rejects with ICMP port unreachable); the drop role is a port a NetworkPolicy leaves out. The sim
 * has no ICMP host-unreachable nor unroutable addresses (inside a cluster those time out), and
 * this kernel has no SCTP to compare with.
 */
const SIM_ROLES: Partial<Record<Role, Target>> = {
  open: { host: SIM.server, port: PORTS.open },
  'tcp-only': { host: SIM.server, port: PORTS.tcpOnly },
  closed: { host: SIM.server, port: PORTS.closed },
  dropped: { host: SIM.server, port: PORTS.dropped },
  'tcp-reset': { host: SIM.rejecting, port: PORTS.tcpReset },
  'port-unreachable': { host: SIM.rejecting, port: PORTS.portUnreachable },
  'unknown-name': { host: SIM_UNKNOWN_NAME, port: PORTS.open },
  'known-name': { host: SIM_KNOWN_NAME, port: PORTS.open },
};

const tcpOnly = (port: number) => ({
  ...netexecContainer(port, []),
  args: ['netexec', `--http-port=${port}`, '--udp-port=-1'],
  ports: [{ name: `serve-${port}-tcp`, containerPort: port, protocol: 'TCP' }],
});

/** The lab's roles as cluster objects, on a CNI that enforces NetworkPolicy. */
function simStore() {
  const store = seededStore({ cni: 'calico-node' });
  const labels = { app: 'lab-server' };
  const ports = [PORTS.tcpReset, PORTS.portUnreachable].flatMap((port) => ['TCP', 'UDP'].map((protocol) => ({ name: `p${port}-${protocol.toLowerCase()}`, port, protocol, targetPort: port })));
  const objects: KubeObject[] = [
    pod({ ns: 'x', name: 'server', node: NODES.w2[0], ip: SIM.server, labels, containers: [netexecContainer(PORTS.open), tcpOnly(PORTS.tcpOnly), netexecContainer(PORTS.dropped)] }),
    pod({ ns: 'y', name: 'client', node: NODES.w1[0], ip: SIM.client, containers: [netexecContainer(PORTS.open), netexecContainer(CLIENT_NETEXEC_PORT)] }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'all-but-dropped', namespace: 'x' },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [PORTS.open, PORTS.tcpOnly, PORTS.closed].flatMap((port) => ['TCP', 'UDP'].map((protocol) => ({ port, protocol }))) }],
      },
    },
    service('x', 'web', { clusterIP: SIM.web, selector: labels, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }, { name: 'udp', port: 80, targetPort: 80, protocol: 'UDP' }] }),
    slice('x', 'web', [{ name: 'server', ip: SIM.server, node: NODES.w2[0] }], [{ name: 'http', port: 80 }, { name: 'udp', port: 80, protocol: 'UDP' }]),
    service('x', 'rejecting', { clusterIP: SIM.rejecting, selector: { app: 'nothing' }, ports }),
  ];
  for (const object of objects) store.put(object);
  return store;
}

/** A Kube whose exec goes to the sim's dataplane, as the fake API server's exec does. */
function simKube(): Kube {
  const store = simStore();
  const dataplane = createDataplane();
  const unused = () => Promise.reject(new Error('only exec is simulated here'));
  return {
    server: 'sim',
    apply: unused,
    get: unused,
    list: unused,
    delete: unused,
    patch: unused,
    waitFor: unused,
    logs: unused,
    events: unused,
    exec: (target: ExecTarget, command: string[]) => dataplane.exec({ pod: store.get('v1', 'Pod', target.namespace, target.pod)!, container: target.container ?? '', command, store }),
  };
}

/** agnhost's text with what differs between the two worlds masked. */
function masked(text: string, names: string[]): string {
  let out = text;
  for (const name of names) out = out.replaceAll(name, '<name>');
  return out.replace(/\d{1,3}(\.\d{1,3}){3}(:\d+)?/g, '<addr>');
}

(realTestsRun('sim dataplane vs real agnhost', { root: true }) ? describe : describe.skip)('the sim answers the probe situations as real agnhost does', () => {
  let lab: AgnhostLab;
  const real = new Map<string, ProbeResult>();
  const sim = new Map<string, ProbeResult>();
  const simSituations = situations((role) => SIM_ROLES[role], { dialPort: CLIENT_NETEXEC_PORT });

  beforeAll(async () => {
    lab = await startAgnhostLab(realBinary('agnhost'));
    const compared = new Set(simSituations.map((s) => s.id));
    const labSituations = situations((role) => lab.where(role), { agnhost: realBinary('agnhost'), dialPort: CLIENT_NETEXEC_PORT }).filter((s) => compared.has(s.id));
    const [realResults, simResults] = await Promise.all([
      runBatch(lab.kube, lab.source, labSituations),
      runBatch(simKube(), { namespace: 'y', pod: 'client', container: `cont-${PORTS.open}` }, simSituations),
    ]);
    for (const [id, result] of realResults) real.set(id, result);
    for (const [id, result] of simResults) sim.set(id, result);
  }, 60_000);

  afterAll(async () => {
    await lab?.close();
  });

  test('the sim plays most roles', () => {
    expect(new Set(simSituations.map((s) => s.role))).toEqual(new Set(Object.keys(SIM_ROLES)));
    expect(simSituations.length).toBeGreaterThan(40);
  });

  test.each(simSituations.map((s) => [s.id, s.form, s.command.some((word) => /sctp/.test(word))] as const))('%s', (id, form, sctp) => {
    const [r, s] = [real.get(id)!, sim.get(id)!];
    // A kernel without SCTP fails every SCTP socket; the sim models cells that carry SCTP.
    if (sctp && !lab.sctp && r.output === 'OTHER: protocol not supported') return;
    const view = (result: ProbeResult, own: string, names: string[]) => ({
      outcome: result.outcome,
      exitCode: result.exitCode,
      // The client IP the target saw is the client's own on both sides (no NAT).
      ownClientIp: result.detail.clientIp === undefined ? undefined : result.detail.clientIp === own,
      httpStatus: result.detail.httpStatus,
      body: result.outcome === 'connected' && form === 'curl' ? masked(result.detail.body ?? '', names) : undefined,
      // What agnhost printed: connect's line, or the body of the client netexec's /dial answer.
      agnhostText: form === 'connect' || (form === 'dial' && result.exitCode === 0) ? masked(result.output, names) : undefined,
    });
    expect(view(s, SIM.client, [SIM_UNKNOWN_NAME, SIM_KNOWN_NAME])).toEqual(view(r, lab.client.address, [UNKNOWN_NAME, KNOWN_NAME]));
  });
});
