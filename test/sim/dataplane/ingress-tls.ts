// The certificate ingress-nginx presents for an SNI name: the TLS Secret of the server (Ingress
// rule host) the name selects, chosen and validated as the controller's createServers and
// extractTLSSecretName do; its built-in "Kubernetes Ingress Controller Fake Certificate" otherwise.
import { createPrivateKey, createPublicKey, type X509Certificate } from 'node:crypto';
import type { KubeObject } from '../apiserver/index.ts';
import type { DataplaneContext } from './context.ts';
import { servedIngresses, wildcardMatches } from './ingress.ts';
import { parseCertificates } from './tls-verify.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface ServedCertificate {
  /** tls.crt of the Secret, leaf first (intermediates follow as the Secret lists them). */
  chain: X509Certificate[];
  /** "namespace/name" of the Secret. */
  secret: string;
  /** tls.key of the Secret (PEM), for servers that present the certificate. */
  key: string;
}

function ruleHosts(ing: KubeObject): string[] {
  return arr(obj(ing.spec).rules).flatMap((r) => {
    const host = obj(r).host;
    return typeof host === 'string' && host !== '' ? [host.toLowerCase()] : [];
  });
}

/** A Secret value from `data` (base64) or `stringData` (objects written without the API server's conversion). */
function secretValue(secret: KubeObject, key: string): string | undefined {
  const data = obj(secret.data)[key];
  if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
  const plain = obj(secret.stringData)[key];
  return typeof plain === 'string' ? plain : undefined;
}

function keyMatches(leaf: X509Certificate, keyPem: string): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    return fromKey.equals(leaf.publicKey.export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}

/** The controller's local SSL certificate for a Secret: needs tls.crt and a tls.key that belongs to it. */
function localCertificate(ctx: DataplaneContext, namespace: string, name: string): ServedCertificate | undefined {
  const secret = ctx.state.secrets.find((s) => s.metadata.namespace === namespace && s.metadata.name === name);
  if (!secret) return undefined;
  const chain = parseCertificates(secretValue(secret, 'tls.crt') ?? '');
  const key = secretValue(secret, 'tls.key');
  if (!chain[0] || !key || !keyMatches(chain[0], key)) return undefined;
  return { chain, secret: `${namespace}/${name}`, key };
}

/** Go's VerifyHostname as the controller calls it with a server name (a `*.` server name compares literally). */
function covers(cert: X509Certificate, serverName: string): boolean {
  if (!serverName.startsWith('*.')) return cert.checkHost(serverName) !== undefined;
  const names = (cert.subjectAltName ?? '').split(', ').filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4).toLowerCase());
  return names.includes(serverName);
}

/** extractTLSSecretName: a TLS section listing the host, else any TLS Secret whose certificate covers it. */
function tlsSecretName(ctx: DataplaneContext, ing: KubeObject, serverName: string): string | undefined {
  const sections = arr(obj(ing.spec).tls).map(obj);
  const listed = sections.find((t) => arr(t.hosts).some((h) => String(h).toLowerCase() === serverName));
  if (listed) return typeof listed.secretName === 'string' && listed.secretName !== '' ? listed.secretName : undefined;
  for (const t of sections) {
    if (typeof t.secretName !== 'string' || t.secretName === '') continue;
    const cert = localCertificate(ctx, ing.metadata.namespace ?? 'default', t.secretName);
    if (cert && covers(cert.chain[0]!, serverName)) return t.secretName;
  }
  return undefined;
}

/** The certificate for a server: the first of its Ingresses with a TLS section decides. */
function serverCertificate(ctx: DataplaneContext, serverName: string, ingresses: KubeObject[]): ServedCertificate | undefined {
  const withTls = ingresses.find((ing) => arr(obj(ing.spec).tls).length > 0);
  if (!withTls) return undefined;
  const name = tlsSecretName(ctx, withTls, serverName);
  if (!name) return undefined;
  const cert = localCertificate(ctx, withTls.metadata.namespace ?? 'default', name);
  // A certificate that does not cover the server name is rejected in favour of the default one.
  return cert && covers(cert.chain[0]!, serverName) ? cert : undefined;
}

/**
 * What the controller presents for an SNI name (exact server name, then a `*.` wildcard server);
 * undefined means its default fake certificate (no SNI, no server, no usable Secret).
 */
export function servedCertificate(ctx: DataplaneContext, sni: string | undefined): ServedCertificate | undefined {
  if (!sni) return undefined;
  const name = sni.toLowerCase();
  const ingresses = servedIngresses(ctx);
  const exact = ingresses.filter((ing) => ruleHosts(ing).includes(name));
  if (exact.length > 0) return serverCertificate(ctx, name, exact);
  const wildcard = ingresses.flatMap((ing) => ruleHosts(ing).filter((h) => wildcardMatches(h, name)).map((h) => ({ ing, h })));
  const server = wildcard[0]?.h;
  if (!server) return undefined;
  return serverCertificate(ctx, server, wildcard.filter((w) => w.h === server).map((w) => w.ing));
}
