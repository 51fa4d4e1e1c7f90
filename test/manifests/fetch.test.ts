import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UNVERIFIED_SHA256 } from '../../clusters/pin.ts';
import { CnimatrixError } from '../../harness/model/errors.ts';
import { fetchPinned, verifyPins } from '../../harness/manifests/index.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const CONTENT = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n';

let dir: string;
let cacheDir: string;
let fileUrl: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cnimatrix-fetch-'));
  cacheDir = join(dir, 'cache');
  await writeFile(join(dir, 'manifest.yaml'), CONTENT);
  fileUrl = pathToFileURL(join(dir, 'manifest.yaml')).href;
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function caught(promise: Promise<unknown>): Promise<CnimatrixError> {
  try {
    await promise;
  } catch (error) {
    return error as CnimatrixError;
  }
  throw new Error('expected a rejection');
}

describe('fetchPinned', () => {
  test('returns matching file:// content and stores it under its sha256', async () => {
    const text = await fetchPinned({ url: fileUrl, sha256: sha(CONTENT) }, { cacheDir });
    expect(text).toBe(CONTENT);
    expect(await readFile(join(cacheDir, sha(CONTENT)), 'utf8')).toBe(CONTENT);
  });

  test('a mismatch is an infrastructure error naming URL, both hashes and what to do', async () => {
    const expected = sha('something else');
    const error = await caught(fetchPinned({ url: fileUrl, sha256: expected, id: 'flannel' }, { cacheDir }));
    expect(error).toBeInstanceOf(CnimatrixError);
    expect(error.exitCode).toBe(4);
    expect(error.message).toBe(`sha256 mismatch for ${fileUrl}: expected ${expected}, got ${sha(CONTENT)}`);
    expect(error.hint).toMatch(/check the pin/);
    expect(error.hint).toMatch(/overrides\.manifests\.flannel/);
    await expect(stat(join(cacheDir, expected))).rejects.toThrow();
    await expect(stat(join(cacheDir, sha(CONTENT)))).rejects.toThrow();
  });

  test('the unverified placeholder is refused with the real hash to record', async () => {
    const error = await caught(fetchPinned({ url: fileUrl, sha256: UNVERIFIED_SHA256, id: 'cilium' }, { cacheDir }));
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain('no verified sha256 is recorded');
    expect(error.message).toContain(sha(CONTENT));
  });

  test('a cache hit is served without the source, after re-hashing it', async () => {
    const pin = { url: fileUrl, sha256: sha(CONTENT) };
    await fetchPinned(pin, { cacheDir });
    await rm(join(dir, 'manifest.yaml'));
    expect(await fetchPinned(pin, { cacheDir })).toBe(CONTENT);
  });

  test('a corrupted cache entry is detected, discarded and refetched from the source', async () => {
    const pin = { url: fileUrl, sha256: sha(CONTENT) };
    await fetchPinned(pin, { cacheDir });
    await writeFile(join(cacheDir, pin.sha256), 'tampered');
    const logs: string[] = [];
    expect(await fetchPinned(pin, { cacheDir, log: (m) => logs.push(m) })).toBe(CONTENT);
    expect(logs.join('\n')).toMatch(/is corrupted \(hashes to [0-9a-f]{64}\)/);
    expect(await readFile(join(cacheDir, pin.sha256), 'utf8')).toBe(CONTENT);
  });

  test('a corrupted cache with the source gone fails instead of serving tampered bytes', async () => {
    const pin = { url: fileUrl, sha256: sha(CONTENT) };
    await fetchPinned(pin, { cacheDir });
    await writeFile(join(cacheDir, pin.sha256), 'tampered');
    await rm(join(dir, 'manifest.yaml'));
    const error = await caught(fetchPinned(pin, { cacheDir }));
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain(`cannot read pinned file ${fileUrl}`);
  });

  test('https:// goes through fetchImpl and is hash-checked too', async () => {
    const urls: string[] = [];
    const fetchImpl = (async (url: string) => {
      urls.push(url);
      return new Response(CONTENT, { status: 200 });
    }) as unknown as typeof fetch;
    const url = 'https://example.invalid/m.yaml';
    expect(await fetchPinned({ url, sha256: sha(CONTENT) }, { cacheDir, fetchImpl })).toBe(CONTENT);
    expect(urls).toEqual([url]);
    await expect(fetchPinned({ url: 'https://example.invalid/other', sha256: sha('x') }, { cacheDir, fetchImpl })).rejects.toThrow(/sha256 mismatch/);
  });

  test('a failed download names the cause fetch hides and the cache path an offline copy goes to', async () => {
    const unreachable = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND example.invalid') });
    }) as unknown as typeof fetch;
    const pin = { url: 'https://example.invalid/x', sha256: sha('x') };
    const error = await caught(fetchPinned(pin, { cacheDir, fetchImpl: unreachable }));
    expect(error.exitCode).toBe(4);
    expect(error.message).toBe('cannot download https://example.invalid/x: fetch failed: getaddrinfo ENOTFOUND example.invalid');
    expect(error.hint).toContain(`put the file it serves at ${join(cacheDir, sha('x'))}`);
    expect(error.hint).toContain('HTTPS_PROXY');
  });

  test('HTTP errors and unsupported schemes are explained', async () => {
    const notFound = (async () => new Response('nope', { status: 404, statusText: 'Not Found' })) as unknown as typeof fetch;
    await expect(fetchPinned({ url: 'https://example.invalid/x', sha256: sha('x') }, { cacheDir, fetchImpl: notFound })).rejects.toThrow(
      'cannot download https://example.invalid/x: HTTP 404 Not Found',
    );
    const http = await caught(fetchPinned({ url: 'http://example.invalid/x', sha256: sha('x') }, { cacheDir }));
    expect(http.exitCode).toBe(2);
    expect(http.message).toContain('unsupported scheme "http:"');
  });

  test('a malformed sha256 is bad input', async () => {
    const error = await caught(fetchPinned({ url: fileUrl, sha256: 'ABC' }, { cacheDir }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('invalid sha256 "ABC"');
  });
});

describe('verifyPins', () => {
  test('reports ok, mismatch, unverified and unreadable pins in order, bypassing the cache', async () => {
    const results = await verifyPins([
      { id: 'good', url: fileUrl, sha256: sha(CONTENT) },
      { id: 'bad', url: fileUrl, sha256: sha('other') },
      { id: 'placeholder', url: fileUrl, sha256: UNVERIFIED_SHA256 },
      { id: 'missing', url: pathToFileURL(join(dir, 'absent.yaml')).href, sha256: sha(CONTENT) },
    ]);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['good', 'ok'],
      ['bad', 'mismatch'],
      ['placeholder', 'unverified'],
      ['missing', 'error'],
    ]);
    expect(results[1]?.actual).toBe(sha(CONTENT));
    expect(results[1]?.message).toBe(`expected ${sha('other')}, got ${sha(CONTENT)}`);
    expect(results[3]?.message).toContain('cannot read pinned file');
  });

  test("an unverified pin is compared with the release's own checksum file, which is never taken on trust", async () => {
    const checksumFile = async (name: string, text: string) => {
      await writeFile(join(dir, name), text);
      return pathToFileURL(join(dir, name)).href;
    };
    const agreeing = await checksumFile('agree.sha256sum', `${sha(CONTENT)}  cilium-linux-amd64.tar.gz\n`);
    const disagreeing = await checksumFile('disagree.sha256sum', `${sha('other')}  cilium-linux-amd64.tar.gz\n`);
    const empty = await checksumFile('empty.sha256sum', 'not a checksum\n');
    const results = await verifyPins([
      { id: 'agrees', url: fileUrl, sha256: UNVERIFIED_SHA256, checksumSource: agreeing },
      { id: 'disagrees', url: fileUrl, sha256: UNVERIFIED_SHA256, checksumSource: disagreeing },
      { id: 'empty', url: fileUrl, sha256: UNVERIFIED_SHA256, checksumSource: empty },
      { id: 'recorded', url: fileUrl, sha256: sha(CONTENT), checksumSource: agreeing },
    ]);
    expect(results.map((r) => r.status)).toEqual(['unverified', 'unverified', 'unverified', 'ok']);
    expect(results[0]?.message).toBe(`no hash recorded; source hashes to ${sha(CONTENT)}; the release checksum file ${agreeing} publishes the same hash (review it, then record it)`);
    expect(results[1]?.message).toContain(`publishes ${sha('other')}, which the content does not match: do not record it`);
    expect(results[2]?.message).toContain('holds no sha256');
    expect(results[3]?.message).toBe(`sha256 matches; the release checksum file ${agreeing} publishes the same hash`);
  });
});
