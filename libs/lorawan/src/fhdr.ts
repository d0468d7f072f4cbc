import { LorawanError } from './errors';
import {
  decodeFCtrlDownlink,
  decodeFCtrlUplink,
  encodeFCtrlDownlink,
  encodeFCtrlUplink,
  FCtrlDownlink,
  FCtrlUplink,
} from './fctrl';

/**
 * FHDR = DevAddr(4, LE) | FCtrl(1) | FCnt(2, LE) | FOpts(0..15) — LoRaWAN 1.1 §4.3.1.
 *
 * `fOpts` is the raw (in 1.1 possibly encrypted, §4.3.1.6) FOpts field; decoding into MAC
 * commands and decryption happen elsewhere. A decoded `fOpts` aliases the input Buffer.
 */
export interface FhdrUplink {
  /** Unsigned 32-bit, printed order (0x26011bda); little-endian on air. */
  devAddr: number;
  fCtrl: FCtrlUplink;
  /** The 16 LSB of the frame counter as sent on air (§4.3.1.5): 0..0xffff. */
  fCnt: number;
  fOpts: Buffer;
}

export interface FhdrDownlink {
  devAddr: number;
  fCtrl: FCtrlDownlink;
  fCnt: number;
  fOpts: Buffer;
}

export type Fhdr = FhdrUplink | FhdrDownlink;

/** FHDR without FOpts. */
export const FHDR_MIN_LENGTH = 7;
/** FOptsLen is 4 bits (§4.3.1.6). */
export const FOPTS_MAX_LENGTH = 15;

/**
 * Decodes the FHDR at `offset`, reading nothing at or beyond `end` (default: the buffer's end;
 * a PHYPayload decoder passes the MIC's offset). Too few bytes for FHDR or for FOptsLen → `TOO_SHORT`.
 */
export function decodeFhdr(buf: Buffer, uplink: true, offset?: number, end?: number): FhdrUplink;
export function decodeFhdr(buf: Buffer, uplink: false, offset?: number, end?: number): FhdrDownlink;
export function decodeFhdr(buf: Buffer, uplink: boolean, offset?: number, end?: number): Fhdr;
export function decodeFhdr(buf: Buffer, uplink: boolean, offset = 0, end = buf.length): Fhdr {
  if (end > buf.length) end = buf.length;
  if (offset < 0 || offset + FHDR_MIN_LENGTH > end) {
    throw new LorawanError(
      'TOO_SHORT',
      `FHDR: needs ${FHDR_MIN_LENGTH} bytes at offset ${offset}, have ${end - offset}`,
    );
  }
  const fCtrlByte = buf[offset + 4];
  const fCtrl = uplink ? decodeFCtrlUplink(fCtrlByte) : decodeFCtrlDownlink(fCtrlByte);
  const fOptsStart = offset + FHDR_MIN_LENGTH;
  const fOptsEnd = fOptsStart + fCtrl.fOptsLen;
  if (fOptsEnd > end) {
    throw new LorawanError(
      'TOO_SHORT',
      `FHDR: FOptsLen ${fCtrl.fOptsLen} exceeds the ${end - fOptsStart} bytes left`,
    );
  }
  return {
    devAddr: buf.readUInt32LE(offset),
    fCtrl,
    fCnt: buf.readUInt16LE(offset + 5),
    fOpts: buf.subarray(fOptsStart, fOptsEnd),
  } as Fhdr;
}

/** Bytes the FHDR occupies on air. */
export function fhdrLength(fhdr: Fhdr): number {
  return FHDR_MIN_LENGTH + fhdr.fOpts.length;
}

/** Throws `BAD_FIELD`/`TOO_LONG` unless `fhdr` can be encoded (FCtrl flags are checked by its encoder). */
export function validateFhdr(fhdr: Fhdr): void {
  const { devAddr, fCnt, fOpts, fCtrl } = fhdr;
  if (!Number.isInteger(devAddr) || devAddr < 0 || devAddr > 0xffffffff) {
    throw new LorawanError('BAD_FIELD', `FHDR: DevAddr ${devAddr} is not an unsigned 32-bit integer`);
  }
  if (!Number.isInteger(fCnt) || fCnt < 0 || fCnt > 0xffff) {
    // Deliberately no silent truncation of a 32-bit counter: the caller passes `fCnt & 0xffff`.
    throw new LorawanError('BAD_FIELD', `FHDR: FCnt ${fCnt} is not 16-bit`);
  }
  if (!Buffer.isBuffer(fOpts)) {
    throw new LorawanError('BAD_FIELD', 'FHDR: FOpts is not a Buffer');
  }
  if (fOpts.length > FOPTS_MAX_LENGTH) {
    throw new LorawanError('TOO_LONG', `FHDR: FOpts is ${fOpts.length} bytes, max ${FOPTS_MAX_LENGTH}`);
  }
  if (fCtrl.fOptsLen !== fOpts.length) {
    throw new LorawanError(
      'BAD_FIELD',
      `FHDR: FCtrl.fOptsLen ${fCtrl.fOptsLen} ≠ FOpts length ${fOpts.length}`,
    );
  }
}

/**
 * Writes the FHDR into `out` at `offset`; returns the offset after it. The caller sizes `out`
 * (`fhdrLength`); `uplink` selects the FCtrl layout.
 */
export function writeFhdr(fhdr: Fhdr, uplink: boolean, out: Buffer, offset: number): number {
  validateFhdr(fhdr);
  const fCtrlByte = uplink
    ? encodeFCtrlUplink(fhdr.fCtrl as FCtrlUplink)
    : encodeFCtrlDownlink(fhdr.fCtrl as FCtrlDownlink);
  out.writeUInt32LE(fhdr.devAddr, offset);
  out[offset + 4] = fCtrlByte;
  out.writeUInt16LE(fhdr.fCnt, offset + 5);
  fhdr.fOpts.copy(out, offset + FHDR_MIN_LENGTH);
  return offset + FHDR_MIN_LENGTH + fhdr.fOpts.length;
}

export function encodeFhdr(fhdr: FhdrUplink, uplink: true): Buffer;
export function encodeFhdr(fhdr: FhdrDownlink, uplink: false): Buffer;
export function encodeFhdr(fhdr: Fhdr, uplink: boolean): Buffer;
export function encodeFhdr(fhdr: Fhdr, uplink: boolean): Buffer {
  validateFhdr(fhdr);
  const out = Buffer.allocUnsafe(fhdrLength(fhdr));
  writeFhdr(fhdr, uplink, out, 0);
  return out;
}
