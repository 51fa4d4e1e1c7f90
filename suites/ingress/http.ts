// Building the ingress curl command of docs/probe-protocol.md and reading its `curl -i` output.

export interface IngressRequest {
  host: string;
  path: string;
  scheme?: 'http' | 'https';
  method?: string;
  headers?: Record<string, string>;
  /** Sends a request body of this many bytes (from the file the prepare step wrote). */
  bodyBytes?: number;
  /** Verify the served certificate against the generated one instead of -k (proves SNI picked it). */
  verifyCertificate?: boolean;
}

export const CA_FILE = '/tmp/cnimatrix-ingress-ca.pem';
export const BODY_SIZES = [512, 4096];
export const bodyFile = (bytes: number) => `/tmp/cnimatrix-body-${bytes}`;
export const CURL_TIMEOUT_SECONDS = 10;

/** One-time execs that write the request bodies the size cases send (N bytes of zeros each). */
export function bodyFileCommands(): string[][] {
  return BODY_SIZES.map((n) => ['/bin/sh', '-c', `head -c ${n} /dev/zero > ${bodyFile(n)}`]);
}

/** One-time exec that writes the Ingress certificate, the trust anchor of --cacert requests. The PEM has no single quotes, so it travels as one quoted shell word. */
export function caFileCommand(caPem: string): string[] {
  return ['/bin/sh', '-c', `printf '%s' '${caPem}' > ${CA_FILE}`];
}

/** `curl -sS -i …` sent to the controller at `address` (HTTP on 80, HTTPS on 443 with --resolve for SNI). */
export function curlRequest(request: IngressRequest, address: string): string[] {
  const words = ['curl', '-sS', '-i', '--max-time', String(CURL_TIMEOUT_SECONDS)];
  const https = request.scheme === 'https';
  if (https) {
    words.push(...(request.verifyCertificate ? ['--cacert', CA_FILE] : ['-k']));
    words.push('--resolve', `${request.host}:443:${address}`);
  } else {
    words.push('-H', `Host: ${request.host}`);
  }
  for (const [name, value] of Object.entries(request.headers ?? {})) words.push('-H', `${name}: ${value}`);
  if (request.method) words.push('-X', request.method);
  if (request.bodyBytes !== undefined) {
    words.push('-H', `Content-Length: ${request.bodyBytes}`, '--data-binary', `@${bodyFile(request.bodyBytes)}`);
  }
  words.push(https ? `https://${request.host}${request.path}` : `http://${address}${request.path}`);
  return words;
}

export interface HttpResponse {
  status: number | undefined;
  /** Header names in lower case; repeated headers keep every value. */
  headers: Map<string, string[]>;
  body: string;
}

/** The final response of `curl -i` output (after any 100 Continue). */
export function parseCurlResponse(output: string): HttpResponse {
  const blocks: { status: number; headers: Map<string, string[]> }[] = [];
  let rest = output.replace(/\r\n/g, '\n');
  while (rest.startsWith('HTTP/')) {
    const end = rest.indexOf('\n\n');
    const head = end < 0 ? rest : rest.slice(0, end);
    rest = end < 0 ? '' : rest.slice(end + 2);
    const [statusLine = '', ...lines] = head.split('\n');
    const headers = new Map<string, string[]>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    blocks.push({ status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine)?.[1]), headers });
  }
  const last = blocks.at(-1);
  return { status: last?.status, headers: last?.headers ?? new Map(), body: rest.trim() };
}

export function header(response: HttpResponse, name: string): string | undefined {
  return response.headers.get(name.toLowerCase())?.[0];
}

/** The value of a cookie set by the response (Set-Cookie: NAME=value; ...). */
export function setCookie(response: HttpResponse, cookie: string): string | undefined {
  for (const value of response.headers.get('set-cookie') ?? []) {
    const match = new RegExp(`^${cookie}=([^;]*)`).exec(value);
    if (match) return match[1];
  }
  return undefined;
}

export function describeResponse(response: HttpResponse): string {
  if (response.status === undefined) return 'no HTTP response';
  const body = response.body.length > 80 ? `${response.body.slice(0, 77)}...` : response.body;
  return `HTTP ${response.status}, body "${body.replace(/\s+/g, ' ')}"`;
}
