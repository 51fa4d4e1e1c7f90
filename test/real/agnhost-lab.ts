// Real agnhost netexec servers in a lab of network namespaces, laid out for the probe situations
// of probe-situations.ts: a server host with one netexec per role port and nftables rules for the
// drop and reject roles, a client host with its own netexec (the /dial side), /etc/hosts and an
// NXDOMAIN resolver, and a bystander host with the kernel's default ICMP rate limit.
import type { ExecTarget, Kube } from '../../harness/kube/types.ts';
import { localKube } from '../probe/local-kube.ts';
import { createLab, waitUntil, type Lab, type LabHost, type LabProcess } from './netns.ts';
import { startLabDns } from './lab-dns.ts';
import { UNKNOWN_NAME, type Role, type Target } from './probe-situations.ts';

/** The hostnames netexec reports, as the pods of the sim comparison are named. */
export const SERVER_HOSTNAME = 'server';
export const CLIENT_HOSTNAME = 'client';
export const KNOWN_NAME = 'server.lab.test';
export const CLIENT_NETEXEC_PORT = 8080;
/** TEST-NET-2: the lab has no route there. */
const UNROUTABLE = '198.51.100.1';

export const PORTS = {
  open: 80,
  tcpOnly: 81,
  sctp: 82,
  closed: 83,
  dropped: 84,
  tcpReset: 85,
  portUnreachable: 86,
  hostUnreachable: 87,
} as const;

/** Loopback is accepted first so readiness checks inside the server pass the rules. */
const SERVER_RULES = `
table inet cnimatrix {
  chain input {
    type filter hook input priority 0; policy accept;
    iif "lo" accept
    meta l4proto { tcp, udp, sctp } th dport ${PORTS.dropped} drop
    tcp dport ${PORTS.tcpReset} reject with tcp reset
    udp dport ${PORTS.tcpReset} reject
    meta l4proto { tcp, udp } th dport ${PORTS.portUnreachable} reject with icmpx type port-unreachable
    meta l4proto { tcp, udp } th dport ${PORTS.hostUnreachable} reject with icmpx type host-unreachable
  }
}
`;

export interface AgnhostLab {
  lab: Lab;
  client: LabHost;
  server: LabHost;
  bystander: LabHost;
  /** netexec processes of the server by port. */
  netexec: Map<number, LabProcess>;
  /** Whether this kernel has SCTP (netexec --sctp-port exits without it). */
  sctp: boolean;
  /** A Kube whose exec runs the command in the client host. */
  kube: Kube;
  source: ExecTarget;
  where(role: Role): Target;
  close(): Promise<void>;
}

/** `agnhost <args>` in `host` with its hostname set (a UTS namespace of its own), like a pod's. */
export function startAgnhost(host: LabHost, agnhost: string, hostname: string, args: string[]): LabProcess {
  return host.spawn(['unshare', '--uts', '/bin/sh', '-c', 'hostname "$0" && exec "$@"', hostname, agnhost, ...args]);
}

async function listening(host: LabHost, agnhost: string, port: number): Promise<boolean> {
  return (await host.run([agnhost, 'connect', `127.0.0.1:${port}`, '--timeout=1s'])).exitCode === 0;
}

async function kernelHasSctp(host: LabHost, agnhost: string): Promise<boolean> {
  const { stderr } = await host.run([agnhost, 'connect', '127.0.0.1:9', '--timeout=1s', '--protocol=sctp']);
  return !/protocol not supported/.test(stderr);
}

export async function startAgnhostLab(agnhost: string): Promise<AgnhostLab> {
  const lab = await createLab({ client: 10, server: 20, bystander: 30 });
  try {
    const [client, server, bystander] = [lab.host('client'), lab.host('server'), lab.host('bystander')];
    // One probe situation per port, all at once: the kernel's per-peer limit on ICMP errors
    // (a burst of 6, then 1/s) would turn later rejections into timeouts.
    await server.run(['sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=0']);
    await server.nft(SERVER_RULES);
    await client.etc({ hosts: `127.0.0.1 localhost\n${server.address} ${KNOWN_NAME}\n`, 'resolv.conf': 'nameserver 127.0.0.53\n' });
    await startLabDns(client, '127.0.0.53');
    const sctp = await kernelHasSctp(server, agnhost);
    const serve = (port: number, udp: boolean, extra: string[] = []) =>
      [port, startAgnhost(server, agnhost, SERVER_HOSTNAME, ['netexec', `--http-port=${port}`, `--udp-port=${udp ? port : -1}`, ...extra])] as const;
    const netexec = new Map([
      serve(PORTS.open, true),
      serve(PORTS.tcpOnly, false),
      serve(PORTS.sctp, false, [`--sctp-port=${PORTS.sctp}`]),
      serve(PORTS.dropped, true),
      serve(PORTS.tcpReset, true),
      serve(PORTS.portUnreachable, true),
      serve(PORTS.hostUnreachable, true),
    ]);
    startAgnhost(client, agnhost, CLIENT_HOSTNAME, ['netexec', `--http-port=${CLIENT_NETEXEC_PORT}`, `--udp-port=${CLIENT_NETEXEC_PORT}`]);
    await waitUntil('netexec listening in the client', () => listening(client, agnhost, CLIENT_NETEXEC_PORT));
    for (const [port, process] of netexec) {
      // Without SCTP in the kernel the SCTP server exits, which the tests record.
      if (port === PORTS.sctp && !sctp) await process.exited;
      else await waitUntil(`netexec listening on ${server.address}:${port}`, () => listening(server, agnhost, port));
    }
    const roles: Record<Role, Target> = {
      open: { host: server.address, port: PORTS.open },
      'tcp-only': { host: server.address, port: PORTS.tcpOnly },
      'sctp-server': { host: server.address, port: PORTS.sctp },
      closed: { host: server.address, port: PORTS.closed },
      dropped: { host: server.address, port: PORTS.dropped },
      'tcp-reset': { host: server.address, port: PORTS.tcpReset },
      'port-unreachable': { host: server.address, port: PORTS.portUnreachable },
      'host-unreachable': { host: server.address, port: PORTS.hostUnreachable },
      unroutable: { host: UNROUTABLE, port: PORTS.open },
      'unknown-name': { host: UNKNOWN_NAME, port: PORTS.open },
      'known-name': { host: KNOWN_NAME, port: PORTS.open },
    };
    return {
      lab,
      client,
      server,
      bystander,
      netexec,
      sctp,
      kube: localKube((_target, command) => ['ip', 'netns', 'exec', client.netns, ...command]),
      source: { namespace: 'lab', pod: CLIENT_HOSTNAME, container: 'netexec' },
      where: (role) => roles[role],
      close: () => lab.close(),
    };
  } catch (error) {
    await lab.close();
    throw error;
  }
}
