import { LorawanError } from './errors';
import { decodeMhdr, encodeMhdr, Major, MType } from './mhdr';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof LorawanError) return e.code;
    throw e;
  }
  return undefined;
}

describe('MHDR', () => {
  // LoRaWAN 1.1 §4.2.1 Table 1 (MHDR byte per MType with Major R1), reference §2.1.
  const table: [MType, number][] = [
    [MType.JoinRequest, 0x00],
    [MType.JoinAccept, 0x20],
    [MType.UnconfirmedDataUp, 0x40],
    [MType.UnconfirmedDataDown, 0x60],
    [MType.ConfirmedDataUp, 0x80],
    [MType.ConfirmedDataDown, 0xa0],
    [MType.RejoinRequest, 0xc0],
    [MType.Proprietary, 0xe0],
  ];

  it.each(table)('MType %i <-> byte %i', (mType, byte) => {
    expect(encodeMhdr({ mType, major: Major.LoRaWANR1 })).toBe(byte);
    expect(decodeMhdr(byte)).toEqual({ mType, major: Major.LoRaWANR1, rfu: 0 });
  });

  it('decodes 0xe0 as Proprietary / LoRaWAN R1', () => {
    // vector: chirpstack/chirpstack lrwn/src/mhdr.rs test_from_le_bytes; brocaar/lorawan phypayload_test.go TestMHDR
    expect(decodeMhdr(0xe0)).toEqual({ mType: MType.Proprietary, major: Major.LoRaWANR1, rfu: 0 });
    expect(encodeMhdr({ mType: MType.Proprietary, major: Major.LoRaWANR1 })).toBe(0xe0);
  });

  it('encodes the zero MHDR as 0x00', () => {
    // vector: brocaar/lorawan phypayload_test.go TestMHDR ("empty MHDR" → []byte{0})
    expect(encodeMhdr({ mType: MType.JoinRequest, major: Major.LoRaWANR1 })).toBe(0);
  });

  it('rejects Major 1..3 with BAD_MAJOR for every MType and RFU value (L11 §4.2.2)', () => {
    for (let b = 0; b < 256; b++) {
      if ((b & 3) === 0) expect(codeOf(() => decodeMhdr(b))).toBeUndefined();
      else expect(codeOf(() => decodeMhdr(b))).toBe('BAD_MAJOR');
    }
  });

  it('keeps the RFU bits 4..2 so that every valid byte round-trips', () => {
    for (let b = 0; b < 256; b += 4) {
      const m = decodeMhdr(b);
      expect(m.rfu).toBe((b >> 2) & 7);
      expect(encodeMhdr(m)).toBe(b);
    }
  });

  it('refuses bad input with LorawanError codes', () => {
    expect(codeOf(() => decodeMhdr(256))).toBe('BAD_FIELD');
    expect(codeOf(() => decodeMhdr(-1))).toBe('BAD_FIELD');
    expect(codeOf(() => decodeMhdr(1.5))).toBe('BAD_FIELD');
    expect(codeOf(() => encodeMhdr({ mType: 8 as MType, major: Major.LoRaWANR1 }))).toBe('BAD_MTYPE');
    expect(codeOf(() => encodeMhdr({ mType: -1 as MType, major: Major.LoRaWANR1 }))).toBe('BAD_MTYPE');
    expect(codeOf(() => encodeMhdr({ mType: MType.JoinRequest, major: 1 as Major }))).toBe('BAD_MAJOR');
    expect(codeOf(() => encodeMhdr({ mType: MType.JoinRequest, major: Major.LoRaWANR1, rfu: 8 }))).toBe(
      'BAD_FIELD',
    );
  });
});
