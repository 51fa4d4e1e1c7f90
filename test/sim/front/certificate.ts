// ingress-nginx's default certificate: self-signed, generated at controller start, served for
// every TLS server name no Ingress provides a valid certificate for.
import { generate } from 'selfsigned';
import type { Certificate } from './server.ts';

export const DEFAULT_CERTIFICATE_CN = 'Kubernetes Ingress Controller Fake Certificate';

export async function defaultIngressCertificate(): Promise<Certificate> {
  const pems = await generate(
    [
      { name: 'commonName', value: DEFAULT_CERTIFICATE_CN },
      { name: 'organizationName', value: 'Acme Co' },
    ],
    {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'ingress.local' }] },
      ],
    },
  );
  return { cert: pems.cert, key: pems.private };
}
