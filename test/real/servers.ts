// The two API servers a contract test can run against: the real control plane and the sim
// (test/sim/apiserver). A test written once against `Server` holds the sim to the real one.
import { createKube, type CreateKubeOptions } from '../../harness/kube/index.ts';
import type { Kube } from '../../harness/kube/types.ts';
import { startApiServer, type ApiServerOptions } from '../sim/apiserver/index.ts';
import { controlPlane, type ControlPlane, type ControlPlaneBuilder, type RawResponse } from './control-plane.ts';

export interface Server {
  readonly name: 'real' | 'sim';
  readonly kubeconfig: string;
  /** An adapter on this server; few fast retries, so a wrong transient/permanent call shows. */
  kube(opts?: Omit<CreateKubeOptions, 'kubeconfig' | 'kubeconfigPath'>): Kube;
  /** One raw request (as the admin on the real server). */
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<RawResponse>;
  stop(): Promise<void>;
}

const FAST_RETRY = { retries: 2, minTimeoutMs: 20 };

function adapterFor(kubeconfig: string) {
  return (opts: Omit<CreateKubeOptions, 'kubeconfig' | 'kubeconfigPath'> = {}): Kube => createKube({ kubeconfig, retry: FAST_RETRY, ...opts });
}

export type RealServer = Server & { readonly cp: ControlPlane };

export async function realServer(builder: ControlPlaneBuilder = controlPlane()): Promise<RealServer> {
  const cp = await builder.start();
  return { name: 'real', cp, kubeconfig: cp.kubeconfig, kube: adapterFor(cp.kubeconfig), call: (...args) => cp.call(...args), stop: () => cp.stop() };
}

export async function simServer(opts: ApiServerOptions = {}): Promise<Server> {
  const api = await startApiServer(opts);
  const kubeconfig = api.kubeconfig('sim');
  return {
    name: 'sim',
    kubeconfig,
    kube: adapterFor(kubeconfig),
    async call(method, path, body, contentType = 'application/json') {
      const res = await fetch(`${api.url}${path}`, {
        method,
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': contentType } } : {}),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { text } };
    },
    stop: () => api.stop(),
  };
}

/** What a client can rely on in an answer: the status code and, for a Status, its reason, message and details. */
export function answerShape(res: RawResponse): Record<string, unknown> {
  const { kind, reason, message, details, code, text } = res.body as Record<string, unknown>;
  return kind === 'Status' ? { status: res.status, kind, reason, message, details, code } : { status: res.status, ...(text !== undefined ? { text } : { kind }) };
}
