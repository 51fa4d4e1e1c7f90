/**
 * A fixed-size set of small integers (pod indices) packed into 32-bit words. The engine builds
 * one per selector, peer and pod so that whole truth tables reduce to word-wide AND/OR.
 */
export class Bitset {
  readonly size: number;
  readonly words: Uint32Array;

  constructor(size: number, words?: Uint32Array) {
    this.size = size;
    this.words = words ?? new Uint32Array((size + 31) >>> 5);
  }

  static full(size: number): Bitset {
    const set = new Bitset(size);
    set.words.fill(0xffffffff);
    set.clearTail();
    return set;
  }

  static of(size: number, members: Iterable<number>): Bitset {
    const set = new Bitset(size);
    for (const index of members) set.add(index);
    return set;
  }

  add(index: number): void {
    this.words[index >>> 5]! |= 1 << (index & 31);
  }

  has(index: number): boolean {
    return (this.words[index >>> 5]! & (1 << (index & 31))) !== 0;
  }

  clone(): Bitset {
    return new Bitset(this.size, this.words.slice());
  }

  /** In place: this |= other. */
  orWith(other: Bitset): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i]! |= b[i]!;
    return this;
  }

  /** In place: this &= other. */
  andWith(other: Bitset): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i]! &= b[i]!;
    return this;
  }

  and(other: Bitset): Bitset {
    return this.clone().andWith(other);
  }

  not(): Bitset {
    const result = new Bitset(this.size);
    for (let i = 0; i < this.words.length; i++) result.words[i] = ~this.words[i]!;
    result.clearTail();
    return result;
  }

  /** Member indices in ascending order. */
  *members(): Generator<number> {
    for (let w = 0; w < this.words.length; w++) {
      let word = this.words[w]!;
      while (word !== 0) {
        const low = word & -word;
        yield (w << 5) + 31 - Math.clz32(low);
        word ^= low;
      }
    }
  }

  // Bits past `size` in the last word must stay zero so that not() stays exact.
  private clearTail(): void {
    const used = this.size & 31;
    if (used !== 0 && this.words.length > 0) this.words[this.words.length - 1]! &= (1 << used) - 1;
  }
}
