// curl's TLS peer verification (OpenSSL backend) against the certificate chain a server presents:
// chain building to a trust anchor from --cacert (curl sets X509_V_FLAG_PARTIAL_CHAIN, so a leaf
// listed in the file is itself trusted), validity dates, then curl's own host name check.
import { X509Certificate } from 'node:crypto';

export interface TlsFailure {
  exitCode: number;
  message: string;
}

/** What curl prints after every peer-verification failure (exit 60). */
const VERIFY_HINT =
  'More details here: https://curl.se/docs/sslcerts.html\n\n' +
  'curl failed to verify the legitimacy of the server and therefore could not\n' +
  'establish a secure connection to it. To learn more about this situation and\n' +
  'how to fix it, please visit the webpage mentioned above.\n';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM bundle, in order; blocks that do not parse are skipped (as OpenSSL's loader does). */
export function parseCertificates(pem: string): X509Certificate[] {
  return (pem.match(PEM_BLOCK) ?? []).flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}

function peerFailure(text: string): TlsFailure {
  return { exitCode: 60, message: `curl: (60) ${text}\n${VERIFY_HINT}` };
}

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** OpenSSL's self-signed test: issuer = subject and its own key verifies it (keyUsage plays no part). */
function selfSigned(cert: X509Certificate): boolean {
  return cert.issuer === cert.subject && cert.verify(cert.publicKey);
}

/** OpenSSL's chain verdict: undefined when the chain reaches a trusted certificate, else its error text. */
function chainError(presented: X509Certificate[], trusted: X509Certificate[], now: Date): string | undefined {
  const [leaf, ...untrusted] = presented;
  if (!leaf) return 'unable to get local issuer certificate';
  const path: X509Certificate[] = [];
  let current = leaf;
  for (;;) {
    path.push(current);
    if (trusted.some((t) => t.raw.equals(current.raw) || signedBy(current, t))) break;
    if (selfSigned(current)) return path.length === 1 ? 'self-signed certificate' : 'self-signed certificate in certificate chain';
    const next = untrusted.find((u) => !path.includes(u) && signedBy(current, u));
    if (!next) return path.length === 1 ? 'unable to get local issuer certificate' : 'unable to get issuer certificate';
    current = next;
  }
  for (const cert of path) {
    if (new Date(cert.validFrom) > now) return 'certificate is not yet valid';
    if (new Date(cert.validTo) < now) return 'certificate has expired';
  }
  return undefined;
}

function commonName(cert: X509Certificate): string | undefined {
  return /^CN=(.*)$/m.exec(cert.subject)?.[1];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** curl's host check (ossl_verifyhost): subjectAltName entries when there are any, else the subject CN. */
function hostError(leaf: X509Certificate, host: string): string | undefined {
  const matched = IPV4.test(host) ? leaf.checkIP(host) !== undefined : leaf.checkHost(host) !== undefined;
  if (matched) return undefined;
  if (/(^|, )(DNS|IP Address):/.test(leaf.subjectAltName ?? '')) return `SSL: no alternative certificate subject name matches target host name '${host}'`;
  const cn = commonName(leaf);
  if (cn === undefined) return 'SSL: unable to obtain common name from peer certificate';
  return `SSL: certificate subject name '${cn}' does not match target host name '${host}'`;
}

/**
 * curl's verdict on a presented chain (leaf first) for `host`, trusting the certificates in
 * `trustedPem` (the --cacert file; undefined → the system bundle, which signs nothing in a cluster).
 * undefined: verified.
 */
export function verifyPeer(presented: X509Certificate[], host: string, trustedPem: string | undefined, now = new Date()): TlsFailure | undefined {
  const trusted = trustedPem === undefined ? [] : parseCertificates(trustedPem);
  const chain = chainError(presented, trusted, now);
  if (chain) return peerFailure(`SSL certificate problem: ${chain}`);
  const name = hostError(presented[0]!, host);
  return name ? peerFailure(name) : undefined;
}

/** curl's error when the --cacert file cannot be loaded (missing, or no certificate in it). */
export function caFileFailure(path: string): TlsFailure {
  return { exitCode: 77, message: `curl: (77) error setting certificate file: ${path}\n` };
}

/**
 * curl's verdict on ingress-nginx's default "Kubernetes Ingress Controller Fake Certificate": it is
 * self-signed and generated in the controller, so no client trusts it.
 */
export function defaultCertificateFailure(): TlsFailure {
  return peerFailure('SSL certificate problem: self-signed certificate');
}
