// Reads one regular file out of a .tgz (ustar/GNU/pax headers), enough for release tarballs such
// as containernetworking's cni-plugins.

import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

function octal(header: Buffer, start: number, length: number): number {
  const text = field(header, start, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function normalize(name: string): string {
  return name.replace(/^\.\//, '').replace(/\/$/, '');
}

function paxPath(body: Buffer): string | undefined {
  for (const line of body.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(line);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

/** The bytes of `member` in the gzipped tarball, or undefined when it has no such regular file. */
export function extractTarMember(tgz: Uint8Array, member: string): Buffer | undefined {
  const tar = gunzipSync(tgz);
  const wanted = normalize(member);
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return undefined;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const bodyStart = offset + BLOCK;
    const body = tar.subarray(bodyStart, bodyStart + size);
    offset = bodyStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'L') {
      longName = field(body, 0, body.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(body);
      continue;
    }
    const prefix = field(header, 345, 155);
    const shortName = field(header, 0, 100);
    const name = longName ?? (prefix === '' ? shortName : `${prefix}/${shortName}`);
    longName = undefined;
    if ((type === '0' || type === '\0') && normalize(name) === wanted) return Buffer.from(body);
  }
  return undefined;
}
