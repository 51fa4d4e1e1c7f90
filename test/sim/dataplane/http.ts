// HTTP as the sim's servers answer it: agnhost netexec and serve-hostname in pods, kube-proxy's
// metrics endpoint on nodes, and (through ingress.ts) the ingress-nginx controller.
import { isIPv6 } from 'node:net';
import type { HttpRequest, HttpResponse } from '../faults/types.ts';
import { sourceIp, type DataplaneContext } from './context.ts';
import { ingressNginx } from './ingress.ts';
import { connect, containerListeners, PORTER_PORT_ENV, type ConnectionResult } from './network.ts';
import { lookupError, resolveHost } from './resolve.ts';
import type { SimPod } from './state.ts';

export interface SimHttpRequest extends HttpRequest {
  /** Bytes in the request body (Content-Length). */
  bodySize: number;
}

export interface SimHttpResponse extends HttpResponse {
  /** How long the real server takes to answer (netexec's /dial waiting for its target). */
  answerAfterMs?: number;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 204: 'No Content', 308: 'Permanent Redirect', 400: 'Bad Request', 404: 'Not Found',
  412: 'Precondition Failed', 413: 'Request Entity Too Large', 417: 'Expectation Failed', 502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Unknown';
}

export function textResponse(status: number, body: string, extra: [string, string][] = []): HttpResponse {
  return {
    status,
    headers: [['Content-Type', 'text/plain; charset=utf-8'], ['Content-Length', String(Buffer.byteLength(body))], ...extra],
    body,
  };
}

/** The name a pod's processes see from os.Hostname(): the pod name, or the node's for hostNetwork pods. */
export function podHostname(pod: SimPod): string {
  return pod.hostNetwork ? (pod.node ?? pod.name) : pod.name;
}

/** netexec's wait for a /dial target: the UDP read deadline and the HTTP client timeout (SCTP's connect has none). */
const DIAL_WAIT_MS: Record<'http' | 'udp' | 'sctp', number> = { http: 5000, udp: 5000, sctp: Number.POSITIVE_INFINITY };

/** Go's json.Marshal escapes <, > and & for HTML. */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** The error of one failed /dial try, worded as netexec 2.56 words it (test/real/agnhost-probes.test.ts). */
function dialError(protocol: 'http' | 'udp' | 'sctp', outcome: 'refused' | 'timeout', target: string, request: string, socket: string): string {
  if (protocol === 'http') {
    const cause = outcome === 'refused' ? `dial tcp ${target}: connect: connection refused` : 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
    return `Get "http://${target}/${request}": ${cause}`;
  }
  if (protocol === 'udp') return `reading from udp connection failed. err:'read ${socket}: ${outcome === 'refused' ? 'read: connection refused' : 'i/o timeout'}'`;
  return `sctp dial failed. err:${outcome === 'refused' ? 'connection refused' : 'i/o timeout'}`;
}

function dial(ctx: DataplaneContext, pod: SimPod, params: URLSearchParams): SimHttpResponse {
  const host = params.get('host') ?? '';
  const port = Number(params.get('port'));
  const protocol = (params.get('protocol') || 'http').toLowerCase();
  const request = params.get('request') ?? '';
  const tries = Number(params.get('tries') || '1');
  if (!Number.isInteger(tries)) return textResponse(400, `tries parameter is invalid. strconv.Atoi: parsing "${params.get('tries')}": invalid syntax\n`);
  if (!request) return textResponse(400, 'request parameter not specified. <nil>\n');
  if (protocol !== 'http' && protocol !== 'udp' && protocol !== 'sctp') return textResponse(400, `unsupported protocol. ${protocol}\n`);
  // netexec resolves the target once, before any try.
  const resolved = resolveHost(ctx, pod, host);
  if (!resolved.ip) {
    return textResponse(400, `host and/or port param are invalid. ${lookupError(host, resolved, sourceIp(ctx, pod), ctx.memory.ephemeralPort())}\n`);
  }
  const target = `${resolved.ip}:${port}`;
  const responses: string[] = [];
  const errors: string[] = [];
  let last = '';
  let answerAfterMs = 0;
  for (let i = 0; i < tries; i++) {
    const conn = connect(ctx, pod, resolved.ip, port, protocol === 'http' ? 'TCP' : protocol === 'udp' ? 'UDP' : 'SCTP');
    last = '';
    if (conn.outcome !== 'connected') {
      errors.push(dialError(protocol, conn.outcome, target, request, `udp ${sourceIp(ctx, pod)}:${ctx.memory.ephemeralPort()}->${target}`));
      if (conn.outcome === 'timeout') answerAfterMs += DIAL_WAIT_MS[protocol];
      continue;
    }
    last =
      protocol === 'http'
        ? serveHttp(ctx, conn, { method: 'GET', scheme: 'http', host: target, path: `/${request}`, headers: {}, clientIp: conn.clientIp, bodySize: 0 }).body
        : datagramReply(conn, request);
    responses.push(last);
  }
  // netexec keeps "responses" only when the last try answered something; json.Marshal sorts keys.
  const body = goJson({ ...(errors.length > 0 ? { errors } : {}), ...(last !== '' ? { responses } : {}) });
  return { ...textResponse(200, body), answerAfterMs };
}

/** The caller as Go prints it (net.JoinHostPort, as in http.Request.RemoteAddr): "10.244.1.5:43210", "[fd00:10:244:1::5]:43210". */
function remoteAddr(conn: ConnectionResult): string {
  return isIPv6(conn.clientIp) ? `[${conn.clientIp}]:${conn.clientPort}` : `${conn.clientIp}:${conn.clientPort}`;
}

/** netexec's UDP/SCTP commands: hostname, clientip, echo <text>. */
export function datagramReply(conn: ConnectionResult, request: string): string {
  if (!conn.pod || conn.listener?.application !== 'netexec') return '';
  if (request === 'hostname') return podHostname(conn.pod);
  if (request === 'clientip') return remoteAddr(conn);
  if (request.startsWith('echo ')) return request.slice(5);
  return '';
}

/** netexec answers /healthz 200 once its UDP or SCTP server runs, and 412 for as long as it has none. */
function netexecHealthy(pod: SimPod, port: number): boolean {
  const container = pod.containers.find((c) => containerListeners(c, pod).some((l) => l.port === port && l.protocol === 'TCP'));
  return !!container && containerListeners(container, pod).some((l) => l.protocol !== 'TCP');
}

function netexec(ctx: DataplaneContext, conn: ConnectionResult, request: SimHttpRequest): SimHttpResponse {
  const pod = conn.pod!;
  const url = new URL(request.path, 'http://netexec');
  switch (url.pathname) {
    case '/clientip':
      return textResponse(200, remoteAddr(conn));
    case '/hostname':
      return textResponse(200, podHostname(pod));
    case '/echo': {
      const code = Number(url.searchParams.get('code') ?? '200');
      return textResponse(code, url.searchParams.get('msg') ?? '');
    }
    case '/healthz':
      return { status: netexecHealthy(pod, conn.listener!.port) ? 200 : 412, headers: [['Content-Length', '0']], body: '' };
    case '/dial':
      return dial(ctx, pod, url.searchParams);
    case '/':
      return textResponse(200, `NOW: ${new Date().toISOString()}`);
    default:
      return textResponse(404, '404 page not found\n');
  }
}

/** porter answers every request on a port with the value of that port's SERVE_PORT_<n>. */
function porterBody(conn: ConnectionResult): string {
  const variable = `${PORTER_PORT_ENV}${conn.listener!.port}`;
  return conn.pod?.containers.find((c) => c.args.includes('porter') && variable in c.env)?.env[variable] ?? '';
}

function kubeProxyMetrics(ctx: DataplaneContext, request: SimHttpRequest): HttpResponse {
  const path = new URL(request.path, 'http://node').pathname;
  if (path === '/proxyMode' && ctx.proxyMode) return textResponse(200, ctx.proxyMode);
  if (path === '/healthz') return textResponse(200, 'ok');
  return textResponse(404, '404 page not found\n');
}

/** The HTTP response of whatever answered a connection; undefined when it does not speak HTTP. */
export function serveHttp(ctx: DataplaneContext, conn: ConnectionResult, request: SimHttpRequest): SimHttpResponse {
  let response: SimHttpResponse | undefined;
  switch (conn.listener?.application) {
    case 'netexec':
      response = netexec(ctx, conn, request);
      break;
    case 'serve-hostname':
      response = textResponse(200, podHostname(conn.pod!));
      break;
    case 'porter':
      response = textResponse(200, porterBody(conn));
      break;
    case 'kube-proxy-metrics':
      response = kubeProxyMetrics(ctx, request);
      break;
    case 'ingress-nginx':
      response = ingressNginx(ctx, conn, request);
      break;
    default:
      response = undefined;
  }
  if (!response) return { status: 0, headers: [], body: '' };
  const answered = ctx.faults.reduce<HttpResponse>((r, f) => (f.httpResponse ? f.httpResponse(request, r) : r), response);
  return { ...answered, answerAfterMs: response.answerAfterMs };
}
