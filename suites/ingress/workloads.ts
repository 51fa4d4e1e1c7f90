// The objects the ingress suite creates: distinct agnhost backends (so /hostname names the backend
// that answered), one Service each, the Ingresses the cases exercise, and a TLS Secret.
import { generate } from 'selfsigned';
import type { KubeObject } from '../../harness/kube/types.ts';
import { liveCell } from '../lib/conformance.ts';
import { RUN_LABEL, serverPod } from '../lib/workloads.ts';

export const INGRESS_CLASS = 'nginx';
export const CLIENT_POD = 'ingress-client';
/** Backends behind their own Service each; `pool` has three pods for cookie affinity. */
export const BACKENDS = ['backend-a', 'backend-b', 'backend-c', 'backend-default'] as const;
export type Backend = (typeof BACKENDS)[number];
export const POOL_PODS = ['pool-0', 'pool-1', 'pool-2'];
export const POOL_SERVICE = 'pool';
export const TLS_HOST = 'secure.example.test';
export const TLS_SECRET = 'secure-tls';
export const CORS_ORIGIN = 'https://app.example.test';
export const BODY_LIMIT = '1k';
export const AFFINITY_COOKIE = 'INGRESSCOOKIE';

const ANNOTATION = 'nginx.ingress.kubernetes.io/';

export interface TlsMaterial {
  cert: string;
  key: string;
}

/** A self-signed certificate for TLS_HOST (CN and SAN), usable as its own trust anchor. */
export async function tlsMaterial(): Promise<TlsMaterial> {
  const pems = await generate([{ name: 'commonName', value: TLS_HOST }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: TLS_HOST }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

function labels(extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [RUN_LABEL]: liveCell().runId };
}

function service(ns: string, name: string, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: labels() },
    spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] },
  };
}

interface PathRule {
  path: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  service: string;
}

function ingress(
  ns: string,
  name: string,
  opts: { host?: string; paths?: PathRule[]; annotations?: Record<string, string>; tls?: boolean; defaultBackend?: string },
): KubeObject {
  const backend = (svc: string) => ({ service: { name: svc, port: { number: 80 } } });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: ns,
      labels: labels(),
      ...(opts.annotations ? { annotations: Object.fromEntries(Object.entries(opts.annotations).map(([k, v]) => [`${ANNOTATION}${k}`, v])) } : {}),
    },
    spec: {
      ingressClassName: INGRESS_CLASS,
      ...(opts.defaultBackend ? { defaultBackend: backend(opts.defaultBackend) } : {}),
      ...(opts.tls && opts.host ? { tls: [{ hosts: [opts.host], secretName: TLS_SECRET }] } : {}),
      ...(opts.host && opts.paths
        ? { rules: [{ host: opts.host, http: { paths: opts.paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: backend(p.service) })) } }] }
        : {}),
    },
  };
}

const exactHostname = (service: string): PathRule[] => [{ path: '/hostname', pathType: 'Exact', service }];

/** Backends, Services, the client pod and the TLS Secret (everything but the Ingresses). */
export function ingressBackends(ns: string, tls: TlsMaterial): KubeObject[] {
  return [
    ...BACKENDS.map((name) => serverPod({ namespace: ns, name, labels: { backend: name, role: 'backend' } })),
    ...POOL_PODS.map((name) => serverPod({ namespace: ns, name, labels: { backend: POOL_SERVICE, role: 'backend' } })),
    ...BACKENDS.map((name) => service(ns, name, { backend: name })),
    service(ns, POOL_SERVICE, { backend: POOL_SERVICE }),
    serverPod({ namespace: ns, name: CLIENT_POD, labels: { role: 'client' } }),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: TLS_SECRET, namespace: ns, labels: labels() },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': tls.cert, 'tls.key': tls.key },
    },
  ];
}

/** The Ingresses the cases in cases.ts are written against. Host routing uses Exact paths so it does not depend on Prefix semantics. */
export function ingresses(ns: string): KubeObject[] {
  return [
    ingress(ns, 'host-a', { host: 'a.example.test', paths: exactHostname('backend-a') }),
    ingress(ns, 'host-b', { host: 'b.example.test', paths: exactHostname('backend-b') }),
    ingress(ns, 'default-backend', { defaultBackend: 'backend-default' }),
    ingress(ns, 'prefix-root', { host: 'prefix.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'backend-c' }] }),
    ingress(ns, 'prefix-elements', {
      host: 'elements.example.test',
      paths: [
        { path: '/host', pathType: 'Prefix', service: 'backend-b' },
        { path: '/', pathType: 'Prefix', service: 'backend-a' },
      ],
    }),
    ingress(ns, 'exact-over-prefix', {
      host: 'exact.example.test',
      paths: [
        { path: '/hostname', pathType: 'Exact', service: 'backend-b' },
        { path: '/', pathType: 'Prefix', service: 'backend-a' },
      ],
    }),
    ingress(ns, 'tls', { host: TLS_HOST, paths: exactHostname('backend-c'), tls: true }),
    ingress(ns, 'rewrite', {
      host: 'rewrite.example.test',
      paths: [{ path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'backend-a' }],
      annotations: { 'use-regex': 'true', 'rewrite-target': '/$2' },
    }),
    ingress(ns, 'body-size', { host: 'upload.example.test', paths: exactHostname('backend-b'), annotations: { 'proxy-body-size': BODY_LIMIT } }),
    ingress(ns, 'affinity', {
      host: 'sticky.example.test',
      paths: exactHostname(POOL_SERVICE),
      annotations: { affinity: 'cookie' },
    }),
    ingress(ns, 'cors', {
      host: 'cors.example.test',
      paths: exactHostname('backend-a'),
      annotations: { 'enable-cors': 'true', 'cors-allow-origin': CORS_ORIGIN },
    }),
  ];
}
