import { devAddrOf, devAddrRange, inRange, netIdType } from './net-id';

describe('NetID → DevAddr range (TS002 §13)', () => {
  // Vectors: ChirpStack lrwn/src/netid.rs `test_dev_addr_prefix` (NetID → DevAddr prefix / length).
  const vectors: Array<[number, number, number, number]> = [
    [0x00006d, 0, 0x5a000000, 7],
    [0x20006d, 1, 0xad000000, 8],
    [0x40036d, 2, 0xd6d00000, 12],
    [0x76db6d, 3, 0xe6da0000, 15],
    [0x96db6d, 4, 0xf5b68000, 17],
    [0xb6db6d, 5, 0xfb6da000, 19],
    [0xd6db6d, 6, 0xfd6db400, 22],
    [0xf6db6d, 7, 0xfe6db680, 25],
  ];

  it.each(vectors)('NetID %s: type %i, prefix %s/%i', (netId, type, prefix, length) => {
    const r = devAddrRange(netId);
    expect(netIdType(netId)).toBe(type);
    expect(r).toMatchObject({ netIdType: type, prefix, prefixLength: length, nwkAddrBits: 32 - length });
  });

  it('NetID 000000 (the default, type 0, NwkID 0) gives 00000000-01ffffff', () => {
    const r = devAddrRange(0);
    expect(devAddrOf(r, 0)).toBe(0);
    expect(devAddrOf(r, 2 ** 25 - 1)).toBe(0x01ffffff);
    expect(inRange(r, 0x01ffffff)).toBe(true);
    expect(inRange(r, 0x02000000)).toBe(false);
  });

  it("TTN's NetID 000013 gives the 26/27 prefix (NwkID 0b0010011)", () => {
    const r = devAddrRange(0x13);
    expect(inRange(r, 0x26012e43)).toBe(true);
    expect(devAddrOf(r, 0) >>> 24).toBe(0x26);
    expect(devAddrOf(r, 2 ** 25 - 1) >>> 24).toBe(0x27);
  });

  it('keeps the NwkAddr within its bits', () => {
    const r = devAddrRange(0xf6db6d);
    expect(devAddrOf(r, 0x7f)).toBe(0xfe6db6ff);
    expect(devAddrOf(r, 0x80)).toBe(0xfe6db680);
  });

  it('refuses a value that is not 24 bits', () => {
    expect(() => devAddrRange(0x1000000)).toThrow(RangeError);
    expect(() => devAddrRange(-1)).toThrow(RangeError);
  });
});
