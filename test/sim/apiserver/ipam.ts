// IPv4 address arithmetic for ClusterIP, NodePort and pod IP allocation.
export interface Cidr {
  base: number;
  size: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`invalid IPv4 address "${ip}"`);
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): Cidr {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (!ip || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const size = 2 ** (32 - prefix);
  return { base: ipToInt(ip) - (ipToInt(ip) % size), size };
}

/** The IPv6 address with host part `host` in a node's /64 ("fd00:10:244:1::/64", 5 → "fd00:10:244:1::5"). */
export function ipv6InPrefix(cidr64: string, host: number): string {
  return `${cidr64.split('/')[0]!.replace(/::$/, '')}::${host.toString(16)}`;
}

export function contains(cidr: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= cidr.base && n < cidr.base + cidr.size;
}

/** First free host address at or after `offset` (network and broadcast excluded). */
export function firstFree(cidr: Cidr, used: Set<string>, offset: number): string | undefined {
  for (let i = Math.max(offset, 1); i < cidr.size - 1; i++) {
    const ip = intToIp(cidr.base + i);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
