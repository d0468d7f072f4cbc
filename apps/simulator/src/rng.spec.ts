import fc from 'fast-check';
import { Rng } from './rng';

describe('Rng', () => {
  it('is deterministic under a seed, and different seeds give different streams', () => {
    const a = new Rng(1234);
    const b = new Rng(1234);
    const c = new Rng(1235);
    const sa = Array.from({ length: 32 }, () => a.nextUint32());
    const sb = Array.from({ length: 32 }, () => b.nextUint32());
    const sc = Array.from({ length: 32 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('hashes string seeds (a DevEUI makes a handy seed)', () => {
    expect(new Rng('0004a30b001c0530').nextUint32()).toBe(new Rng('0004a30b001c0530').nextUint32());
    expect(new Rng('0004a30b001c0530').nextUint32()).not.toBe(new Rng('0004a30b001c0531').nextUint32());
  });

  it('keeps every draw in range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 100_000 }), (seed, n) => {
        const r = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const v = r.int(n);
          const f = r.next();
          const u = r.nextUint32();
          if (!Number.isInteger(v) || v < 0 || v >= n) return false;
          if (f < 0 || f >= 1) return false;
          if (!Number.isInteger(u) || u < 0 || u > 0xffffffff) return false;
        }
        return true;
      }),
    );
  });

  it('spreads int() evenly enough (every bucket hit, none dominating)', () => {
    const r = new Rng(7);
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[r.int(8)]++;
    for (const c of counts) {
      expect(c).toBeGreaterThan(850);
      expect(c).toBeLessThan(1150);
    }
  });

  it('offers intBetween, pick, bytes, jitter and fork', () => {
    const r = new Rng(99);
    for (let i = 0; i < 100; i++) {
      const v = r.intBetween(-3, 3);
      expect(v).toBeGreaterThanOrEqual(-3);
      expect(v).toBeLessThanOrEqual(3);
      const j = r.jitter(1000, 50);
      expect(Math.abs(j - 1000)).toBeLessThanOrEqual(50);
    }
    expect(['a', 'b', 'c']).toContain(r.pick(['a', 'b', 'c']));
    expect(r.bytes(7)).toHaveLength(7);
    const f1 = new Rng(5).fork();
    const f2 = new Rng(5).fork();
    expect(f1.nextUint32()).toBe(f2.nextUint32());
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});
