// Files pods write through `sh -c "... > FILE"` (printf, head) and curl's certificate verification
// against what ingress-nginx presents for the SNI name (`--cacert FILE`, `-k`).
import { beforeAll, describe, expect, test } from '@jest/globals';
import { generate } from 'selfsigned';
import { addIngressController, execHarness, IPS, seededStore } from './testing/fixture.ts';
import type { KubeObject } from './apiserver/index.ts';
import { verifyPeer } from './dataplane/tls-verify.ts';
import { X509Certificate } from 'node:crypto';

const sh = (script: string) => ['/bin/sh', '-c', script];
const CA_FILE = '/tmp/cnimatrix-ingress-ca.pem';
const writeCa = (pem: string) => sh(`printf '%s' '${pem}' > ${CA_FILE}`);

describe('files written in a pod', () => {
  test("printf '%s' PEM > FILE stores the text exactly; cat reads it back; other pods do not see it", async () => {
    const h = execHarness(seededStore());
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\nAbC+/=\n-----END CERTIFICATE-----\n';
    expect(await h.run('y/c', writeCa(pem))).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect((await h.run('y/c', ['cat', CA_FILE])).stdout).toBe(pem);
    const elsewhere = await h.run('x/a', ['cat', CA_FILE]);
    expect(elsewhere.exitCode).toBe(1);
    expect(elsewhere.stderr).toBe(`cat: can't open '${CA_FILE}': No such file or directory\n`);
  });

  test('printf formats: escapes in the format only, format reuse, width and precision, %b, errors', async () => {
    const h = execHarness(seededStore());
    const out = async (...words: string[]) => h.run('y/c', ['printf', ...words]);
    expect((await out('a=%s b=%d\\n', 'x', '5')).stdout).toBe('a=x b=5\n');
    expect((await out('%s,', 'a', 'b', 'c')).stdout).toBe('a,b,c,');
    expect((await out('[%5s|%-3d|%03d|%.2s]', 'ab', '7', '-4', 'xyz')).stdout).toBe('[   ab|7  |-04|xy]');
    expect((await out('%s', 'a\\nb')).stdout).toBe('a\\nb');
    expect((await out('%b', 'a\\tb')).stdout).toBe('a\tb');
    expect((await out('100%%')).stdout).toBe('100%');
    expect(await out('%d', 'x')).toEqual({ stdout: '0', stderr: "printf: invalid number 'x'\n", exitCode: 1 });
    expect(await out('a%zb')).toEqual({ stdout: 'a', stderr: 'printf: %z: invalid format\n', exitCode: 1 });
  });

  test('head -c reads /dev/zero or a written file; a redirect truncates even when the command fails', async () => {
    const h = execHarness(seededStore());
    expect((await h.run('y/c', sh('head -c 512 /dev/zero > /tmp/cnimatrix-body-512'))).exitCode).toBe(0);
    expect((await h.run('y/c', ['cat', '/tmp/cnimatrix-body-512'])).stdout).toBe('\0'.repeat(512));
    await h.run('y/c', sh("printf 'one\\ntwo\\nthree\\n' > /tmp/lines"));
    expect((await h.run('y/c', ['head', '-c', '5', '/tmp/lines'])).stdout).toBe('one\nt');
    expect((await h.run('y/c', ['head', '-n', '2', '/tmp/lines'])).stdout).toBe('one\ntwo\n');
    const missing = await h.run('y/c', sh('nosuch > /tmp/lines'));
    expect(missing).toEqual({ stdout: '', stderr: 'sh: nosuch: not found\n', exitCode: 127 });
    expect((await h.run('y/c', ['cat', '/tmp/lines'])).stdout).toBe('');
    expect((await h.run('y/c', sh('printf x >'))).exitCode).toBe(2);
  });
});

interface Pems {
  cert: string;
  key: string;
}

async function certificate(cn: string, opts: { ca?: Pems; isCa?: boolean; san?: boolean; notAfter?: Date; notBefore?: Date } = {}): Promise<Pems> {
  const pems = await generate([{ name: 'commonName', value: cn }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...(opts.notBefore ? { notBeforeDate: opts.notBefore } : {}),
    ...(opts.notAfter ? { notAfterDate: opts.notAfter } : {}),
    ...(opts.ca ? { ca: { key: opts.ca.key, cert: opts.ca.cert } } : {}),
    extensions: [
      { name: 'basicConstraints', cA: opts.isCa ?? false },
      opts.isCa ? { name: 'keyUsage', keyCertSign: true, cRLSign: true } : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      ...(opts.san === false || opts.isCa ? [] : [{ name: 'subjectAltName' as const, altNames: [{ type: 2 as const, value: cn }] }]),
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

const HOST = 'secure.example.test';
const PLAIN_HOST = 'plain.example.test';

/** The controller, an Ingress for HOST with TLS from Secret x/cert, and one for PLAIN_HOST without TLS. */
function tlsStore(secret: Record<string, unknown>) {
  const store = seededStore();
  addIngressController(store);
  const rule = (host: string) => ({ host, http: { paths: [{ path: '/hostname', pathType: 'Exact', backend: { service: { name: 'svc', port: { number: 80 } } } }] } });
  const ingress = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'x' }, spec: { ingressClassName: 'nginx', ...spec } });
  store.put(ingress('secure', { tls: [{ hosts: [HOST], secretName: 'cert' }], rules: [rule(HOST)] }));
  store.put(ingress('plain', { rules: [rule(PLAIN_HOST)] }));
  store.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert', namespace: 'x' }, type: 'kubernetes.io/tls', ...secret });
  return store;
}

const https = (host: string, verify: string[]) => ['curl', '-sS', '-i', '--max-time', '2', ...verify, '--resolve', `${host}:443:${IPS.ingress}`, `https://${host}/hostname`];
const cacert = ['--cacert', CA_FILE];
const SELF_SIGNED = 'curl: (60) SSL certificate problem: self-signed certificate\nMore details here: https://curl.se/docs/sslcerts.html\n';

describe('curl --cacert against the certificate the controller presents for the SNI name', () => {
  let leaf: Pems;
  let other: Pems;
  let ca: Pems;
  let signed: Pems;
  beforeAll(async () => {
    [leaf, other, ca] = await Promise.all([certificate(HOST), certificate('other.example.test'), certificate('cnimatrix test CA', { isCa: true })]);
    signed = await certificate(HOST, { ca });
  });

  test('the Ingress certificate verifies for its host and the request is served', async () => {
    const h = execHarness(tlsStore({ stringData: { 'tls.crt': leaf.cert, 'tls.key': leaf.key } }));
    await h.run('y/c', writeCa(leaf.cert));
    const result = await h.run('y/c', https(HOST, cacert));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(result.stdout).toMatch(/\r\n\r\n[ab]$/);
  });

  test('Secret data (base64) is read like stringData', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const h = execHarness(tlsStore({ data: { 'tls.crt': b64(leaf.cert), 'tls.key': b64(leaf.key) } }));
    await h.run('y/c', writeCa(leaf.cert));
    expect((await h.run('y/c', https(HOST, cacert))).exitCode).toBe(0);
  });

  test('a different trusted certificate, or a host the controller has no certificate for: exit 60, self-signed', async () => {
    const h = execHarness(tlsStore({ stringData: { 'tls.crt': leaf.cert, 'tls.key': leaf.key } }));
    await h.run('y/c', writeCa(other.cert));
    const wrongCa = await h.run('y/c', https(HOST, cacert));
    expect(wrongCa.exitCode).toBe(60);
    expect(wrongCa.stderr.startsWith(SELF_SIGNED)).toBe(true);
    await h.run('y/c', writeCa(leaf.cert));
    const fake = await h.run('y/c', https(PLAIN_HOST, cacert));
    expect(fake.exitCode).toBe(60);
    expect(fake.stderr.startsWith(SELF_SIGNED)).toBe(true);
  });

  test('the controller rejects a Secret whose key does not match, or whose certificate does not cover the host', async () => {
    for (const secret of [{ 'tls.crt': leaf.cert, 'tls.key': other.key }, { 'tls.crt': other.cert, 'tls.key': other.key }]) {
      const h = execHarness(tlsStore({ stringData: secret }));
      await h.run('y/c', writeCa(secret['tls.crt']));
      const result = await h.run('y/c', https(HOST, cacert));
      expect(result.exitCode).toBe(60);
      expect(result.stderr.startsWith(SELF_SIGNED)).toBe(true);
    }
  });

  test('a CA-signed certificate verifies against the CA or against itself; without --cacert the system bundle does not know it', async () => {
    const h = execHarness(tlsStore({ stringData: { 'tls.crt': signed.cert, 'tls.key': signed.key } }));
    await h.run('y/c', writeCa(ca.cert));
    expect((await h.run('y/c', https(HOST, cacert))).exitCode).toBe(0);
    await h.run('y/c', writeCa(signed.cert));
    expect((await h.run('y/c', https(HOST, cacert))).exitCode).toBe(0);
    const system = await h.run('y/c', https(HOST, []));
    expect(system.exitCode).toBe(60);
    expect(system.stderr).toMatch(/^curl: \(60\) SSL certificate problem: unable to get local issuer certificate\n/);
  });

  test('-k skips verification; a missing CA file is exit 77', async () => {
    const h = execHarness(tlsStore({ stringData: { 'tls.crt': leaf.cert, 'tls.key': leaf.key } }));
    expect((await h.run('y/c', https(PLAIN_HOST, ['-k']))).stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const missing = await h.run('y/c', https(HOST, cacert));
    expect(missing).toEqual({ stdout: '', stderr: `curl: (77) error setting certificate file: ${CA_FILE}\n`, exitCode: 77 });
  });
});

describe("curl's checks of a presented chain (verifyPeer)", () => {
  test('host name: subjectAltName when present, else the subject CN', async () => {
    const [withSan, cnOnly] = await Promise.all([certificate('a.example.test'), certificate('a.example.test', { san: false })]);
    const chain = (p: Pems) => [new X509Certificate(p.cert)];
    expect(verifyPeer(chain(withSan), 'a.example.test', withSan.cert)).toBeUndefined();
    expect(verifyPeer(chain(withSan), 'b.example.test', withSan.cert)?.message).toMatch(/^curl: \(60\) SSL: no alternative certificate subject name matches target host name 'b\.example\.test'\n/);
    expect(verifyPeer(chain(cnOnly), 'a.example.test', cnOnly.cert)).toBeUndefined();
    expect(verifyPeer(chain(cnOnly), 'b.example.test', cnOnly.cert)?.message).toMatch(/^curl: \(60\) SSL: certificate subject name 'a\.example\.test' does not match target host name 'b\.example\.test'\n/);
  });

  test('validity dates and intermediates sent by the server', async () => {
    const day = 24 * 3600 * 1000;
    const expired = await certificate('old.example.test', { notBefore: new Date(Date.now() - 10 * day), notAfter: new Date(Date.now() - day) });
    expect(verifyPeer([new X509Certificate(expired.cert)], 'old.example.test', expired.cert)?.message).toMatch(/SSL certificate problem: certificate has expired\n/);
    const root = await certificate('root CA', { isCa: true });
    const intermediate = await certificate('intermediate CA', { isCa: true, ca: root });
    const server = await certificate('deep.example.test', { ca: intermediate });
    const presented = [server.cert, intermediate.cert].map((p) => new X509Certificate(p));
    expect(verifyPeer(presented, 'deep.example.test', root.cert)).toBeUndefined();
    expect(verifyPeer(presented.slice(0, 1), 'deep.example.test', root.cert)?.message).toMatch(/unable to get local issuer certificate/);
    const rootInChain = [...presented, new X509Certificate(root.cert)];
    expect(verifyPeer(rootInChain, 'deep.example.test', undefined)?.message).toMatch(/self-signed certificate in certificate chain/);
  });
});
