/**
 * Join-accept CFList (L104 §6.2.6, RP002-1.0.4 per-region "Join-Accept CFList"): 16 bytes, the last is
 * CFListType.
 * - Type 0: five channel frequencies, 3 bytes LE each in units of 100 Hz (0 = unused), then 0x00.
 * - Type 1: ChMask words, 2 bytes LE each (bit n = channel 16·k + n), then RFU, then 0x01. The 72-channel
 *   plans use ChMask0..4; the decoder returns all seven 2-byte slots so nothing is lost.
 */
import { LorawanError } from './errors';

export const CFLIST_LENGTH = 16;
const FREQUENCY_COUNT = 5;
const CHMASK_SLOTS = 7;
const MAX_FREQUENCY_UNITS = 0xffffff;

export type CFList =
  | { readonly type: 0; readonly frequencies: readonly number[] }
  | { readonly type: 1; readonly chMasks: readonly number[] };

export function encodeCFList(cfList: CFList): Buffer {
  const out = Buffer.alloc(CFLIST_LENGTH);
  if (cfList.type === 0) {
    if (cfList.frequencies.length > FREQUENCY_COUNT) {
      throw new LorawanError(
        'BAD_FIELD',
        `CFList type 0 holds ${FREQUENCY_COUNT} frequencies, got ${cfList.frequencies.length}`,
      );
    }
    cfList.frequencies.forEach((hz, i) => {
      const units = hz / 100;
      if (!Number.isInteger(units) || units < 0 || units > MAX_FREQUENCY_UNITS) {
        throw new LorawanError(
          'BAD_FIELD',
          `CFList frequency ${hz} Hz is not a multiple of 100 Hz below 2^24·100 Hz`,
        );
      }
      out.writeUIntLE(units, 3 * i, 3);
    });
    out[15] = 0x00;
  } else if (cfList.type === 1) {
    if (cfList.chMasks.length > CHMASK_SLOTS) {
      throw new LorawanError(
        'BAD_FIELD',
        `CFList type 1 holds ${CHMASK_SLOTS} ChMasks, got ${cfList.chMasks.length}`,
      );
    }
    cfList.chMasks.forEach((mask, i) => {
      if (!Number.isInteger(mask) || mask < 0 || mask > 0xffff) {
        throw new LorawanError('BAD_FIELD', `ChMask ${mask} is not a 16-bit value`);
      }
      out.writeUInt16LE(mask, 2 * i);
    });
    out[15] = 0x01;
  } else {
    throw new LorawanError('BAD_FIELD', `unknown CFListType ${(cfList as { type: unknown }).type}`);
  }
  return out;
}

export function decodeCFList(buf: Buffer): CFList {
  if (buf.length < CFLIST_LENGTH)
    throw new LorawanError('TOO_SHORT', `CFList needs 16 bytes, got ${buf.length}`);
  if (buf.length > CFLIST_LENGTH) throw new LorawanError('TOO_LONG', `CFList is 16 bytes, got ${buf.length}`);
  switch (buf[15]) {
    case 0x00:
      return {
        type: 0,
        frequencies: Array.from({ length: FREQUENCY_COUNT }, (_, i) => buf.readUIntLE(3 * i, 3) * 100),
      };
    case 0x01:
      return { type: 1, chMasks: Array.from({ length: CHMASK_SLOTS }, (_, i) => buf.readUInt16LE(2 * i)) };
    default:
      throw new LorawanError('BAD_FIELD', `unknown CFListType ${buf[15]}`);
  }
}

/** Channel flags → ChMask words (channel 16·k + n = bit n of word k); at most 7 words (112 channels). */
export function channelsToChMasks(enabled: readonly boolean[]): number[] {
  const words = Math.ceil(enabled.length / 16);
  if (words > CHMASK_SLOTS)
    throw new LorawanError('BAD_FIELD', `${enabled.length} channels do not fit a CFList`);
  return Array.from({ length: words }, (_, k) => {
    let mask = 0;
    for (let n = 0; n < 16; n++) if (enabled[16 * k + n]) mask |= 1 << n;
    return mask;
  });
}

/** ChMask words → `count` channel flags (e.g. 72 for US915/AU915); missing words read as 0. */
export function chMasksToChannels(chMasks: readonly number[], count: number): boolean[] {
  return Array.from({ length: count }, (_, ch) => ((chMasks[ch >> 4] ?? 0) & (1 << (ch & 15))) !== 0);
}
