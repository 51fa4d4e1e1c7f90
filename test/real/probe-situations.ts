// The probe situations checked against real agnhost (and against the sim's dataplane): every
// command form of docs/probe-protocol.md, sent to targets that each play one role (an open port,
// a closed one, one behind a drop or reject rule, a name that does not resolve...). Each side
// says where a role lives for it; the commands are the product's own builders.
import type { Probe } from '../../harness/probe/index.ts';
import { connectCommand, curlCommand, dialCommand, DIAL_TIMEOUT_SECONDS, type ProbeProtocol } from '../../harness/probe/index.ts';

export type Role =
  | 'open' // netexec serving TCP (HTTP) and UDP
  | 'tcp-only' // netexec with --udp-port=-1
  | 'sctp-server' // netexec with --sctp-port
  | 'closed' // nothing listens
  | 'dropped' // a listener behind a drop rule
  | 'tcp-reset' // TCP rejected with a reset, UDP with ICMP port unreachable
  | 'port-unreachable' // rejected with ICMP port unreachable
  | 'host-unreachable' // rejected with ICMP host unreachable
  | 'unroutable' // an address the client has no route to
  | 'unknown-name' // a name the resolver answers NXDOMAIN for
  | 'known-name'; // a name of the open target

export interface Target {
  host: string;
  port: number;
}

export interface Situation extends Probe {
  role: Role;
  form: 'connect' | 'curl' | 'dial';
}

/** Probe timeouts: connect and curl 2 s; /dial above netexec's own 5 s wait, unless `short`. */
const TIMEOUT_SECONDS = 2;

export const UNKNOWN_NAME = 'nosuch.lab.test';

const CONNECT_ROLES: Role[] = ['open', 'tcp-only', 'closed', 'dropped', 'tcp-reset', 'port-unreachable', 'host-unreachable', 'unroutable', 'unknown-name', 'known-name'];
const SCTP_ROLES: Role[] = ['sctp-server', 'closed', 'dropped', 'unknown-name'];
const CURL_ROLES: Role[] = CONNECT_ROLES;
const DIAL_UDP_ROLES: Role[] = ['open', 'tcp-only', 'closed', 'dropped', 'tcp-reset', 'port-unreachable', 'host-unreachable', 'unknown-name'];
const DIAL_HTTP_ROLES: Role[] = ['open', 'closed', 'dropped', 'tcp-reset', 'host-unreachable'];

/**
 * Every situation whose role `where` places. `agnhost` replaces the image's /agnhost (the real
 * binary's path keeps the name, so the product still recognises the command); `dialPort` is the
 * client's own netexec.
 */
export function situations(where: (role: Role) => Target | undefined, opts: { agnhost?: string; dialPort: number }): Situation[] {
  const out: Situation[] = [];
  const add = (id: string, role: Role, form: Situation['form'], build: (t: Target) => string[], timeoutSeconds = TIMEOUT_SECONDS) => {
    const target = where(role);
    if (target) out.push({ id, role, form, command: build(target), timeoutSeconds });
  };
  const agnhost = (command: string[]) => (opts.agnhost ? [opts.agnhost, ...command.slice(1)] : command);
  const connect = (protocol: ProbeProtocol) => (t: Target) => agnhost(connectCommand(t.host, t.port, protocol, TIMEOUT_SECONDS));
  for (const role of CONNECT_ROLES) {
    add(`connect-tcp-${role}`, role, 'connect', connect('TCP'));
    add(`connect-udp-${role}`, role, 'connect', connect('UDP'));
  }
  for (const role of SCTP_ROLES) add(`connect-sctp-${role}`, role, 'connect', connect('SCTP'));
  for (const role of CURL_ROLES) add(`curl-clientip-${role}`, role, 'curl', (t) => curlCommand(t.host, t.port, '/clientip', TIMEOUT_SECONDS));
  add('curl-hostname-open', 'open', 'curl', (t) => curlCommand(t.host, t.port, '/hostname', TIMEOUT_SECONDS));
  add('curl-echo-open', 'open', 'curl', (t) => curlCommand(t.host, t.port, '/echo?msg=cnimatrix', TIMEOUT_SECONDS));
  for (const role of ['open', 'tcp-only'] as const) {
    add(`curl-healthz-${role}`, role, 'curl', (t) => withInclude(curlCommand(t.host, t.port, '/healthz', TIMEOUT_SECONDS)));
  }
  const dial = (protocol: 'udp' | 'http' | 'sctp', timeoutSeconds: number) => (t: Target) =>
    dialCommand({ host: t.host, port: t.port, protocol, request: 'clientip', timeoutSeconds, localPort: opts.dialPort });
  for (const role of DIAL_UDP_ROLES) add(`dial-udp-${role}`, role, 'dial', dial('udp', DIAL_TIMEOUT_SECONDS), DIAL_TIMEOUT_SECONDS);
  for (const role of DIAL_HTTP_ROLES) add(`dial-http-${role}`, role, 'dial', dial('http', DIAL_TIMEOUT_SECONDS), DIAL_TIMEOUT_SECONDS);
  add('dial-sctp-sctp-server', 'sctp-server', 'dial', dial('sctp', DIAL_TIMEOUT_SECONDS), DIAL_TIMEOUT_SECONDS);
  // curl's --max-time below netexec's 5 s wait: what a shorter budget would report.
  add('dial-udp-dropped-short', 'dropped', 'dial', dial('udp', TIMEOUT_SECONDS));
  return out;
}

/** `curl -sS -i …`: the status line and headers too (the ingress form). */
function withInclude(command: string[]): string[] {
  return [command[0]!, command[1]!, '-i', ...command.slice(2)];
}
