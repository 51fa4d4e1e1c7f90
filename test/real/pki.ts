// Certificates, keys, tokens and kubeconfigs for a throwaway control plane: one CA signs the API
// server's serving certificate and the admin's client certificate (group system:masters). EC keys
// keep generation in the milliseconds.
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface Pki {
  caCert: string;
  /** Paths of the files the components read. */
  files: {
    caCert: string;
    servingCert: string;
    servingKey: string;
    serviceAccountKey: string;
    serviceAccountPub: string;
    tokens: string;
  };
  admin: { cert: string; key: string };
}

/** A user the token file knows but RBAC grants nothing beyond discovery. */
export const UNPRIVILEGED = { user: 'cnimatrix-nobody', token: 'cnimatrix-nobody-token' } as const;

const DAY_MS = 24 * 60 * 60 * 1000;

function validity(): { notBeforeDate: Date; notAfterDate: Date } {
  const now = Date.now();
  // An hour back: a clock a little behind must not find the certificates "not yet valid".
  return { notBeforeDate: new Date(now - 60 * 60 * 1000), notAfterDate: new Date(now + DAY_MS) };
}

const EC = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

async function signedBy(ca: { cert: string; key: string }, subject: Array<{ name: string; value: string }>, extensions: NonNullable<Parameters<typeof generate>[1]>['extensions']): Promise<{ cert: string; key: string }> {
  const pems = await generate(subject, { ...EC, ...validity(), ca, extensions });
  return { cert: pems.cert, key: pems.private };
}

export async function createPki(dir: string): Promise<Pki> {
  const caPems = await generate([{ name: 'commonName', value: 'cnimatrix-real-ca' }], {
    ...EC,
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const ca = { cert: caPems.cert, key: caPems.private };
  const serving = await signedBy(ca, [{ name: 'commonName', value: 'kube-apiserver' }], [
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
  ]);
  const admin = await signedBy(ca, [{ name: 'commonName', value: 'cnimatrix-admin' }, { name: 'organizationName', value: 'system:masters' }], [
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  const serviceAccount = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  const files: Pki['files'] = {
    caCert: join(dir, 'ca.crt'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
    tokens: join(dir, 'tokens.csv'),
  };
  await Promise.all([
    writeFile(files.caCert, ca.cert),
    writeFile(files.servingCert, serving.cert),
    writeFile(files.servingKey, serving.key, { mode: 0o600 }),
    writeFile(files.serviceAccountKey, serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 }),
    writeFile(files.serviceAccountPub, serviceAccount.publicKey.export({ type: 'spki', format: 'pem' })),
    // token,user,uid: no groups, so RBAC gives only what system:authenticated gets.
    writeFile(files.tokens, `${UNPRIVILEGED.token},${UNPRIVILEGED.user},1001\n`, { mode: 0o600 }),
  ]);
  return { caCert: ca.cert, files, admin };
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** A kubeconfig for `server`: the admin's client certificate, or a bearer token. */
export function kubeconfigYaml(server: string, caCert: string, user: { cert: string; key: string } | { token: string }, name = 'cnimatrix-real'): string {
  const credentials = 'token' in user
    ? [`    token: ${user.token}`]
    : [`    client-certificate-data: ${b64(user.cert)}`, `    client-key-data: ${b64(user.key)}`];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(caCert)}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `current-context: ${name}`,
    'users:',
    `- name: ${name}`,
    '  user:',
    ...credentials,
    '',
  ].join('\n');
}
