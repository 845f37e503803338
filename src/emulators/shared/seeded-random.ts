/**
 * A small, fast, seedable pseudo-random generator (sfc32) so that content, padding, latency
 * draws and fault rolls repeat exactly for the same seed. Not for anything secret.
 */
import { hash } from "node:crypto";

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    const words = typeof seed === "number" ? [seed >>> 0, 0x9e3779b9, 0x243f6a88, 0xb7e15162] : wordsOf(seed);
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    // sfc32 needs a few rounds before its output stops echoing the seed
    for (let round = 0; round < 12; round += 1) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** Uniform integer in [low, high], both inclusive. */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** Four 32-bit words from the SHA-256 of a string: any text becomes a well-mixed seed. */
function wordsOf(text: string): number[] {
  const digest = hash("sha256", text, "buffer");
  return [0, 4, 8, 12].map((offset) => digest.readUInt32BE(offset));
}
