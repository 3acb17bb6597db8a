import crypto from 'node:crypto';

/**
 * The draw's random numbers: SHA-256 in counter mode over the announced seed. Block i is
 * SHA-256("yiye-draw/1\n" + seed + "\n" + i), read as eight big-endian 32-bit words. Anyone can
 * recompute the stream from the seed with any SHA-256 implementation; nothing depends on Node's
 * Math.random or on the platform.
 */
export class SeededRandom {
  private block = 0;
  private words: number[] = [];
  /** How many 32-bit words have been used (recorded with a draw, so a re-computation can check it). */
  used = 0;

  constructor(readonly seed: string) {}

  private nextWord(): number {
    if (this.words.length === 0) {
      const digest = crypto.createHash('sha256').update(`yiye-draw/1\n${this.seed}\n${this.block++}`, 'utf8').digest();
      for (let i = 0; i < 32; i += 4) this.words.push(digest.readUInt32BE(i));
    }
    this.used++;
    return this.words.shift()!;
  }

  /**
   * A uniform integer in [0, n): rejection sampling on 32-bit words, so no value is favoured
   * (a plain `word % n` would favour the small values whenever n does not divide 2^32).
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new RangeError(`int(${n})`);
    const limit = Math.floor(0x100000000 / n) * n;
    for (;;) {
      const w = this.nextWord();
      if (w < limit) return w % n;
    }
  }

  /**
   * `k` distinct items of `items`, in the order drawn: a partial Fisher–Yates shuffle of a copy.
   * `items` must already be in canonical order (the draw sorts its inputs first).
   */
  sample<T>(items: readonly T[], k: number): T[] {
    const a = items.slice();
    const m = Math.min(k, a.length);
    for (let i = 0; i < m; i++) {
      const j = i + this.int(a.length - i);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, m);
  }
}
