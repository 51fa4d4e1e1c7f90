// Fetches pinned artifacts and refuses any byte that does not match the pin's sha256. Content is
// cached by hash (<cacheDir>/<sha256>) and re-hashed on every use, so a corrupted cache can never
// be applied.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UNVERIFIED_SHA256 } from '../../clusters/pin.ts';
import { BadInputError, CnimatrixError, ExitCode } from '../model/errors.ts';
import { writeFileAtomic } from './atomic-write.ts';

export interface PinRef {
  url: string;
  sha256: string;
  /** Manifest id, named in errors so the user knows which override to set. */
  id?: string;
  /** How the sha256 was obtained (shown by `pins verify`). */
  provenance?: string;
  /** The release's own checksum file, where it publishes one. */
  checksumSource?: string;
}

export interface FetchOptions {
  cacheDir: string;
  fetchImpl?: typeof fetch;
  /** Told about recoverable surprises, e.g. a corrupted cache entry that was discarded. */
  log?: (message: string) => void;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkPinShape(pin: PinRef): void {
  if (!SHA256_HEX.test(pin.sha256)) {
    throw new BadInputError(
      `invalid sha256 "${pin.sha256}" for ${pin.url}${pin.id === undefined ? '' : ` (manifest ${pin.id})`}`,
      'a sha256 is 64 lower-case hex characters, e.g. the first field of `sha256sum <file>`',
    );
  }
}

function overrideHint(pin: PinRef): string {
  const where = pin.id === undefined ? 'clusters/versions.ts' : `clusters/versions.ts, or override it in the run config under overrides.manifests.${pin.id}`;
  return `review the content, then record its sha256 in ${where}; see docs/pins.md`;
}

export function hashMismatchError(pin: PinRef, actual: string): CnimatrixError {
  if (pin.sha256 === UNVERIFIED_SHA256) {
    return new CnimatrixError(
      `no verified sha256 is recorded for ${pin.url} (the pin holds the unverified placeholder); the downloaded content hashes to ${actual}`,
      { exitCode: ExitCode.infrastructure, hint: overrideHint(pin) },
    );
  }
  return new CnimatrixError(
    `sha256 mismatch for ${pin.url}: expected ${pin.sha256}, got ${actual}`,
    { exitCode: ExitCode.infrastructure, hint: `the file changed upstream or the pin is wrong: check the pin, ${overrideHint(pin)}` },
  );
}

/** "fetch failed: getaddrinfo ENOTFOUND example.org": fetch hides the reason in its cause. */
function downloadFailure(error: Error): string {
  const reason = error.cause instanceof Error ? error.cause.message : undefined;
  return reason && !error.message.includes(reason) ? `${error.message}: ${reason}` : error.message;
}

/**
 * Reads the URL without any cache. https:// and file:// only. `offlinePath` is where a file with
 * the pinned content would be taken from instead, named in the hint when the download fails.
 */
export async function readSource(url: string, fetchImpl: typeof fetch = fetch, offlinePath?: string): Promise<Buffer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadInputError(`invalid pin URL "${url}"`, 'use an https:// or file:// URL');
  }
  if (parsed.protocol === 'file:') {
    try {
      return await readFile(fileURLToPath(parsed));
    } catch (cause) {
      throw new CnimatrixError(`cannot read pinned file ${url}: ${(cause as Error).message}`, {
        exitCode: ExitCode.infrastructure,
        hint: 'check that the file exists, or point the override (overrides.manifests.<id>) at one that does',
        cause,
      });
    }
  }
  if (parsed.protocol !== 'https:') {
    throw new BadInputError(`unsupported scheme "${parsed.protocol}" in pin URL ${url}`, 'use an https:// or file:// URL');
  }
  let response: Response;
  try {
    response = await fetchImpl(url, { redirect: 'follow' });
  } catch (cause) {
    const offline = offlinePath ? `, or for an offline run put the file it serves at ${offlinePath}` : '';
    throw new CnimatrixError(`cannot download ${url}: ${downloadFailure(cause as Error)}`, {
      exitCode: ExitCode.infrastructure,
      hint: `check network access (behind a proxy set HTTPS_PROXY, and NO_PROXY for hosts to reach directly)${offline}`,
      cause,
    });
  }
  if (!response.ok) {
    throw new CnimatrixError(`cannot download ${url}: HTTP ${response.status} ${response.statusText}`, {
      exitCode: ExitCode.infrastructure,
      hint: 'check that the pinned version still exists upstream, or override the pin',
    });
  }
  return Buffer.from(await response.arrayBuffer());
}

async function readCached(path: string, pin: PinRef, log: FetchOptions['log']): Promise<Buffer | undefined> {
  let cached: Buffer;
  try {
    cached = await readFile(path);
  } catch {
    return undefined;
  }
  const actual = sha256Hex(cached);
  if (actual === pin.sha256) return cached;
  log?.(`cache entry ${path} for ${pin.url} is corrupted (hashes to ${actual}); discarding it and fetching again`);
  await rm(path, { force: true });
  return undefined;
}

/** The pinned bytes, from the cache or the source, always checked against the pin's sha256. */
export async function fetchPinnedBytes(pin: PinRef, opts: FetchOptions): Promise<Buffer> {
  checkPinShape(pin);
  const cachePath = join(opts.cacheDir, pin.sha256);
  const cached = await readCached(cachePath, pin, opts.log);
  if (cached !== undefined) return cached;

  const fresh = await readSource(pin.url, opts.fetchImpl, cachePath);
  const actual = sha256Hex(fresh);
  if (actual !== pin.sha256) throw hashMismatchError(pin, actual);

  await mkdir(opts.cacheDir, { recursive: true });
  await writeFileAtomic(cachePath, fresh);
  return fresh;
}

/** The pinned text (UTF-8), e.g. a manifest. */
export async function fetchPinned(pin: PinRef, opts: FetchOptions): Promise<string> {
  return (await fetchPinnedBytes(pin, opts)).toString('utf8');
}
