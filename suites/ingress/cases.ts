// The ingress cases as data, in the manner of Gateway API conformance: a request → the response
// the controller must give (status, which backend answered, headers).
import { header, type HttpResponse, type IngressRequest } from './http.ts';
import { BODY_LIMIT, CORS_ORIGIN, TLS_HOST, type Backend } from './workloads.ts';

export interface ExpectedResponse {
  status: number;
  /** The backend pod whose /hostname answered. */
  backend?: Backend;
  /** Headers that must be present, matched case-insensitively by name; values by pattern. */
  headers?: Record<string, RegExp>;
}

export interface IngressCase {
  id: string;
  title: string;
  request: IngressRequest;
  expected: ExpectedResponse;
  /** The defect a mismatch means, in one sentence. */
  defect: string;
}

export const INGRESS_CASES: IngressCase[] = [
  {
    id: 'host-a',
    title: 'host routing: a.example.test goes to its backend',
    request: { host: 'a.example.test', path: '/hostname' },
    expected: { status: 200, backend: 'backend-a' },
    defect: 'requests are not routed by their Host header',
  },
  {
    id: 'host-b',
    title: 'host routing: b.example.test goes to its backend',
    request: { host: 'b.example.test', path: '/hostname' },
    expected: { status: 200, backend: 'backend-b' },
    defect: 'requests are not routed by their Host header',
  },
  {
    id: 'default-backend',
    title: 'a host no rule names goes to the Ingress defaultBackend',
    request: { host: 'unknown.example.test', path: '/hostname' },
    expected: { status: 200, backend: 'backend-default' },
    defect: 'requests for an unknown host do not reach the Ingress defaultBackend',
  },
  {
    id: 'prefix-subpath',
    title: 'pathType Prefix "/" matches every sub-path',
    request: { host: 'prefix.example.test', path: '/hostname' },
    expected: { status: 200, backend: 'backend-c' },
    defect: 'pathType Prefix does not match sub-paths of the prefix',
  },
  {
    id: 'prefix-elements',
    title: 'pathType Prefix matches whole path elements (/host does not match /hostname)',
    request: { host: 'elements.example.test', path: '/hostname' },
    expected: { status: 200, backend: 'backend-a' },
    defect: 'pathType Prefix is not matched by whole path elements ("/" must cover /hostname, "/host" must not)',
  },
  {
    id: 'exact-over-prefix',
    title: 'pathType Exact wins over a shorter Prefix',
    request: { host: 'exact.example.test', path: '/hostname' },
    expected: { status: 200, backend: 'backend-b' },
    defect: 'an Exact path does not take precedence over a Prefix path that also matches',
  },
  {
    id: 'tls',
    title: 'TLS: HTTPS to a TLS host reaches its backend',
    request: { host: TLS_HOST, path: '/hostname', scheme: 'https' },
    expected: { status: 200, backend: 'backend-c' },
    defect: 'HTTPS requests for a host with a TLS section are not served',
  },
  {
    id: 'tls-sni',
    title: 'TLS: SNI selects the Ingress certificate (verifies for the host)',
    request: { host: TLS_HOST, path: '/hostname', scheme: 'https', verifyCertificate: true },
    expected: { status: 200, backend: 'backend-c' },
    defect: 'the certificate served for the SNI name is not the one from the Ingress TLS Secret',
  },
  {
    id: 'ssl-redirect',
    title: 'ssl-redirect: plain HTTP to a TLS host gets 308 to https',
    request: { host: TLS_HOST, path: '/hostname' },
    expected: { status: 308, headers: { location: new RegExp(`^https://${TLS_HOST.replaceAll('.', '\\.')}/hostname$`) } },
    defect: 'plain HTTP to a TLS host is not redirected to HTTPS with 308',
  },
  {
    id: 'rewrite-target',
    title: 'rewrite-target /$2 with a regex path sends /api/hostname to /hostname',
    request: { host: 'rewrite.example.test', path: '/api/hostname' },
    expected: { status: 200, backend: 'backend-a' },
    defect: 'rewrite-target with capture groups (use-regex) does not rewrite the path',
  },
  {
    id: 'body-over-limit',
    title: `proxy-body-size ${BODY_LIMIT}: a larger body gets 413`,
    request: { host: 'upload.example.test', path: '/hostname', method: 'POST', bodyBytes: 4096 },
    expected: { status: 413 },
    defect: 'a request body over proxy-body-size is not rejected with 413',
  },
  {
    id: 'body-under-limit',
    title: `proxy-body-size ${BODY_LIMIT}: a smaller body passes`,
    request: { host: 'upload.example.test', path: '/hostname', method: 'POST', bodyBytes: 512 },
    expected: { status: 200, backend: 'backend-b' },
    defect: 'a request body under proxy-body-size is rejected',
  },
  {
    id: 'cors-preflight',
    title: 'enable-cors: a preflight gets 204 with the allowed origin and methods',
    request: {
      host: 'cors.example.test',
      path: '/hostname',
      method: 'OPTIONS',
      headers: { Origin: CORS_ORIGIN, 'Access-Control-Request-Method': 'GET' },
    },
    expected: {
      status: 204,
      headers: { 'access-control-allow-origin': new RegExp(`^${CORS_ORIGIN.replaceAll('.', '\\.')}$`), 'access-control-allow-methods': /GET/ },
    },
    defect: 'CORS preflight requests are not answered with the configured CORS headers',
  },
  {
    id: 'cors-simple',
    title: 'enable-cors: a cross-origin GET carries Access-Control-Allow-Origin',
    request: { host: 'cors.example.test', path: '/hostname', headers: { Origin: CORS_ORIGIN } },
    expected: { status: 200, backend: 'backend-a', headers: { 'access-control-allow-origin': new RegExp(`^${CORS_ORIGIN.replaceAll('.', '\\.')}$`) } },
    defect: 'cross-origin responses lack Access-Control-Allow-Origin',
  },
];

/** What is wrong with a response, or an empty list when it is the expected one. */
export function responseMismatches(expected: ExpectedResponse, response: HttpResponse): string[] {
  const problems: string[] = [];
  if (response.status !== expected.status) problems.push(`status ${response.status ?? 'none'} instead of ${expected.status}`);
  if (expected.backend && response.body.trim() !== expected.backend) {
    problems.push(`answered by "${response.body.trim().slice(0, 60) || 'nobody'}" instead of ${expected.backend}`);
  }
  for (const [name, pattern] of Object.entries(expected.headers ?? {})) {
    const value = header(response, name);
    if (value === undefined) problems.push(`header ${name} missing`);
    else if (!pattern.test(value)) problems.push(`header ${name} is "${value}", expected ${pattern}`);
  }
  return problems;
}
