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
 * netexec's /dial on the source pod's own netexec (port 8080 unless given): asks it to send
 * `request` to host:port over `protocol` and returns the answers as JSON.
 */
export function dialCommand(opts: {
  host: string;
  port: number;
  protocol: 'udp' | 'sctp' | 'http';
  request: 'clientip' | 'hostname';
  timeoutSeconds: number;
  localPort?: number;
}): string[] {
  const query = new URLSearchParams({
    host: opts.host,
    port: String(opts.port),
    protocol: opts.protocol,
    request: opts.request,
    tries: '1',
  });
  return ['curl', '-sS', '--max-time', String(opts.timeoutSeconds), `http://127.0.0.1:${opts.localPort ?? 8080}/dial?${query}`];
}
