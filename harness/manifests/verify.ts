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

export async function verifyPin(pin: PinRef, opts: { fetchImpl?: typeof fetch } = {}): Promise<PinVerification> {
  const base = { ...(pin.id === undefined ? {} : { id: pin.id }), url: pin.url, expected: pin.sha256 };
  let actual: string;
  try {
    actual = sha256Hex(await readSource(pin.url, opts.fetchImpl));
  } catch (error) {
    return { ...base, status: 'error', message: (error as Error).message };
  }
  if (actual === pin.sha256) return { ...base, actual, status: 'ok', message: 'sha256 matches' };
  if (pin.sha256 === UNVERIFIED_SHA256) {
    return { ...base, actual, status: 'unverified', message: `no hash recorded; source hashes to ${actual} (review it, then record it)` };
  }
  return { ...base, actual, status: 'mismatch', message: `expected ${pin.sha256}, got ${actual}` };
}

/** Checks pins one at a time (they are few) so the report keeps the input order. */
export async function verifyPins(pins: PinRef[], opts: { fetchImpl?: typeof fetch } = {}): Promise<PinVerification[]> {
  const results: PinVerification[] = [];
  for (const pin of pins) results.push(await verifyPin(pin, opts));
  return results;
}
