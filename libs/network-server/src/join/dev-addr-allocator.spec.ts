import { LnsConfig } from '@lns/config';
import { SessionStore } from '../session/session-store';
import { DevAddrAllocator, DevAddrExhaustedError, pickDevAddr } from './dev-addr-allocator';
import { devAddrRange, inRange } from './net-id';

function allocator(netId: string, inUse: Set<number> = new Set()): DevAddrAllocator {
  const sessions = { devAddrInUse: (a: number) => inUse.has(a) } as unknown as SessionStore;
  return new DevAddrAllocator({ netId } as LnsConfig, sessions);
}

describe('DevAddr allocation', () => {
  it.each([
    ['000000', 0, 7, 25],
    ['76db6d', 3, 15, 17],
    ['d6db6d', 6, 22, 10],
  ])(
    'NetID %s (type %i): every DevAddr carries the %i-bit prefix, %i random bits',
    (netId, type, len, bits) => {
      const a = allocator(netId);
      expect(a.range).toMatchObject({ netIdType: type, prefixLength: len, nwkAddrBits: bits });
      const seen = new Set<number>();
      for (let i = 0; i < 500; i++) {
        const addr = a.allocate(0);
        expect(inRange(a.range, addr)).toBe(true);
        expect(addr >>> (32 - len)).toBe(a.range.prefix >>> (32 - len));
        expect(seen.has(addr)).toBe(false); // reserved until released: never handed out twice
        seen.add(addr);
      }
    },
  );

  it('never hands out a DevAddr an active session holds', () => {
    const range = devAddrRange(0xd6db6d); // 1024 addresses
    const inUse = new Set<number>();
    for (let n = 0; n < 1024; n++) if (n !== 700) inUse.add((range.prefix | n) >>> 0);
    const a = allocator('d6db6d', inUse);
    expect(a.allocate(0)).toBe((range.prefix | 700) >>> 0);
    expect(() => a.allocate(0)).toThrow(DevAddrExhaustedError);
  });

  it('frees a reservation on release, or after 30 s', () => {
    const a = allocator('f6db6d'); // type 7: 128 addresses
    const all = new Set<number>();
    for (let i = 0; i < 128; i++) all.add(a.allocate(1000));
    expect(all.size).toBe(128);
    expect(() => a.allocate(1000)).toThrow(DevAddrExhaustedError);
    const one = [...all][5];
    a.release(one);
    expect(a.allocate(1000)).toBe(one);
    expect(() => a.allocate(1000)).toThrow(DevAddrExhaustedError);
    expect(inRange(a.range, a.allocate(31_000))).toBe(true);
  });

  it('draws at random first, then walks the range from a random start', () => {
    const range = devAddrRange(0);
    const draws = [5, 5, 9];
    const taken = (x: number) => x === 5;
    expect(pickDevAddr(range, taken, () => draws.shift() ?? 0)).toBe(9);
    // Everything random taken: the walk finds the one hole.
    const small = devAddrRange(0xf6db6d);
    const hole = (small.prefix | 3) >>> 0;
    expect(
      pickDevAddr(
        small,
        (x) => x !== hole,
        () => 100,
      ),
    ).toBe(hole);
    expect(
      pickDevAddr(
        small,
        () => true,
        () => 0,
      ),
    ).toBeUndefined();
  });
});
