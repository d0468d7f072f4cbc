/**
 * PHYPayload codec: structure only (LoRaWAN 1.1 §4, §6.2; 1.0.x §4, §6.2). No MIC is computed or
 * checked and nothing is decrypted here — the MIC travels as 4 raw bytes and `micInput` returns the
 * bytes it covers.
 *
 * Aliasing: for speed on the uplink path, the Buffers of a decoded frame (`mic`, `fOpts`,
 * `frmPayload`, `encrypted`, `payload`, `cfList`) are `subarray` views of the input — they share its
 * memory. Copy them (`Buffer.from(x)`) before the input is reused or mutated. EUIs are the exception:
 * they are reversed from air order into printed order and therefore always fresh copies.
 *
 * Decoders throw only `LorawanError`; every successfully decoded frame re-encodes to the same bytes
 * (RFU bits of the MHDR are carried in `mhdrRfu` for that reason).
 *
 * Decisions beyond the spec text:
 * - MType 6 (Rejoin-request in 1.1, RFU in 1.0.x) is always decoded as a rejoin-request; refusing it
 *   for a 1.0 device is the network server's job. RejoinType 3..255 → `BAD_FIELD`.
 * - No MType is RFU at this level (all 8 values are defined in 1.1), so `BAD_MTYPE` is only raised
 *   for wrong MTypes given to an encoder or to `decodeJoinAcceptPlaintext`.
 * - Proprietary frames have no defined MIC (§4.2.1): everything after the MHDR is `payload`.
 * - Any frame longer than 255 bytes → `TOO_LONG`: the LoRa PHY length field is 8 bits and the
 *   largest regional M (250) plus MHDR and MIC is 255 (RP002). Region/DR limits are checked elsewhere.
 */
import { LorawanError } from './errors';
import { decodeFhdr, FHDR_MIN_LENGTH, FhdrDownlink, FhdrUplink, validateFhdr, writeFhdr } from './fhdr';
import { decodeMhdr, encodeMhdr, Major, MType } from './mhdr';

export const MIC_LENGTH = 4;
/** Upper bound of any PHYPayload (see the header comment). */
export const PHY_PAYLOAD_MAX_LENGTH = 255;
/** MHDR | JoinEUI(8) | DevEUI(8) | DevNonce(2) | MIC — LoRaWAN 1.1 §6.2.2. */
export const JOIN_REQUEST_LENGTH = 23;
/** MHDR | 16 encrypted bytes, or 32 with a CFList — LoRaWAN 1.1 §6.2.3. */
export const JOIN_ACCEPT_LENGTH = 17;
export const JOIN_ACCEPT_CFLIST_LENGTH = 33;
/** MHDR | type | NetID(3) | DevEUI(8) | RJcount0(2) | MIC — LoRaWAN 1.1 §6.2.4.1. */
export const REJOIN_02_LENGTH = 19;
/** MHDR | type | JoinEUI(8) | DevEUI(8) | RJcount1(2) | MIC — LoRaWAN 1.1 §6.2.4.2. */
export const REJOIN_1_LENGTH = 24;
/** MHDR | FHDR without FOpts | MIC: the shortest data frame (no FPort, no FRMPayload). */
export const DATA_MIN_LENGTH = 1 + FHDR_MIN_LENGTH + MIC_LENGTH;
const CFLIST_LENGTH = 16;
const EUI_LENGTH = 8;

interface FrameBase {
  /** MHDR bits 4..2 (RFU); present only when non-zero. */
  mhdrRfu?: number;
}

export interface JoinRequestFrame extends FrameBase {
  mType: MType.JoinRequest;
  /** 8 bytes, printed (big-endian) order. */
  joinEui: Buffer;
  /** 8 bytes, printed (big-endian) order. */
  devEui: Buffer;
  devNonce: number;
  mic: Buffer;
}

/** Join-accept as it is on air: everything after the MHDR (MIC included) is encrypted. */
export interface JoinAcceptFrame extends FrameBase {
  mType: MType.JoinAccept;
  /** 16 bytes, or 32 with a CFList. */
  encrypted: Buffer;
}

/** Rejoin-request type 0 or 2 (LoRaWAN 1.1 §6.2.4.1). */
export interface RejoinRequest02Frame extends FrameBase {
  mType: MType.RejoinRequest;
  rejoinType: 0 | 2;
  netId: number;
  devEui: Buffer;
  rjCount0: number;
  mic: Buffer;
}

/** Rejoin-request type 1 (LoRaWAN 1.1 §6.2.4.2). */
export interface RejoinRequest1Frame extends FrameBase {
  mType: MType.RejoinRequest;
  rejoinType: 1;
  joinEui: Buffer;
  devEui: Buffer;
  rjCount1: number;
  mic: Buffer;
}

export type RejoinRequestFrame = RejoinRequest02Frame | RejoinRequest1Frame;

/**
 * Data frame fields beside the FHDR. `fPort` undefined ⇔ no FPort byte; then `frmPayload` is
 * undefined too. With an FPort, `frmPayload` is a Buffer (possibly empty). FRMPayload and, in 1.1,
 * FOpts are as on air (encrypted).
 */
interface DataTail {
  fPort?: number;
  frmPayload?: Buffer;
  mic: Buffer;
}

export interface DataUpFrame extends FrameBase, FhdrUplink, DataTail {
  mType: MType.UnconfirmedDataUp | MType.ConfirmedDataUp;
}

export interface DataDownFrame extends FrameBase, FhdrDownlink, DataTail {
  mType: MType.UnconfirmedDataDown | MType.ConfirmedDataDown;
}

export type DataFrame = DataUpFrame | DataDownFrame;

export interface ProprietaryFrame extends FrameBase {
  mType: MType.Proprietary;
  /** Every byte after the MHDR: the spec defines no MIC for proprietary frames. */
  payload: Buffer;
  /** Encode only: appended after `payload` if given (4 bytes). Decoding never sets it. */
  mic?: Buffer;
}

export type PhyPayload =
  JoinRequestFrame | JoinAcceptFrame | RejoinRequestFrame | DataFrame | ProprietaryFrame;

/** DLSettings (LoRaWAN 1.1 §5.4 / §6.2.3): bit 7 OptNeg (RFU = 0 in 1.0), 6..4 RX1DROffset, 3..0 RX2DataRate. */
export interface DlSettings {
  optNeg: boolean;
  rx1DrOffset: number;
  rx2DataRate: number;
}

/**
 * Decrypted join-accept. Its wire form (`encode/decodeJoinAcceptPlaintext`) is the join-accept
 * PHYPayload with the encrypted part replaced by plaintext:
 * `MHDR | JoinNonce(3) | NetID(3) | DevAddr(4) | DLSettings | RxDelay | [CFList(16)] | MIC` (17 or 33 bytes).
 * So `micInput(plain)` is the 1.0 / OptNeg=0 MIC input (§6.2.3), and `plain.subarray(1)` is what
 * gets encrypted.
 */
export interface JoinAcceptPlaintext {
  mhdrRfu?: number;
  /** 24-bit (AppNonce in 1.0.x). */
  joinNonce: number;
  /** 24-bit. */
  netId: number;
  devAddr: number;
  dlSettings: DlSettings;
  /** RxDelay.Del, 0..15 (0 and 1 both mean 1 s, §5.8). The RFU upper nibble must be 0. */
  rxDelay: number;
  /** 16 raw bytes, the last being CFListType (§4.1 of RP002). */
  cfList?: Buffer;
  mic: Buffer;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** True for frames an end-device sends (§4.2.1). Proprietary carries no direction: false. */
export function isUplink(mType: MType): boolean {
  return (
    mType === MType.JoinRequest ||
    mType === MType.UnconfirmedDataUp ||
    mType === MType.ConfirmedDataUp ||
    mType === MType.RejoinRequest
  );
}

/** True for the four data MTypes (2..5). */
export function isDataMType(mType: MType): boolean {
  return mType >= MType.UnconfirmedDataUp && mType <= MType.ConfirmedDataDown;
}

/**
 * The bytes a MIC covers: all but the last 4 (MHDR | MACPayload, §4.4 / §6.2.2 / §6.2.4). An alias
 * of `buf`. For a join-accept this only holds for the decrypted form (see `JoinAcceptPlaintext`).
 */
export function micInput(buf: Buffer): Buffer {
  if (buf.length < 1 + MIC_LENGTH) {
    throw new LorawanError('TOO_SHORT', `PHYPayload: ${buf.length} bytes hold no MHDR and MIC`);
  }
  return buf.subarray(0, buf.length - MIC_LENGTH);
}

/**
 * DevAddr of a data frame (MType 2..5, Major R1, at least 12 bytes) read straight from bytes 1..4,
 * without a full decode; `undefined` for anything else. Never throws. Downlink data frames are
 * answered too — check `buf[0] >> 5` if that matters. A value here does not mean the frame decodes.
 */
export function peekDevAddr(buf: Buffer): number | undefined {
  if (buf.length < DATA_MIN_LENGTH) return undefined;
  const m = buf[0];
  const t = m >>> 5;
  if ((m & 0x03) !== 0 || t < MType.UnconfirmedDataUp || t > MType.ConfirmedDataDown) return undefined;
  return buf.readUInt32LE(1);
}

/** EUI from air order (LE) into a fresh Buffer in printed order. */
function readEui(buf: Buffer, offset: number): Buffer {
  const out = Buffer.allocUnsafe(EUI_LENGTH);
  for (let i = 0; i < EUI_LENGTH; i++) out[i] = buf[offset + EUI_LENGTH - 1 - i];
  return out;
}

function writeEui(eui: Buffer, out: Buffer, offset: number): void {
  for (let i = 0; i < EUI_LENGTH; i++) out[offset + i] = eui[EUI_LENGTH - 1 - i];
}

function requireBuffer(b: unknown, length: number, what: string): asserts b is Buffer {
  if (!Buffer.isBuffer(b)) throw new LorawanError('BAD_FIELD', `${what}: not a Buffer`);
  if (b.length !== length)
    throw new LorawanError('BAD_FIELD', `${what}: ${b.length} bytes, expected ${length}`);
}

function requireUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new LorawanError('BAD_FIELD', `${what}: ${v} is not an integer in 0..${max}`);
  }
}

/** TOO_SHORT / TOO_LONG for a fixed-size layout. */
function requireExactLength(len: number, expected: number, what: string): void {
  if (len < expected) throw new LorawanError('TOO_SHORT', `${what}: ${len} bytes, expected ${expected}`);
  if (len > expected) throw new LorawanError('TOO_LONG', `${what}: ${len} bytes, expected ${expected}`);
}

/** Join-accept: 17 or 33 bytes (§6.2.3). */
function requireJoinAcceptLength(len: number): void {
  if (len < JOIN_ACCEPT_LENGTH) {
    throw new LorawanError('TOO_SHORT', `join-accept: ${len} bytes, expected ${JOIN_ACCEPT_LENGTH} or 33`);
  }
  if (len > JOIN_ACCEPT_CFLIST_LENGTH) {
    throw new LorawanError(
      'TOO_LONG',
      `join-accept: ${len} bytes, expected 17 or ${JOIN_ACCEPT_CFLIST_LENGTH}`,
    );
  }
  if (len !== JOIN_ACCEPT_LENGTH && len !== JOIN_ACCEPT_CFLIST_LENGTH) {
    throw new LorawanError('BAD_LENGTH', `join-accept: ${len} bytes, expected 17 or 33`);
  }
}

function withRfu<T extends FrameBase>(frame: T, rfu: number): T {
  if (rfu !== 0) frame.mhdrRfu = rfu;
  return frame;
}

// ---------------------------------------------------------------------------------------------
// Decode
// ---------------------------------------------------------------------------------------------

/** Decodes any PHYPayload. Throws `LorawanError` only; see the file header for aliasing. */
export function decodePhyPayload(buf: Buffer): PhyPayload {
  const len = buf.length;
  if (len < 1) throw new LorawanError('TOO_SHORT', 'PHYPayload: empty');
  if (len > PHY_PAYLOAD_MAX_LENGTH) {
    throw new LorawanError('TOO_LONG', `PHYPayload: ${len} bytes, max ${PHY_PAYLOAD_MAX_LENGTH}`);
  }
  const mhdr = decodeMhdr(buf[0]);
  const rfu = mhdr.rfu ?? 0;
  switch (mhdr.mType) {
    case MType.UnconfirmedDataUp:
    case MType.ConfirmedDataUp:
    case MType.UnconfirmedDataDown:
    case MType.ConfirmedDataDown:
      return withRfu(decodeData(buf, mhdr.mType), rfu);
    case MType.JoinRequest:
      requireExactLength(len, JOIN_REQUEST_LENGTH, 'join-request');
      return withRfu<JoinRequestFrame>(
        {
          mType: MType.JoinRequest,
          joinEui: readEui(buf, 1),
          devEui: readEui(buf, 9),
          devNonce: buf.readUInt16LE(17),
          mic: buf.subarray(19, 23),
        },
        rfu,
      );
    case MType.JoinAccept:
      requireJoinAcceptLength(len);
      return withRfu<JoinAcceptFrame>({ mType: MType.JoinAccept, encrypted: buf.subarray(1) }, rfu);
    case MType.RejoinRequest:
      return withRfu(decodeRejoin(buf), rfu);
    case MType.Proprietary:
      return withRfu<ProprietaryFrame>({ mType: MType.Proprietary, payload: buf.subarray(1) }, rfu);
  }
}

function decodeData(buf: Buffer, mType: MType): DataFrame {
  const len = buf.length;
  if (len < DATA_MIN_LENGTH) {
    throw new LorawanError('TOO_SHORT', `data frame: ${len} bytes, min ${DATA_MIN_LENGTH}`);
  }
  const micOffset = len - MIC_LENGTH;
  const uplink = mType === MType.UnconfirmedDataUp || mType === MType.ConfirmedDataUp;
  const fhdr = decodeFhdr(buf, uplink, 1, micOffset);
  const fOptsLen = fhdr.fOpts.length;
  const portOffset = 1 + FHDR_MIN_LENGTH + fOptsLen;
  let fPort: number | undefined;
  let frmPayload: Buffer | undefined;
  if (portOffset < micOffset) {
    fPort = buf[portOffset];
    // §4.3.1.6 / §4.3.2: MAC commands may not be in FOpts and FRMPayload at once.
    if (fPort === 0 && fOptsLen > 0) {
      throw new LorawanError('BAD_FOPTS', `data frame: FPort 0 with ${fOptsLen} bytes of FOpts`);
    }
    frmPayload = buf.subarray(portOffset + 1, micOffset);
  }
  return {
    mType,
    devAddr: fhdr.devAddr,
    fCtrl: fhdr.fCtrl,
    fCnt: fhdr.fCnt,
    fOpts: fhdr.fOpts,
    fPort,
    frmPayload,
    mic: buf.subarray(micOffset),
  } as DataFrame;
}

function decodeRejoin(buf: Buffer): RejoinRequestFrame {
  const len = buf.length;
  if (len < 2) throw new LorawanError('TOO_SHORT', 'rejoin-request: no RejoinType');
  const rejoinType = buf[1];
  if (rejoinType === 0 || rejoinType === 2) {
    requireExactLength(len, REJOIN_02_LENGTH, `rejoin-request type ${rejoinType}`);
    return {
      mType: MType.RejoinRequest,
      rejoinType,
      netId: buf.readUIntLE(2, 3),
      devEui: readEui(buf, 5),
      rjCount0: buf.readUInt16LE(13),
      mic: buf.subarray(15, 19),
    };
  }
  if (rejoinType === 1) {
    requireExactLength(len, REJOIN_1_LENGTH, 'rejoin-request type 1');
    return {
      mType: MType.RejoinRequest,
      rejoinType,
      joinEui: readEui(buf, 2),
      devEui: readEui(buf, 10),
      rjCount1: buf.readUInt16LE(18),
      mic: buf.subarray(20, 24),
    };
  }
  throw new LorawanError('BAD_FIELD', `rejoin-request: RejoinType ${rejoinType} is RFU`);
}

/** Decodes the decrypted join-accept form described at `JoinAcceptPlaintext`. */
export function decodeJoinAcceptPlaintext(buf: Buffer): JoinAcceptPlaintext {
  const len = buf.length;
  if (len < 1) throw new LorawanError('TOO_SHORT', 'join-accept: empty');
  const mhdr = decodeMhdr(buf[0]);
  if (mhdr.mType !== MType.JoinAccept) {
    throw new LorawanError('BAD_MTYPE', `join-accept: MType ${mhdr.mType} is not JoinAccept`);
  }
  requireJoinAcceptLength(len);
  const rxDelayByte = buf[12];
  if ((rxDelayByte & 0xf0) !== 0) {
    // Join-accepts are produced by this server; nothing legitimate sets these RFU bits.
    throw new LorawanError('BAD_FIELD', `join-accept: RxDelay RFU bits set (0x${rxDelayByte.toString(16)})`);
  }
  const dl = buf[11];
  const out: JoinAcceptPlaintext = {
    joinNonce: buf.readUIntLE(1, 3),
    netId: buf.readUIntLE(4, 3),
    devAddr: buf.readUInt32LE(7),
    dlSettings: { optNeg: (dl & 0x80) !== 0, rx1DrOffset: (dl >>> 4) & 0x07, rx2DataRate: dl & 0x0f },
    rxDelay: rxDelayByte,
    cfList: len === JOIN_ACCEPT_CFLIST_LENGTH ? buf.subarray(13, 13 + CFLIST_LENGTH) : undefined,
    mic: buf.subarray(len - MIC_LENGTH),
  };
  return withRfu(out, mhdr.rfu ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Encode
// ---------------------------------------------------------------------------------------------

/** Encodes any PHYPayload into a fresh Buffer. Invalid fields → `LorawanError`. */
export function encodePhyPayload(p: PhyPayload): Buffer {
  const mhdr = encodeMhdr({ mType: p.mType, major: Major.LoRaWANR1, rfu: p.mhdrRfu });
  switch (p.mType) {
    case MType.UnconfirmedDataUp:
    case MType.ConfirmedDataUp:
    case MType.UnconfirmedDataDown:
    case MType.ConfirmedDataDown:
      return encodeData(p, mhdr);
    case MType.JoinRequest: {
      requireBuffer(p.joinEui, EUI_LENGTH, 'join-request JoinEUI');
      requireBuffer(p.devEui, EUI_LENGTH, 'join-request DevEUI');
      requireUint(p.devNonce, 0xffff, 'join-request DevNonce');
      requireBuffer(p.mic, MIC_LENGTH, 'join-request MIC');
      const out = Buffer.allocUnsafe(JOIN_REQUEST_LENGTH);
      out[0] = mhdr;
      writeEui(p.joinEui, out, 1);
      writeEui(p.devEui, out, 9);
      out.writeUInt16LE(p.devNonce, 17);
      p.mic.copy(out, 19);
      return out;
    }
    case MType.JoinAccept: {
      const enc = p.encrypted;
      if (!Buffer.isBuffer(enc))
        throw new LorawanError('BAD_FIELD', 'join-accept: encrypted is not a Buffer');
      requireJoinAcceptLength(1 + enc.length);
      const out = Buffer.allocUnsafe(1 + enc.length);
      out[0] = mhdr;
      enc.copy(out, 1);
      return out;
    }
    case MType.RejoinRequest:
      return encodeRejoin(p, mhdr);
    case MType.Proprietary: {
      const { payload, mic } = p;
      if (!Buffer.isBuffer(payload))
        throw new LorawanError('BAD_FIELD', 'proprietary: payload is not a Buffer');
      if (mic !== undefined) requireBuffer(mic, MIC_LENGTH, 'proprietary MIC');
      const len = 1 + payload.length + (mic ? MIC_LENGTH : 0);
      if (len > PHY_PAYLOAD_MAX_LENGTH) {
        throw new LorawanError('TOO_LONG', `proprietary: ${len} bytes, max ${PHY_PAYLOAD_MAX_LENGTH}`);
      }
      const out = Buffer.allocUnsafe(len);
      out[0] = mhdr;
      payload.copy(out, 1);
      if (mic) mic.copy(out, 1 + payload.length);
      return out;
    }
    default:
      // encodeMhdr has already refused MTypes outside 0..7; this keeps the switch exhaustive.
      throw new LorawanError('BAD_MTYPE', `PHYPayload: unknown MType ${(p as { mType: unknown }).mType}`);
  }
}

function encodeData(p: DataFrame, mhdr: number): Buffer {
  const uplink = p.mType === MType.UnconfirmedDataUp || p.mType === MType.ConfirmedDataUp;
  validateFhdr(p);
  const { fPort, frmPayload, fOpts } = p;
  requireBuffer(p.mic, MIC_LENGTH, 'data frame MIC');
  if (frmPayload !== undefined && !Buffer.isBuffer(frmPayload)) {
    throw new LorawanError('BAD_FIELD', 'data frame: FRMPayload is not a Buffer');
  }
  let tail = 0;
  if (fPort === undefined) {
    // §4.3.2: "If the frame payload field is not empty, the port field must be present".
    if (frmPayload !== undefined && frmPayload.length > 0) {
      throw new LorawanError('BAD_FIELD', 'data frame: FRMPayload without FPort');
    }
  } else {
    requireUint(fPort, 0xff, 'data frame FPort');
    if (fPort === 0 && fOpts.length > 0) {
      throw new LorawanError('BAD_FOPTS', `data frame: FPort 0 with ${fOpts.length} bytes of FOpts`);
    }
    tail = 1 + (frmPayload ? frmPayload.length : 0);
  }
  const len = 1 + FHDR_MIN_LENGTH + fOpts.length + tail + MIC_LENGTH;
  if (len > PHY_PAYLOAD_MAX_LENGTH) {
    throw new LorawanError('TOO_LONG', `data frame: ${len} bytes, max ${PHY_PAYLOAD_MAX_LENGTH}`);
  }
  const out = Buffer.allocUnsafe(len);
  out[0] = mhdr;
  let o = writeFhdr(p, uplink, out, 1);
  if (fPort !== undefined) {
    out[o++] = fPort;
    if (frmPayload) o += frmPayload.copy(out, o);
  }
  p.mic.copy(out, o);
  return out;
}

function encodeRejoin(p: RejoinRequestFrame, mhdr: number): Buffer {
  if (p.rejoinType === 0 || p.rejoinType === 2) {
    requireUint(p.netId, 0xffffff, 'rejoin-request NetID');
    requireBuffer(p.devEui, EUI_LENGTH, 'rejoin-request DevEUI');
    requireUint(p.rjCount0, 0xffff, 'rejoin-request RJcount0');
    requireBuffer(p.mic, MIC_LENGTH, 'rejoin-request MIC');
    const out = Buffer.allocUnsafe(REJOIN_02_LENGTH);
    out[0] = mhdr;
    out[1] = p.rejoinType;
    out.writeUIntLE(p.netId, 2, 3);
    writeEui(p.devEui, out, 5);
    out.writeUInt16LE(p.rjCount0, 13);
    p.mic.copy(out, 15);
    return out;
  }
  if (p.rejoinType === 1) {
    requireBuffer(p.joinEui, EUI_LENGTH, 'rejoin-request JoinEUI');
    requireBuffer(p.devEui, EUI_LENGTH, 'rejoin-request DevEUI');
    requireUint(p.rjCount1, 0xffff, 'rejoin-request RJcount1');
    requireBuffer(p.mic, MIC_LENGTH, 'rejoin-request MIC');
    const out = Buffer.allocUnsafe(REJOIN_1_LENGTH);
    out[0] = mhdr;
    out[1] = 1;
    writeEui(p.joinEui, out, 2);
    writeEui(p.devEui, out, 10);
    out.writeUInt16LE(p.rjCount1, 18);
    p.mic.copy(out, 20);
    return out;
  }
  throw new LorawanError(
    'BAD_FIELD',
    `rejoin-request: RejoinType ${(p as { rejoinType: unknown }).rejoinType} is RFU`,
  );
}

/** Encodes the decrypted join-accept form (17 or 33 bytes, MHDR first) — see `JoinAcceptPlaintext`. */
export function encodeJoinAcceptPlaintext(f: JoinAcceptPlaintext): Buffer {
  const mhdr = encodeMhdr({ mType: MType.JoinAccept, major: Major.LoRaWANR1, rfu: f.mhdrRfu });
  requireUint(f.joinNonce, 0xffffff, 'join-accept JoinNonce');
  requireUint(f.netId, 0xffffff, 'join-accept NetID');
  requireUint(f.devAddr, 0xffffffff, 'join-accept DevAddr');
  const dl = f.dlSettings;
  if (dl === null || typeof dl !== 'object')
    throw new LorawanError('BAD_FIELD', 'join-accept: no DLSettings');
  requireUint(dl.rx1DrOffset, 7, 'join-accept RX1DROffset');
  requireUint(dl.rx2DataRate, 15, 'join-accept RX2DataRate');
  requireUint(f.rxDelay, 15, 'join-accept RxDelay');
  if (f.cfList !== undefined) requireBuffer(f.cfList, CFLIST_LENGTH, 'join-accept CFList');
  requireBuffer(f.mic, MIC_LENGTH, 'join-accept MIC');
  const len = f.cfList ? JOIN_ACCEPT_CFLIST_LENGTH : JOIN_ACCEPT_LENGTH;
  const out = Buffer.allocUnsafe(len);
  out[0] = mhdr;
  out.writeUIntLE(f.joinNonce, 1, 3);
  out.writeUIntLE(f.netId, 4, 3);
  out.writeUInt32LE(f.devAddr, 7);
  out[11] = (dl.optNeg ? 0x80 : 0) | (dl.rx1DrOffset << 4) | dl.rx2DataRate;
  out[12] = f.rxDelay;
  if (f.cfList) f.cfList.copy(out, 13);
  f.mic.copy(out, len - MIC_LENGTH);
  return out;
}
