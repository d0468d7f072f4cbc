import { timingSafeEqual } from 'node:crypto';
import { aesCmacPrefixed, assertAes128Key } from './cmac';
import { LorawanError } from './errors';

/**
 * Message Integrity Codes (4 bytes) of every LoRaWAN message type, 1.0.x and 1.1.
 * All are the first 4 bytes of an AES-CMAC (RFC 4493, see cmac.ts). Multi-byte fields are written
 * little-endian as on air (L11 §1.2). `msg` always means the PHYPayload without its MIC.
 */

/** MHDR | FHDR (DevAddr 4, FCtrl 1, FCnt 2): the shortest data frame a MIC can cover. */
const DATA_MSG_MIN = 8;
/** B0/B1 carry len(msg) in one byte. */
const DATA_MSG_MAX = 255;
/** FCtrl is the byte after MHDR | DevAddr; its ACK bit is bit 5 in both directions (L11 §4.3.1). */
const FCTRL_OFFSET = 5;
const FCTRL_ACK = 0x20;
/** MHDR | JoinEUI | DevEUI | DevNonce (L11 §6.2.2). */
const JOIN_REQUEST_MSG_LENGTH = 19;
/** MHDR | JoinNonce | NetID | DevAddr | DLSettings | RxDelay, then an optional 16-byte CFList (L11 §6.2.3). */
const JOIN_ACCEPT_MSG_LENGTH = 13;
const JOIN_ACCEPT_MSG_LENGTH_CFLIST = 29;
/** Rejoin type 0/2: MHDR | type | NetID | DevEUI | RJcount0; type 1: MHDR | type | JoinEUI | DevEUI | RJcount1. */
const REJOIN_02_MSG_LENGTH = 15;
const REJOIN_1_MSG_LENGTH = 20;

/** JoinReqType of the 1.1 join-accept MIC (L11 §6.2.3): 0xFF answers a Join-request, 0/1/2 a Rejoin type. */
export type JoinReqType = 0xff | 0x00 | 0x01 | 0x02;

/** Fields common to every data-frame MIC. */
export interface DataMicBase {
  /** DevAddr, printed (big-endian) order: 0x26011bda. */
  devAddr: number;
  /** The full 32-bit frame counter (FCntUp, or FCntDown / NFCntDown / AFCntDown), not the 16 bits on air. */
  fCnt: number;
  /** MHDR | FHDR | FPort | FRMPayload: the PHYPayload without its MIC (FOpts already encrypted in 1.1). */
  msg: Buffer;
}

export interface UplinkMic10Params extends DataMicBase {
  nwkSKey: Buffer;
}

export interface UplinkMicFParams extends DataMicBase {
  fNwkSIntKey: Buffer;
}

export interface UplinkMic11Params extends DataMicBase {
  fNwkSIntKey: Buffer;
  sNwkSIntKey: Buffer;
  /**
   * FCnt (NFCntDown or AFCntDown) of the confirmed downlink this uplink acknowledges. Used (mod 2^16) only
   * when the uplink's ACK bit is set, otherwise 0 is used whatever is passed (L11 §4.4.2; ChirpStack and
   * brocaar/lorawan do the same).
   */
  confFCnt?: number;
  /** Data-rate index of the uplink in the region's table. */
  txDr: number;
  /** Index of the uplink channel in the region's channel plan (e.g. 0..71 in US915). */
  txCh: number;
}

export interface DownlinkMicParams extends DataMicBase {
  /** NwkSKey for a 1.0.x device, SNwkSIntKey for a 1.1 device. */
  key: Buffer;
  /**
   * 1.1 devices only: FCntUp of the confirmed uplink this downlink acknowledges. Used (mod 2^16) only when
   * the downlink's ACK bit is set; ignored otherwise (L11 §4.4.1). Leave it undefined for 1.0.x devices:
   * their B0 bytes 1..4 are always zero (L102 §4.4).
   */
  confFCnt?: number;
}

export interface JoinRequestMicParams {
  /** AppKey (1.0.x) or NwkKey (1.1). */
  key: Buffer;
  /** MHDR | JoinEUI | DevEUI | DevNonce: the 19 bytes of the Join-request before its MIC. */
  msg: Buffer;
}

/** Join-accept of a 1.0.x device, or of a 1.1 device with OptNeg = 0. */
export interface JoinAcceptMicLegacyParams {
  optNeg?: false;
  /** AppKey (1.0.x) or NwkKey (1.1 with OptNeg unset). */
  key: Buffer;
  /** MHDR | JoinNonce | NetID | DevAddr | DLSettings | RxDelay | CFList (13 or 29 bytes), in clear. */
  msg: Buffer;
}

/** Join-accept of a 1.1 device with OptNeg = 1 (L11 §6.2.3). */
export interface JoinAcceptMic11Params {
  optNeg: true;
  jsIntKey: Buffer;
  joinReqType: JoinReqType;
  /** JoinEUI, 8 bytes in printed (big-endian) order. */
  joinEui: Buffer;
  /** DevNonce of the Join-request, or RJcount0/RJcount1 when answering a Rejoin-request (L11 §6.2.4.4). */
  devNonce: number;
  /** MHDR | JoinNonce | NetID | DevAddr | DLSettings | RxDelay | CFList (13 or 29 bytes), in clear. */
  msg: Buffer;
}

export type JoinAcceptMicParams = JoinAcceptMicLegacyParams | JoinAcceptMic11Params;

export interface RejoinRequestMicParams {
  /** SNwkSIntKey for Rejoin type 0 and 2, JSIntKey for type 1 (L11 §6.2.4). */
  key: Buffer;
  /** The Rejoin-request before its MIC: 15 bytes (type 0/2) or 20 bytes (type 1). */
  msg: Buffer;
}

/**
 * Uplink MIC of a LoRaWAN 1.0.x device (L102 §4.4): cmac(NwkSKey, B0 | msg)[0..3], B0 bytes 1..4 zero.
 */
export function computeUplinkMic10(p: UplinkMic10Params): Buffer {
  assertAes128Key(p.nwkSKey, 'nwkSKey');
  checkDataMsg(p.msg);
  return mic4(p.nwkSKey, dataBlock(0, 0, 0, 0, p.devAddr, p.fCnt, p.msg.length), p.msg);
}

/**
 * cmacF[0..3] of a 1.1 uplink: cmac(FNwkSIntKey, B0 | msg) with B0 as in 1.0 (L11 §4.4.2).
 * It is the whole MIC of a 1.1 device served by a 1.0 network server, and its first two bytes are the
 * MIC's last two for a 1.1 network server, which is all a forwarding NS without SNwkSIntKey can check
 * (see {@link verifyUplinkMicF}).
 */
export function computeUplinkMicF(p: UplinkMicFParams): Buffer {
  assertAes128Key(p.fNwkSIntKey, 'fNwkSIntKey');
  checkDataMsg(p.msg);
  return mic4(p.fNwkSIntKey, dataBlock(0, 0, 0, 0, p.devAddr, p.fCnt, p.msg.length), p.msg);
}

/**
 * Uplink MIC of a LoRaWAN 1.1 device on a 1.1 network server (L11 §4.4.2):
 * cmacS = cmac(SNwkSIntKey, B1 | msg), cmacF = cmac(FNwkSIntKey, B0 | msg), MIC = cmacS[0..1] | cmacF[0..1],
 * B1 = 0x49 | ConfFCnt(2) | TxDr | TxCh | Dir=0 | DevAddr | FCntUp | 0x00 | len(msg).
 */
export function computeUplinkMic11(p: UplinkMic11Params): Buffer {
  assertAes128Key(p.fNwkSIntKey, 'fNwkSIntKey');
  assertAes128Key(p.sNwkSIntKey, 'sNwkSIntKey');
  checkDataMsg(p.msg);
  const txDr = uint(p.txDr, 0xff, 'txDr');
  const txCh = uint(p.txCh, 0xff, 'txCh');
  const confFCnt = ackConfFCnt(p.msg, p.confFCnt);
  const len = p.msg.length;
  const b1 = dataBlock(confFCnt, txDr, txCh, 0, p.devAddr, p.fCnt, len);
  const cmacS = aesCmacPrefixed(p.sNwkSIntKey, b1, p.msg);
  const cmacF = aesCmacPrefixed(p.fNwkSIntKey, dataBlock(0, 0, 0, 0, p.devAddr, p.fCnt, len), p.msg);
  const mic = Buffer.allocUnsafe(4);
  mic[0] = cmacS[0];
  mic[1] = cmacS[1];
  mic[2] = cmacF[0];
  mic[3] = cmacF[1];
  return mic;
}

/**
 * The part of a 1.1 uplink MIC a forwarding network server can verify with FNwkSIntKey alone
 * (MIC[2..3] = cmacF[0..1], L11 §4.4.2; ChirpStack `validate_uplink_data_micf`).
 */
export function verifyUplinkMicF(p: UplinkMicFParams & { mic: Buffer }): boolean {
  if (!Buffer.isBuffer(p.mic) || p.mic.length !== 4) return false;
  const cmacF = computeUplinkMicF(p);
  return micEquals(p.mic.subarray(2, 4), cmacF.subarray(0, 2));
}

/**
 * Downlink MIC, 1.0.x and 1.1 (L102 §4.4, L11 §4.4.1): cmac(key, B0 | msg)[0..3],
 * B0 = 0x49 | ConfFCnt(2) | 0x0000 | Dir=1 | DevAddr | FCnt | 0x00 | len(msg).
 * ConfFCnt is non-zero only for a 1.1 device when the ACK bit is set: pass `confFCnt` only for 1.1 devices.
 */
export function computeDownlinkMic(p: DownlinkMicParams): Buffer {
  assertAes128Key(p.key, 'key');
  checkDataMsg(p.msg);
  const confFCnt = ackConfFCnt(p.msg, p.confFCnt);
  return mic4(p.key, dataBlock(confFCnt, 0, 0, 1, p.devAddr, p.fCnt, p.msg.length), p.msg);
}

/** Join-request MIC (L11 §6.2.2, L102 §6.2.4): cmac(AppKey | NwkKey, MHDR | JoinEUI | DevEUI | DevNonce)[0..3]. */
export function computeJoinRequestMic(p: JoinRequestMicParams): Buffer {
  assertAes128Key(p.key, 'key');
  requireBuffer(p.msg);
  if (p.msg.length !== JOIN_REQUEST_MSG_LENGTH) {
    throw new LorawanError('BAD_LENGTH', `join-request MIC input: expected 19 bytes, got ${p.msg.length}`);
  }
  return mic4(p.key, undefined, p.msg);
}

/**
 * Join-accept MIC (L11 §6.2.3), computed on the clear payload before encryption:
 * - 1.0.x, or 1.1 with OptNeg = 0: cmac(AppKey | NwkKey, MHDR | JoinNonce | NetID | DevAddr | DLSettings | RxDelay | CFList)
 * - 1.1 with OptNeg = 1: cmac(JSIntKey, JoinReqType | JoinEUI | DevNonce | MHDR | JoinNonce | … | CFList)
 * The OptNeg form is chosen by `optNeg: true`, not by the DLSettings bit in `msg`: the caller knows the device.
 */
export function computeJoinAcceptMic(p: JoinAcceptMicParams): Buffer {
  requireBuffer(p.msg);
  if (p.msg.length !== JOIN_ACCEPT_MSG_LENGTH && p.msg.length !== JOIN_ACCEPT_MSG_LENGTH_CFLIST) {
    throw new LorawanError(
      'BAD_LENGTH',
      `join-accept MIC input: expected 13 or 29 bytes, got ${p.msg.length}`,
    );
  }
  if (p.optNeg !== true) {
    assertAes128Key(p.key, 'key');
    return mic4(p.key, undefined, p.msg);
  }
  assertAes128Key(p.jsIntKey, 'jsIntKey');
  if (p.joinReqType !== 0xff && p.joinReqType !== 0x00 && p.joinReqType !== 0x01 && p.joinReqType !== 0x02) {
    throw new LorawanError('BAD_FIELD', `joinReqType: ${String(p.joinReqType)} is not 0xFF, 0, 1 or 2`);
  }
  if (!Buffer.isBuffer(p.joinEui) || p.joinEui.length !== 8) {
    throw new LorawanError('BAD_FIELD', 'joinEui: expected an 8-byte Buffer');
  }
  const devNonce = uint(p.devNonce, 0xffff, 'devNonce');
  // JoinReqType | JoinEUI (LE on air) | DevNonce (LE)
  const prefix = Buffer.allocUnsafe(11);
  prefix[0] = p.joinReqType;
  for (let i = 0; i < 8; i++) prefix[1 + i] = p.joinEui[7 - i];
  prefix[9] = devNonce & 0xff;
  prefix[10] = devNonce >>> 8;
  return mic4(p.jsIntKey, prefix, p.msg);
}

/**
 * Rejoin-request MIC (L11 §6.2.4.1-6.2.4.2): cmac(key, MHDR | RejoinType | … | RJcount)[0..3], key
 * SNwkSIntKey for type 0/2 and JSIntKey for type 1 (the caller picks; the layout is checked against the type).
 */
export function computeRejoinRequestMic(p: RejoinRequestMicParams): Buffer {
  assertAes128Key(p.key, 'key');
  requireBuffer(p.msg);
  if (p.msg.length < 2) {
    throw new LorawanError('TOO_SHORT', `rejoin-request MIC input: ${p.msg.length} bytes`);
  }
  const type = p.msg[1];
  const expected = type === 1 ? REJOIN_1_MSG_LENGTH : type === 0 || type === 2 ? REJOIN_02_MSG_LENGTH : -1;
  if (expected < 0) {
    throw new LorawanError('BAD_FIELD', `rejoin-request: RejoinType ${type} is not 0, 1 or 2`);
  }
  if (p.msg.length !== expected) {
    throw new LorawanError(
      'BAD_LENGTH',
      `rejoin-request type ${type} MIC input: expected ${expected} bytes, got ${p.msg.length}`,
    );
  }
  return mic4(p.key, undefined, p.msg);
}

/**
 * Compares two MICs (or MIC parts) without an early exit on the first differing byte (node's
 * timingSafeEqual). Buffers of different or zero length are unequal.
 */
export function micEquals(a: Buffer, b: Buffer): boolean {
  if (!Buffer.isBuffer(a) || !Buffer.isBuffer(b) || a.length !== b.length || a.length === 0) return false;
  return timingSafeEqual(a, b);
}

/** MIC = cmac[0..3] (L11 §4.4, §6.2). */
function mic4(key: Buffer, prefix: Buffer | undefined, msg: Buffer): Buffer {
  return aesCmacPrefixed(key, prefix, msg).subarray(0, 4);
}

/** B0/B1 (L11 §4.4): 0x49 | ConfFCnt(2, LE) | TxDr | TxCh | Dir | DevAddr(4, LE) | FCnt(4, LE) | 0x00 | len. */
function dataBlock(
  confFCnt: number,
  txDr: number,
  txCh: number,
  dir: 0 | 1,
  devAddr: number,
  fCnt: number,
  msgLen: number,
): Buffer {
  const b = Buffer.allocUnsafe(16);
  b[0] = 0x49;
  b[1] = confFCnt & 0xff;
  b[2] = (confFCnt >>> 8) & 0xff;
  b[3] = txDr;
  b[4] = txCh;
  b[5] = dir;
  b.writeUInt32LE(uint(devAddr, 0xffffffff, 'devAddr'), 6);
  b.writeUInt32LE(uint(fCnt, 0xffffffff, 'fCnt'), 10);
  b[14] = 0;
  b[15] = msgLen;
  return b;
}

function requireBuffer(msg: Buffer): void {
  if (!Buffer.isBuffer(msg)) throw new LorawanError('BAD_FIELD', 'msg: expected a Buffer');
}

function checkDataMsg(msg: Buffer): void {
  requireBuffer(msg);
  if (msg.length < DATA_MSG_MIN) {
    throw new LorawanError(
      'TOO_SHORT',
      `data MIC input: needs at least ${DATA_MSG_MIN} bytes, got ${msg.length}`,
    );
  }
  if (msg.length > DATA_MSG_MAX) {
    throw new LorawanError('TOO_LONG', `data MIC input: at most ${DATA_MSG_MAX} bytes, got ${msg.length}`);
  }
}

/** ConfFCnt mod 2^16 when the frame's ACK bit is set, else 0. */
function ackConfFCnt(msg: Buffer, confFCnt: number | undefined): number {
  if (confFCnt === undefined || (msg[FCTRL_OFFSET] & FCTRL_ACK) === 0) return 0;
  return uint(confFCnt, 0xffffffff, 'confFCnt') & 0xffff;
}

function uint(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new LorawanError('BAD_FIELD', `${what}: ${String(v)} is not an integer in 0..${max}`);
  }
  return v;
}
