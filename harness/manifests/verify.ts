// `cnimatrix pins verify`: fetch every pin from its source (never the cache) and report each one.

import { UNVERIFIED_SHA256 } from '../../clusters/pin.ts';
import { readSource, sha256Hex, type PinRef } from './fetch.ts';

export type PinStatus = 'ok' | 'mismatch' | 'unverified' | 'error';

export interface PinVerification {
  id?: string;
  url: string;
  expected: string;
  /** sha256 of what the source served; absent when it could not be read. */
  actual?: string;
  status: PinStatus;
  message: string;
}

/** The hash a `sha256sum`-style checksum file gives: its first 64-hex field. */
export function publishedSha256(checksumFile: string): string | undefined {
  return checksumFile.match(/^\s*([0-9a-fA-F]{64})\b/m)?.[1]?.toLowerCase();
}

/** What the release's checksum file says, and whether the content agrees with it. */
async function checksumFileSays(pin: PinRef, actual: string, fetchImpl: typeof fetch | undefined): Promise<string> {
  if (pin.checksumSource === undefined) return '';
  let published: string | undefined;
  try {
    published = publishedSha256((await readSource(pin.checksumSource, fetchImpl)).toString('utf8'));
  } catch (error) {
    return `; the release checksum file ${pin.checksumSource} could not be read: ${(error as Error).message}`;
  }
  if (published === undefined) return `; the release checksum file ${pin.checksumSource} holds no sha256`;
  return published === actual
    ? `; the release checksum file ${pin.checksumSource} publishes the same hash`
    : `; the release checksum file ${pin.checksumSource} publishes ${published}, which the content does not match: do not record it`;
}

export async function verifyPin(pin: PinRef, opts: { fetchImpl?: typeof fetch } = {}): Promise<PinVerification> {
  const base = { ...(pin.id === undefined ? {} : { id: pin.id }), url: pin.url, expected: pin.sha256 };
  let actual: string;
  try {
    actual = sha256Hex(await readSource(pin.url, opts.fetchImpl));
  } catch (error) {
    return { ...base, status: 'error', message: (error as Error).message };
  }
  const published = await checksumFileSays(pin, actual, opts.fetchImpl);
  if (actual === pin.sha256) return { ...base, actual, status: 'ok', message: `sha256 matches${published}` };
  if (pin.sha256 === UNVERIFIED_SHA256) {
    return { ...base, actual, status: 'unverified', message: `no hash recorded; source hashes to ${actual}${published} (review it, then record it)` };
  }
  return { ...base, actual, status: 'mismatch', message: `expected ${pin.sha256}, got ${actual}${published}` };
}

/** Checks pins one at a time (they are few) so the report keeps the input order. */
export async function verifyPins(pins: PinRef[], opts: { fetchImpl?: typeof fetch } = {}): Promise<PinVerification[]> {
  const results: PinVerification[] = [];
  for (const pin of pins) results.push(await verifyPin(pin, opts));
  return results;
}
