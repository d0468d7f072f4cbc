import { LorawanError } from './errors';

/**
 * MType, bits 7..5 of the MHDR (LoRaWAN 1.1 §4.2.1, Table 1).
 * Value 6 is Rejoin-request in 1.1 and RFU in 1.0.x: the codec is version-agnostic and always
 * decodes it as a rejoin-request; refusing it for a 1.0 device is the network server's decision.
 */
export enum MType {
  JoinRequest = 0,
  JoinAccept = 1,
  UnconfirmedDataUp = 2,
  UnconfirmedDataDown = 3,
  ConfirmedDataUp = 4,
  ConfirmedDataDown = 5,
  RejoinRequest = 6,
  Proprietary = 7,
}

/** Major, bits 1..0 of the MHDR (LoRaWAN 1.1 §4.2.2). Only R1 exists; 1..3 are RFU and such frames are dropped. */
export enum Major {
  LoRaWANR1 = 0,
}

export interface Mhdr {
  mType: MType;
  major: Major;
  /**
   * Bits 4..2, RFU (LoRaWAN 1.1 §4.2). Meaningless, but kept so a frame re-encodes byte for byte
   * (the MIC covers the raw MHDR). Absent means 0.
   */
  rfu?: number;
}

/** Decodes one MHDR byte. Major ≠ 0 → `BAD_MAJOR` (LoRaWAN 1.1 §4.2.2: "drop"). */
export function decodeMhdr(byte: number): Mhdr {
  if (!Number.isInteger(byte) || byte < 0 || byte > 0xff) {
    throw new LorawanError('BAD_FIELD', `MHDR: not a byte: ${byte}`);
  }
  const major = byte & 0x03;
  if (major !== Major.LoRaWANR1) {
    throw new LorawanError('BAD_MAJOR', `MHDR: Major ${major} is not LoRaWAN R1`);
  }
  return { mType: (byte >>> 5) as MType, major: Major.LoRaWANR1, rfu: (byte >>> 2) & 0x07 };
}

/** Encodes an MHDR into its byte value. */
export function encodeMhdr(mhdr: Mhdr): number {
  const { mType, major } = mhdr;
  const rfu = mhdr.rfu ?? 0;
  if (!Number.isInteger(mType) || mType < 0 || mType > 7) {
    throw new LorawanError('BAD_MTYPE', `MHDR: MType ${mType} is not 0..7`);
  }
  if (major !== Major.LoRaWANR1) {
    throw new LorawanError('BAD_MAJOR', `MHDR: Major ${major} is not LoRaWAN R1`);
  }
  if (!Number.isInteger(rfu) || rfu < 0 || rfu > 7) {
    throw new LorawanError('BAD_FIELD', `MHDR: RFU bits ${rfu} are not 0..7`);
  }
  return (mType << 5) | (rfu << 2) | major;
}
