// HTTP as the sim's servers answer it: agnhost netexec and serve-hostname in pods, kube-proxy's
// metrics endpoint on nodes, and (through ingress.ts) the ingress-nginx controller.
import type { HttpRequest, HttpResponse } from '../faults/types.ts';
import type { DataplaneContext } from './context.ts';
import { ingressNginx } from './ingress.ts';
import { connect, type ConnectionResult } from './network.ts';
import { resolveHost } from './resolve.ts';
import type { SimPod } from './state.ts';

export interface SimHttpRequest extends HttpRequest {
  /** Bytes in the request body (Content-Length). */
  bodySize: number;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 204: 'No Content', 308: 'Permanent Redirect', 400: 'Bad Request', 404: 'Not Found',
  413: 'Request Entity Too Large', 417: 'Expectation Failed', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
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

function dial(ctx: DataplaneContext, pod: SimPod, params: URLSearchParams): HttpResponse {
  const host = params.get('host');
  const port = Number(params.get('port'));
  const protocol = (params.get('protocol') ?? 'http').toLowerCase();
  const request = params.get('request') ?? 'hostname';
  const tries = Math.max(1, Number(params.get('tries') ?? '1'));
  if (!host || !port || !['http', 'udp', 'sctp'].includes(protocol)) {
    return textResponse(400, `invalid dial request: host=${host ?? ''} port=${params.get('port') ?? ''} protocol=${protocol}\n`);
  }
  const responses: string[] = [];
  const errors: string[] = [];
  let lastOk = false;
  for (let i = 0; i < tries; i++) {
    const resolved = resolveHost(ctx, pod, host);
    if (!resolved.ip) {
      errors.push(`dial ${protocol} ${host}:${port}: lookup ${host}: no such host`);
      lastOk = false;
      continue;
    }
    const l4 = protocol === 'http' ? 'TCP' : protocol === 'udp' ? 'UDP' : 'SCTP';
    const conn = connect(ctx, pod, resolved.ip, port, l4);
    if (conn.outcome !== 'connected') {
      errors.push(`dial ${protocol} ${resolved.ip}:${port}: ${conn.outcome === 'refused' ? 'connection refused' : 'i/o timeout'}`);
      lastOk = false;
      continue;
    }
    const reply =
      protocol === 'http'
        ? serveHttp(ctx, conn, { method: 'GET', scheme: 'http', host: `${host}:${port}`, path: `/${request}`, headers: {}, clientIp: conn.clientIp, bodySize: 0 }).body
        : datagramReply(conn, request);
    responses.push(reply);
    lastOk = true;
  }
  const body = JSON.stringify({ responses, errors });
  return { status: lastOk ? 200 : 417, headers: [['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(body))]], body };
}

/** netexec's UDP/SCTP commands: hostname, clientip, echo <text>. */
export function datagramReply(conn: ConnectionResult, request: string): string {
  if (!conn.pod || conn.listener?.application !== 'netexec') return '';
  if (request === 'hostname') return podHostname(conn.pod);
  if (request === 'clientip') return `${conn.clientIp}:${conn.clientPort}`;
  if (request.startsWith('echo ')) return request.slice(5);
  return '';
}

function netexec(ctx: DataplaneContext, conn: ConnectionResult, request: SimHttpRequest): HttpResponse {
  const pod = conn.pod!;
  const url = new URL(request.path, 'http://netexec');
  switch (url.pathname) {
    case '/clientip':
      return textResponse(200, `${conn.clientIp}:${conn.clientPort}`);
    case '/hostname':
      return textResponse(200, podHostname(pod));
    case '/echo': {
      const code = Number(url.searchParams.get('code') ?? '200');
      return textResponse(code, url.searchParams.get('msg') ?? '');
    }
    case '/healthz':
      return textResponse(200, '');
    case '/dial':
      return dial(ctx, pod, url.searchParams);
    case '/':
      return textResponse(200, `NOW: ${new Date().toISOString()}`);
    default:
      return textResponse(404, '404 page not found\n');
  }
}

function kubeProxyMetrics(ctx: DataplaneContext, request: SimHttpRequest): HttpResponse {
  const path = new URL(request.path, 'http://node').pathname;
  if (path === '/proxyMode' && ctx.proxyMode) return textResponse(200, ctx.proxyMode);
  if (path === '/healthz') return textResponse(200, 'ok');
  return textResponse(404, '404 page not found\n');
}

/** The HTTP response of whatever answered a connection; undefined when it does not speak HTTP. */
export function serveHttp(ctx: DataplaneContext, conn: ConnectionResult, request: SimHttpRequest): HttpResponse {
  let response: HttpResponse | undefined;
  switch (conn.listener?.application) {
    case 'netexec':
      response = netexec(ctx, conn, request);
      break;
    case 'serve-hostname':
      response = textResponse(200, podHostname(conn.pod!));
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
  return ctx.faults.reduce((r, f) => (f.httpResponse ? f.httpResponse(request, r) : r), response);
}
