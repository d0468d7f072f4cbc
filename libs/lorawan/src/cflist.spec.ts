import { channelsToChMasks, chMasksToChannels, decodeCFList, encodeCFList } from './cflist';
import { LorawanError } from './errors';

// vectors: ChirpStack lrwn/src/cflist.rs `tests()` (L104 §6.2.6 / RP002 CFList layouts).
const vectors = [
  {
    name: 'type 1, ChMask0 = channels 0-7',
    hex: 'ff000000000000000000000000000001',
    cfList: { type: 1, chMasks: [0x00ff, 0, 0, 0, 0, 0, 0] },
  },
  {
    name: 'type 1, ChMask1 = channels 16-23',
    hex: '0000ff00000000000000000000000001',
    cfList: { type: 1, chMasks: [0, 0x00ff, 0, 0, 0, 0, 0] },
  },
  {
    name: 'type 0, 867.1-867.9 MHz',
    hex: '184f84e85684b85e84886684586e8400',
    cfList: { type: 0, frequencies: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000] },
  },
] as const;

describe('CFList codec', () => {
  it.each(vectors)('encodes and decodes $name', ({ hex, cfList }) => {
    expect(encodeCFList(cfList).toString('hex')).toBe(hex);
    expect(decodeCFList(Buffer.from(hex, 'hex'))).toEqual(cfList);
  });

  it('encodes short lists padded with zeros', () => {
    expect(encodeCFList({ type: 1, chMasks: [0x00ff] }).toString('hex')).toBe(vectors[0].hex);
    expect(encodeCFList({ type: 0, frequencies: [867_100_000] }).toString('hex')).toBe(
      '184f8400000000000000000000000000',
    );
  });

  it('checks the length and the type byte', () => {
    expect(() => decodeCFList(Buffer.alloc(15))).toThrow(expect.objectContaining({ code: 'TOO_SHORT' }));
    expect(() => decodeCFList(Buffer.alloc(17))).toThrow(expect.objectContaining({ code: 'TOO_LONG' }));
    const bad = Buffer.alloc(16);
    bad[15] = 2;
    expect(() => decodeCFList(bad)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
  });

  it('refuses values that do not fit', () => {
    const bad = (f: () => unknown) => expect(f).toThrow(LorawanError);
    bad(() => encodeCFList({ type: 0, frequencies: [867_100_050] })); // not a multiple of 100 Hz
    bad(() => encodeCFList({ type: 0, frequencies: [0x1000000 * 100] })); // 2^24 units
    bad(() => encodeCFList({ type: 0, frequencies: [1, 2, 3, 4, 5, 6].map((x) => x * 100) }));
    bad(() => encodeCFList({ type: 1, chMasks: [0x10000] }));
    bad(() => encodeCFList({ type: 1, chMasks: [0, 0, 0, 0, 0, 0, 0, 0] }));
    bad(() => encodeCFList({ type: 3 } as never));
  });
});

describe('ChMask words', () => {
  it('converts channel flags both ways (bit n of word k = channel 16·k + n)', () => {
    const enabled = Array.from({ length: 72 }, (_, i) => (i >= 8 && i <= 15) || i === 65);
    expect(channelsToChMasks(enabled)).toEqual([0xff00, 0, 0, 0, 0x0002]);
    expect(chMasksToChannels([0xff00, 0, 0, 0, 0x0002], 72)).toEqual(enabled);
    expect(chMasksToChannels([0x0001], 20)).toEqual(Array.from({ length: 20 }, (_, i) => i === 0));
    expect(() => channelsToChMasks(new Array<boolean>(113).fill(true))).toThrow(LorawanError);
  });
});
