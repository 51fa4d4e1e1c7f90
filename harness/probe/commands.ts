// Builders for the probe command forms of docs/probe-protocol.md, so suites never spell argv by hand.

export type ProbeProtocol = 'TCP' | 'UDP' | 'SCTP';

/** "10.244.1.5:80", or "[fd00::5]:80" for IPv6. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `agnhost connect`: exit 0 = connected; otherwise TIMEOUT/REFUSED/DNS/OTHER/UNKNOWN on stderr. */
export function connectCommand(host: string, port: number, protocol: ProbeProtocol, timeoutSeconds: number): string[] {
  return ['/agnhost', 'connect', hostPort(host, port), `--timeout=${timeoutSeconds}s`, `--protocol=${protocol.toLowerCase()}`];
}

/** `curl -sS --max-time N http://host:port<path>`: body as the server sent it. */
export function curlCommand(host: string, port: number, path: string, timeoutSeconds: number): string[] {
  return ['curl', '-sS', '--max-time', String(timeoutSeconds), `http://${hostPort(host, port)}${path}`];
}

/**
 * curl's budget for a netexec /dial: netexec waits 5 s for a UDP or SCTP answer and gives HTTP a
 * 5 s client timeout (agnhost netexec.go dialUDP/dialSCTP/createHTTPClient), so anything shorter
 * cuts off an answer netexec would still report, and a silent target would read as curl's own
 * timeout rather than netexec's verdict.
 */
export const DIAL_TIMEOUT_SECONDS = 8;

/**
 * netexec's /dial on the source pod's own netexec (port 8080 unless given): asks it to send
 * `request` to host:port over `protocol` and returns the answers as JSON. `timeoutSeconds`
 * (default DIAL_TIMEOUT_SECONDS) is curl's; below netexec's 5 s wait only to record what that does.
 */
export function dialCommand(opts: {
  host: string;
  port: number;
  protocol: 'udp' | 'sctp' | 'http';
  request: 'clientip' | 'hostname';
  timeoutSeconds?: number;
  localPort?: number;
}): string[] {
  const query = new URLSearchParams({
    host: opts.host,
    port: String(opts.port),
    protocol: opts.protocol,
    request: opts.request,
    tries: '1',
  });
  return ['curl', '-sS', '--max-time', String(opts.timeoutSeconds ?? DIAL_TIMEOUT_SECONDS), `http://127.0.0.1:${opts.localPort ?? 8080}/dial?${query}`];
}

/**
 * `dig +short` for a fully qualified name, asked exactly as given (trailing dot, no search list):
 * with +search dig stops at the first answer that is not NXDOMAIN, so a SERVFAIL for a host search
 * domain tried first would end the lookup of a name that exists (bind9 bin/dig/dighost.c).
 */
export function fqdnDigCommand(name: string, type: string, timeoutSeconds = 2, tries = 2): string[] {
  return ['dig', '+short', `+time=${timeoutSeconds}`, `+tries=${tries}`, name.endsWith('.') ? name : `${name}.`, type];
}
