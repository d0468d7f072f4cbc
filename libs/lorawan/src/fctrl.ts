import { LorawanError } from './errors';

/**
 * FCtrl of an uplink (LoRaWAN 1.1 §4.3.1, Figure 13; 1.0.2 §4.3.1).
 * Bit 4 is ClassB (RFU in 1.0.0/1.0.1 and for Class A devices; decoded as-is either way).
 */
export interface FCtrlUplink {
  adr: boolean; // bit 7
  adrAckReq: boolean; // bit 6
  ack: boolean; // bit 5
  classB: boolean; // bit 4
  /** Bits 3..0: number of FOpts bytes, 0..15. */
  fOptsLen: number;
}

/**
 * FCtrl of a downlink (LoRaWAN 1.1 §4.3.1, Figure 12). Bit 6 is RFU: the network server is the only
 * sender of downlinks, so a downlink with bit 6 set is rejected rather than silently altered.
 */
export interface FCtrlDownlink {
  adr: boolean; // bit 7
  ack: boolean; // bit 5
  fPending: boolean; // bit 4
  /** Bits 3..0: number of FOpts bytes, 0..15. */
  fOptsLen: number;
}

export type FCtrl = FCtrlUplink | FCtrlDownlink;

const ADR = 0x80;
const ADR_ACK_REQ = 0x40; // uplink only; RFU on downlink
const ACK = 0x20;
const BIT4 = 0x10; // ClassB (up) / FPending (down)
const FOPTS_LEN = 0x0f;

function checkByte(byte: number): void {
  if (!Number.isInteger(byte) || byte < 0 || byte > 0xff) {
    throw new LorawanError('BAD_FIELD', `FCtrl: not a byte: ${byte}`);
  }
}

function checkFOptsLen(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 15) {
    throw new LorawanError('BAD_FIELD', `FCtrl: FOptsLen ${n} is not 0..15`);
  }
}

export function decodeFCtrlUplink(byte: number): FCtrlUplink {
  checkByte(byte);
  return {
    adr: (byte & ADR) !== 0,
    adrAckReq: (byte & ADR_ACK_REQ) !== 0,
    ack: (byte & ACK) !== 0,
    classB: (byte & BIT4) !== 0,
    fOptsLen: byte & FOPTS_LEN,
  };
}

/** Bit 6 set → `BAD_FIELD` (RFU on downlinks, LoRaWAN 1.1 Figure 12). */
export function decodeFCtrlDownlink(byte: number): FCtrlDownlink {
  checkByte(byte);
  if ((byte & ADR_ACK_REQ) !== 0) {
    throw new LorawanError('BAD_FIELD', 'FCtrl: downlink has RFU bit 6 set');
  }
  return {
    adr: (byte & ADR) !== 0,
    ack: (byte & ACK) !== 0,
    fPending: (byte & BIT4) !== 0,
    fOptsLen: byte & FOPTS_LEN,
  };
}

export function encodeFCtrlUplink(f: FCtrlUplink): number {
  checkFOptsLen(f.fOptsLen);
  return (
    (f.adr ? ADR : 0) |
    (f.adrAckReq ? ADR_ACK_REQ : 0) |
    (f.ack ? ACK : 0) |
    (f.classB ? BIT4 : 0) |
    f.fOptsLen
  );
}

export function encodeFCtrlDownlink(f: FCtrlDownlink): number {
  checkFOptsLen(f.fOptsLen);
  return (f.adr ? ADR : 0) | (f.ack ? ACK : 0) | (f.fPending ? BIT4 : 0) | f.fOptsLen;
}

/** Direction-dispatching forms: the meaning of bits 6 and 4 depends on the direction. */
export function decodeFCtrl(byte: number, uplink: true): FCtrlUplink;
export function decodeFCtrl(byte: number, uplink: false): FCtrlDownlink;
export function decodeFCtrl(byte: number, uplink: boolean): FCtrl;
export function decodeFCtrl(byte: number, uplink: boolean): FCtrl {
  return uplink ? decodeFCtrlUplink(byte) : decodeFCtrlDownlink(byte);
}

export function encodeFCtrl(f: FCtrlUplink, uplink: true): number;
export function encodeFCtrl(f: FCtrlDownlink, uplink: false): number;
export function encodeFCtrl(f: FCtrl, uplink: boolean): number;
export function encodeFCtrl(f: FCtrl, uplink: boolean): number {
  return uplink ? encodeFCtrlUplink(f as FCtrlUplink) : encodeFCtrlDownlink(f as FCtrlDownlink);
}
