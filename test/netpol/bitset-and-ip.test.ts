// The engine's building blocks: bitsets at word boundaries, IP and CIDR parsing.
import { describe, expect, test } from '@jest/globals';
import { Bitset } from '../../harness/netpol/bitset.ts';
import { cidrContains, isStrictSubnet, parseCidr, parseIp } from '../../harness/netpol/ip.ts';

describe('Bitset', () => {
  test.each([1, 31, 32, 33, 64, 65])('size %i: full, not, members and set algebra stay within the size', (size) => {
    const full = Bitset.full(size);
    expect([...full.members()]).toEqual(Array.from({ length: size }, (_, i) => i));
    expect([...full.not().members()]).toEqual([]);
    const odd = Bitset.of(size, Array.from({ length: size }, (_, i) => i).filter((i) => i % 2 === 1));
    const even = odd.not();
    expect([...even.members()].every((i) => i % 2 === 0 && i < size)).toBe(true);
    expect([...odd.and(even).members()]).toEqual([]);
    expect([...odd.clone().orWith(even).members()]).toHaveLength(size);
    expect(full.has(size - 1)).toBe(true);
  });
});

describe('IP parsing', () => {
  test('IPv4 and the IPv6 spellings', () => {
    expect(parseIp('10.1.2.3')).toEqual({ family: 4, value: 0x0a010203n });
    expect(parseIp('::')).toEqual({ family: 6, value: 0n });
    expect(parseIp('::1')).toEqual({ family: 6, value: 1n });
    expect(parseIp('fd00::1:2')).toEqual({ family: 6, value: (0xfd00n << 112n) | (1n << 16n) | 2n });
    expect(parseIp('FD00:0:0:0:0:0:1:2')).toEqual(parseIp('fd00::1:2'));
    expect(parseIp('::ffff:1.2.3.4')).toEqual({ family: 6, value: (0xffffn << 32n) | 0x01020304n });
    for (const bad of ['10.1.2', '10.1.2.256', 'fd00:::1', 'x', '']) expect(parseIp(bad)).toBeUndefined();
  });

  test('CIDRs: host bits cleared, prefixes bounded, containment per family', () => {
    const block = parseCidr('10.1.2.3/16')!;
    expect(block.base).toBe(0x0a010000n);
    expect(cidrContains(block, parseIp('10.1.255.255')!)).toBe(true);
    expect(cidrContains(block, parseIp('10.2.0.0')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('::1')!)).toBe(false);
    expect(cidrContains(parseCidr('::/0')!, parseIp('fd00::1')!)).toBe(true);
    expect(cidrContains(parseCidr('fd00::1/128')!, parseIp('fd00::1')!)).toBe(true);
    for (const bad of ['10.0.0.0/33', 'fd00::/129', '10.0.0.0', '10.0.0.0/-1', '10.0.0.0/a']) expect(parseCidr(bad)).toBeUndefined();
    expect(isStrictSubnet(parseCidr('10.1.1.0/24')!, parseCidr('10.1.0.0/16')!)).toBe(true);
    expect(isStrictSubnet(parseCidr('10.1.0.0/16')!, parseCidr('10.1.0.0/16')!)).toBe(false);
    expect(isStrictSubnet(parseCidr('10.2.1.0/24')!, parseCidr('10.1.0.0/16')!)).toBe(false);
  });
});
