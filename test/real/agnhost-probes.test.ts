// The probe layer against the real agnhost 2.56: netexec servers and a client in network
// namespaces, every command form of docs/probe-protocol.md sent through the product's own batch
// script (runBatch → /bin/sh in the client) and classified by harness/probe. The expected texts
// are what the binary printed here; they pin the classifier to reality.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CELL_ENV } from '../../harness/model/cell.ts';
import { SCTP_PROBE_COMMAND, sctpSupport } from '../../harness/run/capability-probe.ts';
import { connectCommand, curlCommand, runBatch, type Outcome, type ProbeResult } from '../../harness/probe/index.ts';
import { serverPod, type L4Protocol } from '../../suites/lib/workloads.ts';
import { modelPodObject } from '../../suites/network-policy/model.ts';
import { CLIENT_NETEXEC_PORT, PORTS, SERVER_HOSTNAME, startAgnhost, startAgnhostLab, type AgnhostLab } from './agnhost-lab.ts';
import { waitUntil } from './netns.ts';
import { situations } from './probe-situations.ts';
import { realBinary, realTestsRun } from './require.ts';

interface Expectation {
  outcome: Outcome;
  /** The whole output, with <client>, <server> and <eph> (an ephemeral port) standing in. */
  text?: string;
  detail?: Partial<ProbeResult['detail']>;
}

const NO_SCTP = 'OTHER: protocol not supported';
const udpRead = (port: number, error: string) => `read udp <client>:<eph>-><server>:${port}: ${error}`;
const dialUdpError = (port: number, error: string) => `{"errors":["reading from udp connection failed. err:'${udpRead(port, error).replace('->', '-\\u003e')}'"]}`;
const dialHttpError = (port: number, error: string) => `{"errors":["Get \\"http://<server>:${port}/clientip\\": ${error}"]}`;
const clientIp = { clientIp: '<client>' };

// Keyed by situation id (probe-situations.ts). SCTP rows hold for a kernel without SCTP, like
// the one this was recorded on; with SCTP they are replaced by SCTP_KERNEL below.
const EXPECTED: Record<string, Expectation> = {
  'connect-tcp-open': { outcome: 'connected', text: '' },
  'connect-udp-open': { outcome: 'connected', text: '' },
  'connect-tcp-tcp-only': { outcome: 'connected', text: '' },
  // A closed UDP port answers ICMP port unreachable, which a connected UDP socket reads as refused.
  'connect-udp-tcp-only': { outcome: 'refused', text: `REFUSED: ${udpRead(PORTS.tcpOnly, 'read: connection refused')}` },
  'connect-tcp-closed': { outcome: 'refused', text: 'REFUSED' },
  'connect-udp-closed': { outcome: 'refused', text: `REFUSED: ${udpRead(PORTS.closed, 'read: connection refused')}` },
  'connect-tcp-dropped': { outcome: 'timeout', text: 'TIMEOUT' },
  'connect-udp-dropped': { outcome: 'timeout', text: `TIMEOUT: ${udpRead(PORTS.dropped, 'i/o timeout')}` },
  'connect-tcp-tcp-reset': { outcome: 'refused', text: 'REFUSED' },
  'connect-udp-tcp-reset': { outcome: 'refused', text: `REFUSED: ${udpRead(PORTS.tcpReset, 'read: connection refused')}` },
  'connect-tcp-port-unreachable': { outcome: 'refused', text: 'REFUSED' },
  'connect-udp-port-unreachable': { outcome: 'refused', text: `REFUSED: ${udpRead(PORTS.portUnreachable, 'read: connection refused')}` },
  'connect-tcp-host-unreachable': { outcome: 'error', text: `OTHER: dial tcp <server>:${PORTS.hostUnreachable}: connect: no route to host` },
  // Linux hands a UDP socket only "fatal" ICMP errors (port unreachable), so this one times out.
  'connect-udp-host-unreachable': { outcome: 'timeout', text: `TIMEOUT: ${udpRead(PORTS.hostUnreachable, 'i/o timeout')}` },
  'connect-tcp-unroutable': { outcome: 'error', text: 'OTHER: dial tcp 198.51.100.1:80: connect: network is unreachable' },
  'connect-udp-unroutable': { outcome: 'error', text: 'OTHER: dial udp 198.51.100.1:80: connect: network is unreachable' },
  'connect-tcp-unknown-name': { outcome: 'dns-error', text: 'DNS: lookup nosuch.lab.test on 127.0.0.53:53: no such host' },
  'connect-udp-unknown-name': { outcome: 'dns-error', text: 'DNS: lookup nosuch.lab.test on 127.0.0.53:53: no such host' },
  'connect-tcp-known-name': { outcome: 'connected', text: '' },
  'connect-udp-known-name': { outcome: 'connected', text: '' },
  'connect-sctp-sctp-server': { outcome: 'error', text: NO_SCTP },
  'connect-sctp-closed': { outcome: 'error', text: NO_SCTP },
  'connect-sctp-dropped': { outcome: 'error', text: NO_SCTP },
  'connect-sctp-unknown-name': { outcome: 'dns-error', text: 'DNS: lookup nosuch.lab.test on 127.0.0.53:53: no such host' },
  // The client IP netexec saw is the client's own address: nothing NATs in between.
  'curl-clientip-open': { outcome: 'connected', text: '<client>:<eph>', detail: clientIp },
  'curl-clientip-tcp-only': { outcome: 'connected', text: '<client>:<eph>', detail: clientIp },
  'curl-clientip-known-name': { outcome: 'connected', text: '<client>:<eph>', detail: clientIp },
  'curl-clientip-closed': { outcome: 'refused' },
  'curl-clientip-dropped': { outcome: 'timeout' },
  'curl-clientip-tcp-reset': { outcome: 'refused' },
  'curl-clientip-port-unreachable': { outcome: 'refused' },
  // curl prints the same "Could(n't)/Could not connect to server" for every connect failure, so
  // an unreachable host or network reads as refused; agnhost connect tells them apart.
  'curl-clientip-host-unreachable': { outcome: 'refused' },
  'curl-clientip-unroutable': { outcome: 'refused' },
  'curl-clientip-unknown-name': { outcome: 'dns-error', text: 'curl: (6) Could not resolve host: nosuch.lab.test' },
  'curl-hostname-open': { outcome: 'connected', text: SERVER_HOSTNAME },
  'curl-echo-open': { outcome: 'connected', text: 'cnimatrix' },
  'curl-healthz-open': { outcome: 'connected', detail: { httpStatus: 200, body: '' } },
  // netexec's /healthz waits for a UDP or SCTP server that a TCP-only netexec never starts.
  'curl-healthz-tcp-only': { outcome: 'connected', detail: { httpStatus: 412, body: '' } },
  'dial-udp-open': { outcome: 'connected', text: '{"responses":["<client>:<eph>"]}', detail: clientIp },
  'dial-udp-tcp-only': { outcome: 'refused', text: dialUdpError(PORTS.tcpOnly, 'read: connection refused') },
  'dial-udp-closed': { outcome: 'refused', text: dialUdpError(PORTS.closed, 'read: connection refused') },
  'dial-udp-dropped': { outcome: 'timeout', text: dialUdpError(PORTS.dropped, 'i/o timeout') },
  'dial-udp-tcp-reset': { outcome: 'refused', text: dialUdpError(PORTS.tcpReset, 'read: connection refused') },
  'dial-udp-port-unreachable': { outcome: 'refused', text: dialUdpError(PORTS.portUnreachable, 'read: connection refused') },
  'dial-udp-host-unreachable': { outcome: 'timeout', text: dialUdpError(PORTS.hostUnreachable, 'i/o timeout') },
  // netexec resolves before dialing, and answers 400 with text when it cannot.
  'dial-udp-unknown-name': { outcome: 'dns-error', text: 'host and/or port param are invalid. lookup nosuch.lab.test on 127.0.0.53:53: no such host' },
  'dial-udp-dropped-short': { outcome: 'timeout', text: 'curl: (28) Operation timed out after <eph> milliseconds with 0 bytes received' },
  'dial-http-open': { outcome: 'connected', text: '{"responses":["<client>:<eph>"]}', detail: clientIp },
  'dial-http-closed': { outcome: 'refused', text: dialHttpError(PORTS.closed, `dial tcp <server>:${PORTS.closed}: connect: connection refused`) },
  'dial-http-dropped': { outcome: 'timeout', text: dialHttpError(PORTS.dropped, 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)') },
  'dial-http-tcp-reset': { outcome: 'refused', text: dialHttpError(PORTS.tcpReset, `dial tcp <server>:${PORTS.tcpReset}: connect: connection refused`) },
  'dial-http-host-unreachable': { outcome: 'error', text: dialHttpError(PORTS.hostUnreachable, `dial tcp <server>:${PORTS.hostUnreachable}: connect: no route to host`) },
  'dial-sctp-sctp-server': { outcome: 'error', text: '{"errors":["sctp dial failed. err:protocol not supported"]}' },
};

// Read from connect.go and netexec.go; this machine's kernel could not check them.
const SCTP_KERNEL: Record<string, Expectation> = {
  'connect-sctp-sctp-server': { outcome: 'connected', text: '' },
  'connect-sctp-closed': { outcome: 'refused', text: 'OTHER: connection refused' },
  'connect-sctp-dropped': { outcome: 'timeout', text: 'TIMEOUT' },
  'dial-sctp-sctp-server': { outcome: 'connected', text: '{"responses":["<client>:<eph>"]}', detail: clientIp },
};

interface ProbedContainer {
  args: string[];
  readinessProbe: { httpGet?: { port: number; path: string }; tcpSocket?: { port: number } };
}

function pattern(text: string, lab: AgnhostLab): RegExp {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const filled = escaped
    .replaceAll('<client>', lab.client.address.replaceAll('.', '\\.'))
    .replaceAll('<server>', lab.server.address.replaceAll('.', '\\.'))
    .replaceAll('<eph>', '\\d+');
  return new RegExp(`^${filled}$`);
}

function fill(detail: Partial<ProbeResult['detail']>, lab: AgnhostLab): Partial<ProbeResult['detail']> {
  return detail.clientIp ? { ...detail, clientIp: lab.client.address } : detail;
}

(realTestsRun('agnhost probes', { root: true }) ? describe : describe.skip)('harness/probe against real agnhost netexec and connect', () => {
  let lab: AgnhostLab;
  let results: Map<string, ProbeResult>;
  const all = () => situations((role) => lab.where(role), { agnhost: realBinary('agnhost'), dialPort: CLIENT_NETEXEC_PORT });

  beforeAll(async () => {
    process.env[CELL_ENV] ??= JSON.stringify({ runId: 'real', capabilities: [] });
    lab = await startAgnhostLab(realBinary('agnhost'));
    results = await runBatch(lab.kube, lab.source, all());
  }, 60_000);

  afterAll(async () => {
    await lab?.close();
  });

  test('every situation has an expectation', () => {
    expect(all().map((s) => s.id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(Object.keys(EXPECTED))('%s', (id) => {
    const expected = (lab.sctp && SCTP_KERNEL[id]) || EXPECTED[id]!;
    const result = results.get(id)!;
    expect({ outcome: result.outcome, output: result.output }).toEqual({
      outcome: expected.outcome,
      output: expected.text === undefined ? result.output : expect.stringMatching(pattern(expected.text, lab)),
    });
    if (expected.detail) expect(result.detail).toMatchObject(fill(expected.detail, lab));
  });

  test("over IPv6: agnhost connect reaches netexec at [address]:port and /clientip names the caller's IPv6 address in brackets", async () => {
    const [server, client] = [lab.server.address6, lab.client.address6];
    // The real binary in place of the image's /agnhost.
    const connect = (protocol: 'TCP' | 'UDP') => [realBinary('agnhost'), ...connectCommand(server, PORTS.open, protocol, 2).slice(1)];
    const probes = [
      { id: 'connect6', command: connect('TCP'), timeoutSeconds: 2 },
      { id: 'udp6', command: connect('UDP'), timeoutSeconds: 2 },
      { id: 'clientip6', command: curlCommand(server, PORTS.open, '/clientip', 2), timeoutSeconds: 2 },
    ];
    const got = await runBatch(lab.kube, lab.source, probes);
    expect(got.get('connect6')?.outcome).toBe('connected');
    expect(got.get('udp6')?.outcome).toBe('connected');
    const clientip = got.get('clientip6');
    expect(clientip?.detail.firstLine).toMatch(new RegExp(`^\\[${client}\\]:\\d+$`));
    expect(clientip?.detail.clientIp).toBe(client);
  });

  test('netexec --sctp-port exits 1 on a kernel without SCTP, after its HTTP server started', async () => {
    const sctpServer = lab.netexec.get(PORTS.sctp)!;
    if (lab.sctp) {
      expect(sctpServer.running).toBe(true);
      return;
    }
    expect(await sctpServer.exited).toEqual({ code: 1, signal: null });
    expect(sctpServer.output).toMatch(new RegExp(`Started HTTP server on port ${PORTS.sctp}\\n.*Error occurred: failed to create listener for SCTP address :${PORTS.sctp}:protocol not supported\\n$`));
  });

  test("the capability probe's SCTP verdict on real agnhost is this kernel's: SCTP listed in /proc/net/protocols", async () => {
    const { exitCode, stdout, stderr } = await lab.client.run([realBinary('agnhost'), ...SCTP_PROBE_COMMAND.slice(1)]);
    // Read after the attempt: a loadable sctp module is loaded by the socket call itself.
    const kernelHasSctp = readFileSync('/proc/net/protocols', 'utf8').split('\n').some((line) => /^SCTP\s/.test(line));
    expect(sctpSupport(exitCode, `${stdout}${stderr}`.trim())).toEqual({ sctp: kernelHasSctp });
  });

  test('ICMP errors are rate limited per peer: of a burst of UDP probes to a closed port only the first few are refused, the rest time out', async () => {
    // The bystander keeps the kernel's default net.ipv4.icmp_ratelimit (1000 ms, burst of 6).
    const probes = Array.from({ length: 12 }, (_, i) => ({
      id: `burst-${i}`,
      command: [realBinary('agnhost'), ...connectCommand(lab.bystander.address, 9, 'UDP', 1).slice(1)],
      timeoutSeconds: 1,
    }));
    const outcomes = [...(await runBatch(lab.kube, lab.source, probes)).values()].map((r) => r.outcome);
    const refused = outcomes.filter((o) => o === 'refused').length;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(7);
    expect(outcomes.filter((o) => o === 'timeout')).toHaveLength(outcomes.length - refused);
  });

  test("the policy model's porter container serves each of its ports as the model declares, and nothing else", async () => {
    const pod = modelPodObject('x', 'a').spec as { containers: { args: string[]; env?: { name: string; value: string }[]; ports: { containerPort: number }[] }[] };
    const porter = pod.containers.find((c) => c.args[0] === 'porter')!;
    const env = (porter.env ?? []).map((e) => `${e.name}=${e.value}`);
    lab.bystander.spawn(['env', ...env, realBinary('agnhost'), ...porter.args]);
    const ports = porter.ports.map((p) => p.containerPort);
    const unserved = Math.max(...ports) + 1;
    try {
      await waitUntil('porter listening', async () => (await lab.client.run([realBinary('agnhost'), 'connect', `${lab.bystander.address}:${ports[0]}`, '--timeout=1s'])).exitCode === 0, 5_000);
      const probes = [...ports, unserved].map((port) => ({ id: `porter-${port}`, command: [realBinary('agnhost'), ...connectCommand(lab.bystander.address, port, 'TCP', 1).slice(1)], timeoutSeconds: 1 }));
      const outcomes = Object.fromEntries([...(await runBatch(lab.kube, lab.source, probes)).entries()].map(([id, r]) => [id, r.outcome]));
      expect(outcomes).toEqual({ ...Object.fromEntries(ports.map((port) => [`porter-${port}`, 'connected'])), [`porter-${unserved}`]: 'refused' });
      const answer = await lab.client.run(['curl', '-sS', '--max-time', '2', `http://${lab.bystander.address}:${ports[0]}/`]);
      expect(answer.stdout).toBe(porter.env?.find((e) => e.name === `SERVE_PORT_${ports[0]}`)?.value);
    } finally {
      await Promise.all(lab.bystander.processes.map((p) => p.stop()));
    }
  }, 15_000);

  // kubelet: httpGet passes on a status in [200, 400), tcpSocket when the port accepts.
  test.each([[['TCP']], [['TCP', 'UDP']]] as [L4Protocol[]][])('the readiness probe serverPod gives a %j container passes on real netexec', async (protocols) => {
    const [container] = (serverPod({ namespace: 'lab', name: 'ready', protocols }).spec as { containers: ProbedContainer[] }).containers;
    const probe = container!.readinessProbe;
    startAgnhost(lab.bystander, realBinary('agnhost'), 'ready', container!.args);
    const passes = async (): Promise<boolean> => {
      if (probe.tcpSocket) return (await lab.client.run([realBinary('agnhost'), 'connect', `${lab.bystander.address}:${probe.tcpSocket.port}`, '--timeout=1s'])).exitCode === 0;
      const url = `http://${lab.bystander.address}:${probe.httpGet!.port}${probe.httpGet!.path}`;
      const status = Number((await lab.client.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '1', url])).stdout);
      return status >= 200 && status < 400;
    };
    try {
      await waitUntil(`readiness probe ${JSON.stringify(probe)}`, passes, 5_000);
    } finally {
      await Promise.all(lab.bystander.processes.map((p) => p.stop()));
    }
  }, 15_000);
});
