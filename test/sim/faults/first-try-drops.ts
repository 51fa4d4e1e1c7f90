// A lossy path: the first connection on 2 % of paths (source, destination, port, protocol) is
// dropped, as a lost SYN or datagram is; every later attempt on that path gets through. Which
// paths lose their first try follows from a hash of the path, so a run is reproducible.
import { createHash } from 'node:crypto';
import type { ConnectionAttempt } from './types.ts';
import type { SimFault } from './types.ts';

export const FIRST_TRY_DROP_PERCENT = 2;

const tried = new Set<string>();
let dropped = 0;

function pathKey(a: ConnectionAttempt): string {
  return `${a.fromIp}>${a.toIp}:${a.port}/${a.protocol}`;
}

/** Whether the path's first try is one of the dropped ones. */
export function losesFirstTry(key: string): boolean {
  return createHash('sha256').update(key).digest().readUInt16BE(0) % 100 < FIRST_TRY_DROP_PERCENT;
}

export const firstTryDrops: SimFault = {
  name: 'first-try-drops',
  description: `The first connection on ${FIRST_TRY_DROP_PERCENT} % of paths (source, destination, port, protocol) is dropped; retries get through.`,
  connection(attempt, verdict) {
    if (verdict.outcome !== 'connected') return verdict;
    const key = pathKey(attempt);
    if (tried.has(key)) return verdict;
    tried.add(key);
    if (!losesFirstTry(key)) return verdict;
    dropped++;
    return { ...verdict, outcome: 'timeout', reason: 'first try dropped' };
  },
  effects: () => dropped,
};
