// Reads the lane's egress guard counters (engine.sh's chains) from iptables and ip6tables.
import { execFileSync } from 'node:child_process';

export interface GuardCounters {
  /** Packets the guard dropped: something tried to leave the lane's bridges, or to enter them. */
  dropped: number;
  /** DNS queries that reached the engine's upstream, the local sink, and were refused there. */
  dnsRefused: number;
}

function packets(table: 'iptables' | 'ip6tables', chain: string, target: string): number {
  const out = execFileSync(table, ['-w', '-nvxL', chain], { encoding: 'utf8' });
  let sum = 0;
  for (const line of out.split('\n').slice(2)) {
    const [pkts, , lineTarget] = line.trim().split(/\s+/);
    if (lineTarget === target) sum += Number(pkts);
  }
  return sum;
}

export function guardCounters(): GuardCounters {
  const tables = ['iptables', 'ip6tables'] as const;
  return {
    dropped: tables.reduce((sum, table) => sum + packets(table, 'CNML-LANE', 'DROP'), 0),
    dnsRefused: tables.reduce((sum, table) => sum + packets(table, 'CNML-LANE-IN', 'REJECT'), 0),
  };
}
