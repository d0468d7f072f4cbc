/**
 * A small seeded PRNG for the simulator: xoshiro128** (Blackman & Vigna, 2018) seeded through splitmix32,
 * so that any 32-bit seed (or a string, hashed with FNV-1a) gives a well-mixed state. Everything random a
 * simulated device does (DevNonce before 1.0.4, channel hopping, jitter) draws from one of these, which is
 * what makes a run reproducible: the same seed gives the same frames. Never use Math.random() in the
 * simulator.
 */
export type Seed = number | string;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: Seed) {
    let x = typeof seed === 'string' ? fnv1a(seed) : toUint32(seed);
    const next = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // xoshiro's state must not be all zero; splitmix32 makes that practically impossible, but be sure.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n), n ≥ 1 (rejection sampling: no modulo bias). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x1_0000_0000) {
      throw new RangeError(`Rng.int: ${n} is not an integer in 1..2^32`);
    }
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    for (;;) {
      const v = this.nextUint32();
      if (v < limit) return v % n;
    }
  }

  /** Uniform integer in [min, max] (both included). */
  intBetween(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`Rng.intBetween: bad range ${min}..${max}`);
    }
    return min + this.int(max - min + 1);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty array');
    return items[this.int(items.length)];
  }

  /** `n` random bytes. */
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.nextUint32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** `base` ± up to `spread` (uniform, integer when both are integers): e.g. uplink period jitter in ms. */
  jitter(base: number, spread: number): number {
    if (Number.isInteger(base) && Number.isInteger(spread)) return base + this.intBetween(-spread, spread);
    return base + (this.next() * 2 - 1) * spread;
  }

  /** An independent generator derived from this one (e.g. one per simulated device of a fleet). */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function toUint32(n: number): number {
  if (!Number.isFinite(n)) throw new RangeError(`Rng: seed ${n} is not finite`);
  // Fold the high bits of larger integers in, so 2^32 + 1 and 1 differ.
  const hi = Math.floor(Math.abs(n) / 0x1_0000_0000);
  return (Math.trunc(n) ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

/** FNV-1a, 32-bit, over the UTF-8 bytes of `s`. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
