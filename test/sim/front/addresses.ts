// The simulated nodes' addresses on a Docker network: picked from the top of its subnet (Docker
// hands container addresses out from the bottom), added as /32s to the network's bridge on this
// host so containers reach them, and removed again. What was claimed is recorded in the cluster's
// state directory (front.json) so a cluster process killed without cleanup can be cleaned up after.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir } from '../kind/state.ts';
import { intToIpv4, ipv4ToInt } from '../cluster/seed.ts';
import type { DockerNetwork } from './docker-network.ts';

export type FrontRecord =
  | { active: true; network: string; bridge: string; nodes: { name: string; ip: string }[]; released: boolean }
  | { active: false; network: string; reason: string };

/** How many free-looking addresses to try (others may be held by other cells on the network). */
const MAX_CANDIDATES = 256;

export function frontFile(home: string, name: string): string {
  return join(clusterDir(home, name), 'front.json');
}

export function readFrontRecord(home: string, name: string): FrontRecord | undefined {
  const file = frontFile(home, name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as FrontRecord) : undefined;
}

export function writeFrontRecord(home: string, name: string, record: FrontRecord): void {
  const file = frontFile(home, name);
  writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2));
  renameSync(`${file}.tmp`, file);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToInt(base!) / size) * size;
  const n = ipv4ToInt(ip);
  return n >= start && n < start + size;
}

/** Addresses of the subnet from the top down, minus broadcast, gateway, containers and Docker's ip-range. */
export function* candidateAddresses(net: DockerNetwork): Generator<string> {
  const [base, bits] = net.subnet.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToInt(base!) / size) * size;
  const taken = new Set([net.gateway, ...net.containerIps]);
  let offered = 0;
  for (let n = start + size - 2; n > start && offered < MAX_CANDIDATES; n--) {
    const ip = intToIpv4(n);
    if (taken.has(ip) || (net.ipRange && inCidr(ip, net.ipRange))) continue;
    offered++;
    yield ip;
  }
}

function ipCommand(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5_000 });
}

function stderrOf(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr || (error instanceof Error ? error.message : String(error));
}

/**
 * Adds `count` free addresses to the bridge and returns them. An address another cell already
 * holds ("File exists") is skipped; any other failure removes what was added and throws.
 */
export function claimAddresses(net: DockerNetwork, count: number): string[] {
  const claimed: string[] = [];
  for (const ip of candidateAddresses(net)) {
    if (claimed.length === count) break;
    try {
      ipCommand(['addr', 'add', `${ip}/32`, 'dev', net.bridge]);
      claimed.push(ip);
    } catch (error) {
      const reason = stderrOf(error);
      // Another cell took it first (the kernel refuses a duplicate atomically); try the next one.
      if (/File exists|already assigned/i.test(reason)) continue;
      releaseAddresses(net.bridge, claimed);
      throw new Error(`\`ip addr add ${ip}/32 dev ${net.bridge}\` failed: ${reason}`);
    }
  }
  if (claimed.length < count) {
    releaseAddresses(net.bridge, claimed);
    throw new Error(`Docker network "${net.name}" (${net.subnet}) has no ${count} free addresses near the top of its subnet`);
  }
  return claimed;
}

/** Removes addresses from the bridge; already-gone addresses and a removed bridge are fine. */
export function releaseAddresses(bridge: string, ips: string[]): void {
  for (const ip of ips) {
    try {
      ipCommand(['addr', 'del', `${ip}/32`, 'dev', bridge]);
    } catch {
      // The address (or the whole bridge, with its network) is already gone.
    }
  }
}

/** Removes a cluster's addresses unless its process already did (after a SIGKILL, say). */
export function releaseRecordedAddresses(home: string, name: string): void {
  const record = readFrontRecord(home, name);
  if (!record?.active || record.released) return;
  releaseAddresses(record.bridge, record.nodes.map((n) => n.ip));
  writeFrontRecord(home, name, { ...record, released: true });
}
