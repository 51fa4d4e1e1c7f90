import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The cnimatrix version from the package manifest, recorded in every report. */
export function cnimatrixVersion(): string {
  if (cached === undefined) {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    cached = typeof manifest.version === 'string' ? manifest.version : 'unknown';
  }
  return cached;
}
