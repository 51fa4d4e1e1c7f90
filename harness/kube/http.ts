// One HTTP request to the API server named by the kubeconfig, with the kubeconfig's credentials
// and TLS settings, retried with exponential backoff while the failure is transient.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import pRetry from 'p-retry';
import { isTransient, KubeApiError, reasonOfStatus } from './errors.ts';
import type { ApiReachability } from './reachability.ts';

export interface RetryPolicy {
  /** Retries after the first attempt. Default 5. */
  retries: number;
  /** Delay before the first retry; doubles each time. Default 250 ms. */
  minTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, minTimeoutMs: 250 };
const REQUEST_TIMEOUT_MS = 60_000;

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** For error messages: what was being done, to what. */
  verb: string;
  ref: string;
}

interface Response {
  status: number;
  text: string;
}

function toApiError(req: KubeRequest, res: Response): KubeApiError {
  // A plain-text 404 (a group the server does not serve) or a Status without reason still gets one.
  let reason = reasonOfStatus(res.status) ?? http.STATUS_CODES[res.status] ?? 'Error';
  let apiMessage = res.text.trim() || reason;
  try {
    const status = JSON.parse(res.text) as { kind?: string; reason?: string; message?: string };
    if (status.kind === 'Status') {
      reason = status.reason || reason;
      apiMessage = status.message || apiMessage;
    }
  } catch {
    // not a Status body: keep the raw text
  }
  return new KubeApiError({ verb: req.verb, ref: req.ref, status: res.status, reason, apiMessage });
}

export class KubeHttp {
  readonly #kc: KubeConfig;
  readonly #server: URL;
  readonly #retry: RetryPolicy;
  readonly #reachability: ApiReachability;

  constructor(kc: KubeConfig, server: string, retry: RetryPolicy, reachability: ApiReachability) {
    this.#kc = kc;
    this.#server = new URL(server);
    this.#retry = retry;
    this.#reachability = reachability;
  }

  /** Text of a 2xx response; KubeApiError otherwise (after retries for transient failures). */
  async text(req: KubeRequest): Promise<string> {
    let attempts = 0;
    const retries = this.#reachability.retries(this.#retry.retries);
    try {
      return await pRetry(
        async () => {
          attempts++;
          const res = await this.#once(req);
          this.#reachability.answered();
          if (res.status >= 200 && res.status < 300) return res.text;
          throw toApiError(req, res);
        },
        {
          retries,
          minTimeout: this.#retry.minTimeoutMs,
          factor: 2,
          shouldRetry: ({ error }) => isTransient(error),
        },
      );
    } catch (err) {
      throw this.#reachability.gaveUp(err instanceof KubeApiError ? err.withAttempts(attempts) : err, retries === 0);
    }
  }

  async json<T>(req: KubeRequest): Promise<T> {
    return JSON.parse(await this.text(req)) as T;
  }

  async #once(req: KubeRequest): Promise<Response> {
    const url = new URL(req.path, this.#server);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const opts: https.RequestOptions = { headers: {} };
    await this.#kc.applyToHTTPSOptions(opts);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: http.OutgoingHttpHeaders = {
      ...(opts.headers as http.OutgoingHttpHeaders),
      Accept: 'application/json',
      ...(body !== undefined ? { 'Content-Type': req.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
    };
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const r = transport.request(url, { ...opts, method: req.method, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(this.#networkError(req, err)));
      });
      r.on('timeout', () => r.destroy(Object.assign(new Error(`no response within ${REQUEST_TIMEOUT_MS / 1000}s`), { code: 'ETIMEDOUT' })));
      r.on('error', (err) => reject(this.#networkError(req, err)));
      if (body !== undefined) r.write(body);
      r.end();
    });
  }

  #networkError(req: KubeRequest, err: Error): KubeApiError {
    const code = (err as NodeJS.ErrnoException).code ?? 'NetworkError';
    return new KubeApiError({ verb: req.verb, ref: req.ref, status: 0, reason: code, apiMessage: `${err.message} (${this.#server.origin})`, cause: err });
  }
}
