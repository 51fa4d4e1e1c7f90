// The ingress-nginx controller's request handling: server (host) selection, location (path)
// matching, TLS redirects, body-size limits, CORS, cookie affinity and rewrite-target, then a
// proxied request to one ready endpoint of the backend Service (subject to NetworkPolicy).
import type { HttpResponse } from '../faults/types.ts';
import type { DataplaneContext } from './context.ts';
import { serveHttp, statusText, type SimHttpRequest } from './http.ts';
import { connect, type ConnectionResult } from './network.ts';
import type { KubeObject } from '../apiserver/index.ts';
import type { SimEndpoint, SimService } from './state.ts';
import { createHash } from 'node:crypto';

const ANNOTATION = 'nginx.ingress.kubernetes.io/';
const CONTROLLER_NAME = 'k8s.io/ingress-nginx';
const DEFAULT_BODY_LIMIT = '1m';
const DEFAULT_CORS_METHODS = 'GET, PUT, POST, DELETE, PATCH, OPTIONS';
const DEFAULT_CORS_HEADERS = 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

interface Backend {
  service: string;
  port: number | string;
}

interface Location {
  ingress: KubeObject;
  host: string | undefined;
  path: string;
  pathType: string;
  backend: Backend;
}

function annotation(ing: KubeObject, name: string): string | undefined {
  return ing.metadata.annotations?.[`${ANNOTATION}${name}`];
}

function backendOf(raw: unknown): Backend | undefined {
  const service = obj(obj(raw).service);
  const port = obj(service.port);
  if (typeof service.name !== 'string') return undefined;
  return { service: service.name, port: (port.number as number | undefined) ?? String(port.name ?? '') };
}

/** Ingresses this controller serves: class nginx (by IngressClass controller), or no class at all. */
export function servedIngresses(ctx: DataplaneContext): KubeObject[] {
  const classes = ctx.state.ingressClasses.filter((c) => obj(c.spec).controller === CONTROLLER_NAME).map((c) => c.metadata.name);
  return ctx.state.ingresses.filter((ing) => {
    const className = obj(ing.spec).ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class'];
    return className === undefined ? true : classes.includes(String(className));
  });
}

function locations(ingresses: KubeObject[]): Location[] {
  return ingresses.flatMap((ingress) =>
    arr(obj(ingress.spec).rules).flatMap((rawRule) => {
      const rule = obj(rawRule);
      return arr(obj(rule.http).paths).flatMap((rawPath) => {
        const p = obj(rawPath);
        const backend = backendOf(p.backend);
        if (!backend) return [];
        return [{ ingress, host: typeof rule.host === 'string' ? rule.host : undefined, path: String(p.path ?? '/'), pathType: String(p.pathType ?? 'ImplementationSpecific'), backend }];
      });
    }),
  );
}

export function wildcardMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1);
  return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.') && host.length > suffix.length;
}

/** nginx server selection: exact server_name, then wildcard, then the default server (rules without host). */
function serverLocations(all: Location[], host: string): Location[] {
  const exact = all.filter((l) => l.host === host);
  if (exact.length > 0) return exact;
  const wildcard = all.filter((l) => l.host !== undefined && wildcardMatches(l.host, host));
  if (wildcard.length > 0) return wildcard;
  return all.filter((l) => l.host === undefined);
}

function usesRegex(l: Location): boolean {
  return annotation(l.ingress, 'use-regex') === 'true' || annotation(l.ingress, 'rewrite-target') !== undefined;
}

function prefixMatches(prefix: string, path: string): boolean {
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed === '' || path === trimmed || path.startsWith(`${trimmed}/`);
}

/** Location matching as ingress-nginx renders it: `=` for Exact first, then regex or longest prefix. */
function matchLocation(server: Location[], path: string): { location: Location; captures: string[] } | undefined {
  const exact = server.find((l) => l.pathType === 'Exact' && l.path === path);
  if (exact) return { location: exact, captures: [] };
  const rest = server.filter((l) => l.pathType !== 'Exact').sort((a, b) => b.path.length - a.path.length);
  // Regex on any Ingress of a host makes every location of that host a case-insensitive regex.
  if (server.some(usesRegex)) {
    for (const l of rest) {
      const match = new RegExp(`^${l.path}`, 'i').exec(path);
      if (match) return { location: l, captures: match.slice(1).map((c) => c ?? '') };
    }
    return undefined;
  }
  for (const l of rest) {
    const matches = l.pathType === 'Prefix' ? prefixMatches(l.path, path) : path.startsWith(l.path);
    if (matches) return { location: l, captures: [] };
  }
  return undefined;
}

function tlsHosts(ing: KubeObject): string[] {
  return arr(obj(ing.spec).tls).flatMap((t) => arr(obj(t).hosts).map(String));
}

function parseSize(text: string): number {
  const match = /^(\d+)([kKmMgG]?)$/.exec(text.trim());
  if (!match) return 1024 * 1024;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase()] ?? 1;
  return Number(match[1]) * unit;
}

function nginxPage(status: number): HttpResponse {
  const title = `${status} ${statusText(status)}`;
  const body = `<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n`;
  return { status, headers: [['Content-Type', 'text/html'], ['Content-Length', String(body.length)]], body };
}

function corsHeaders(ing: KubeObject, origin: string | undefined): [string, string][] {
  const allowed = (annotation(ing, 'cors-allow-origin') ?? '*').split(',').map((s) => s.trim());
  let allowOrigin: string | undefined;
  if (allowed.includes('*')) allowOrigin = '*';
  else if (origin && allowed.some((a) => a === origin || (a.includes('://*.') && wildcardMatches(a.split('://')[1]!, origin.split('://')[1] ?? '')))) allowOrigin = origin;
  if (!allowOrigin) return [];
  return [
    ['Access-Control-Allow-Origin', allowOrigin],
    ['Access-Control-Allow-Credentials', annotation(ing, 'cors-allow-credentials') ?? 'true'],
    ['Access-Control-Allow-Methods', annotation(ing, 'cors-allow-methods') ?? DEFAULT_CORS_METHODS],
    ['Access-Control-Allow-Headers', annotation(ing, 'cors-allow-headers') ?? DEFAULT_CORS_HEADERS],
    ['Access-Control-Max-Age', annotation(ing, 'cors-max-age') ?? '1728000'],
  ];
}

function cookieValue(endpoint: SimEndpoint): string {
  return createHash('sha1').update(endpoint.ip).digest('hex').slice(0, 32);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === name) return v;
  }
  return undefined;
}

function rewrite(target: string, captures: string[]): string {
  const out = target.replace(/\$(\d+)/g, (_, n: string) => captures[Number(n) - 1] ?? '');
  return out.startsWith('/') ? out : `/${out}`;
}

function proxy(ctx: DataplaneContext, controller: ConnectionResult, request: SimHttpRequest, backend: Backend, ing: KubeObject | undefined, path: string): HttpResponse {
  const namespace = ing?.metadata.namespace ?? 'default';
  const svc: SimService | undefined = ctx.state.services.find((s) => s.namespace === namespace && s.name === backend.service);
  const servicePort = svc?.ports.find((p) => (typeof backend.port === 'number' ? p.port === backend.port : p.name === backend.port));
  if (!svc || !servicePort) return nginxPage(503);
  const candidates = (ctx.state.endpoints.get(`${namespace}/${svc.name}`) ?? []).filter((e) => e.ready);
  if (candidates.length === 0) return nginxPage(503);
  const extraHeaders: [string, string][] = [];
  let endpoint: SimEndpoint;
  const cookieAffinity = ing && annotation(ing, 'affinity') === 'cookie';
  if (cookieAffinity) {
    const cookieName = annotation(ing, 'session-cookie-name') ?? 'INGRESSCOOKIE';
    const sticky = readCookie(request.headers.cookie, cookieName);
    const known = candidates.find((e) => cookieValue(e) === sticky);
    endpoint = known ?? candidates[ctx.memory.nextIndex(`ingress:${namespace}/${svc.name}`, candidates.length)]!;
    if (!known) extraHeaders.push(['Set-Cookie', `${cookieName}=${cookieValue(endpoint)}; Path=/; HttpOnly`]);
  } else {
    endpoint = candidates[ctx.memory.nextIndex(`ingress:${namespace}/${svc.name}`, candidates.length)]!;
  }
  const targetPort = endpoint.ports.find((p) => p.name === servicePort.name)?.port ?? (typeof servicePort.targetPort === 'number' ? servicePort.targetPort : servicePort.port);
  const controllerPod = controller.pod!;
  const conn = connect(ctx, controllerPod, endpoint.ip, targetPort, 'TCP');
  if (conn.outcome === 'timeout') return nginxPage(504);
  if (conn.outcome === 'refused') return nginxPage(502);
  const upstream = serveHttp(ctx, conn, { ...request, scheme: 'http', path, headers: { ...request.headers, 'x-forwarded-for': request.clientIp, 'x-real-ip': request.clientIp } });
  if (upstream.status === 0) return nginxPage(502);
  return { ...upstream, headers: [...upstream.headers, ...extraHeaders] };
}

/** The controller's response to one request that reached it on port 80 (http) or 443 (https). */
export function ingressNginx(ctx: DataplaneContext, controller: ConnectionResult, request: SimHttpRequest): HttpResponse {
  const host = (request.headers.host ?? request.host).replace(/:\d+$/, '').toLowerCase();
  const url = new URL(request.path, 'http://ingress');
  const served = servedIngresses(ctx);
  const match = matchLocation(serverLocations(locations(served), host), url.pathname);
  const withCommon = (r: HttpResponse): HttpResponse => {
    const headers: [string, string][] = [['Date', new Date().toUTCString()], ...r.headers, ['Connection', 'keep-alive']];
    if (request.scheme === 'https' && match && tlsHosts(match.location.ingress).some((h) => h === host || wildcardMatches(h, host))) {
      headers.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
    }
    return { ...r, headers };
  };
  if (!match) {
    const fallback = served.find((ing) => backendOf(obj(ing.spec).defaultBackend));
    if (fallback) return withCommon(proxy(ctx, controller, request, backendOf(obj(fallback.spec).defaultBackend)!, fallback, url.pathname + url.search));
    return withCommon(nginxPage(404));
  }
  const ing = match.location.ingress;
  const hasTls = tlsHosts(ing).some((h) => h === host || wildcardMatches(h, host));
  const redirect = (hasTls && annotation(ing, 'ssl-redirect') !== 'false') || annotation(ing, 'force-ssl-redirect') === 'true';
  if (request.scheme === 'http' && redirect) {
    const page = nginxPage(308);
    return withCommon({ ...page, headers: [...page.headers, ['Location', `https://${host}${request.path}`]] });
  }
  const limit = parseSize(annotation(ing, 'proxy-body-size') ?? DEFAULT_BODY_LIMIT);
  if (limit > 0 && request.bodySize > limit) return withCommon(nginxPage(413));
  const cors = annotation(ing, 'enable-cors') === 'true' ? corsHeaders(ing, request.headers.origin) : [];
  if (cors.length > 0 && request.method === 'OPTIONS') {
    return withCommon({ status: 204, headers: [...cors, ['Content-Type', 'text/plain charset=UTF-8'], ['Content-Length', '0']], body: '' });
  }
  const target = annotation(ing, 'rewrite-target');
  const path = target !== undefined ? rewrite(target, match.captures) + url.search : url.pathname + url.search;
  const response = proxy(ctx, controller, request, match.location.backend, ing, path);
  return withCommon({ ...response, headers: [...response.headers, ...cors] });
}
