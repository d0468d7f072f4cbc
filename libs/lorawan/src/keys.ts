import { aes128EncryptBlocks, assertAes128Key } from './cmac';
import { LorawanError } from './errors';

/**
 * Session-key derivation (L102 §6.2.5, L104 §6.2.6, L11 §6.2.3 and §6.1.1.4). Every key is
 * aes128_encrypt(rootKey, type | fields | zero padding) with the fields little-endian as on air.
 */

/** Session of a LoRaWAN 1.0.x device. */
export interface SessionKeys10 {
  nwkSKey: Buffer;
  appSKey: Buffer;
}

/** Session of a LoRaWAN 1.1 device. */
export interface SessionKeys11 {
  fNwkSIntKey: Buffer;
  sNwkSIntKey: Buffer;
  nwkSEncKey: Buffer;
  appSKey: Buffer;
}

/** Lifetime keys a 1.1 device and its join server derive from NwkKey (L11 §6.1.1.4). */
export interface JoinServerKeys {
  jsIntKey: Buffer;
  jsEncKey: Buffer;
}

export interface SessionKeys10Params {
  appKey: Buffer;
  /** JoinNonce (AppNonce before 1.0.4), 24-bit. */
  joinNonce: number;
  /** NetID, 24-bit. */
  netId: number;
  /** DevNonce, 16-bit. */
  devNonce: number;
}

/** 1.1 device whose join-accept has OptNeg = 0 (a 1.0.x network server): keys come from NwkKey alone. */
export interface SessionKeys11OptNeg0Params {
  optNeg: false;
  nwkKey: Buffer;
  joinNonce: number;
  netId: number;
  /** DevNonce, or RJcount when the join-accept answers a Rejoin-request. */
  devNonce: number;
}

/** 1.1 device whose join-accept has OptNeg = 1. */
export interface SessionKeys11OptNeg1Params {
  optNeg: true;
  appKey: Buffer;
  nwkKey: Buffer;
  joinNonce: number;
  /** JoinEUI, 8 bytes in printed (big-endian) order. */
  joinEui: Buffer;
  /** DevNonce, or RJcount when the join-accept answers a Rejoin-request. */
  devNonce: number;
}

export type SessionKeys11Params = SessionKeys11OptNeg0Params | SessionKeys11OptNeg1Params;

export interface JoinServerKeysParams {
  nwkKey: Buffer;
  /** DevEUI, 8 bytes in printed (big-endian) order. */
  devEui: Buffer;
}

/**
 * LoRaWAN 1.0.x (L102 §6.2.5, L104 §6.2.6):
 * NwkSKey = aes128_encrypt(AppKey, 0x01 | JoinNonce | NetID | DevNonce | pad16),
 * AppSKey = aes128_encrypt(AppKey, 0x02 | JoinNonce | NetID | DevNonce | pad16).
 */
export function deriveSessionKeys10(p: SessionKeys10Params): SessionKeys10 {
  assertAes128Key(p.appKey, 'appKey');
  const blocks = legacyBlocks([0x01, 0x02], p.joinNonce, p.netId, p.devNonce);
  const out = aes128EncryptBlocks(p.appKey, blocks);
  return { nwkSKey: out.subarray(0, 16), appSKey: out.subarray(16, 32) };
}

/**
 * LoRaWAN 1.1 (L11 §6.2.3, lines 1589-1606):
 * - OptNeg = 0: AppSKey = aes128_encrypt(NwkKey, 0x02 | JoinNonce | NetID | DevNonce | pad16),
 *   FNwkSIntKey = aes128_encrypt(NwkKey, 0x01 | JoinNonce | NetID | DevNonce | pad16),
 *   SNwkSIntKey = NwkSEncKey = FNwkSIntKey.
 * - OptNeg = 1: AppSKey = aes128_encrypt(AppKey, 0x02 | JoinNonce | JoinEUI | DevNonce | pad16),
 *   FNwkSIntKey / SNwkSIntKey / NwkSEncKey = aes128_encrypt(NwkKey, 0x01 / 0x03 / 0x04 | JoinNonce | JoinEUI | DevNonce | pad16).
 * Each returned key is its own Buffer, even where the values are equal.
 */
export function deriveSessionKeys11(p: SessionKeys11Params): SessionKeys11 {
  assertAes128Key(p.nwkKey, 'nwkKey');
  if (p.optNeg !== true) {
    const out = aes128EncryptBlocks(p.nwkKey, legacyBlocks([0x01, 0x02], p.joinNonce, p.netId, p.devNonce));
    const fNwkSIntKey = out.subarray(0, 16);
    return {
      fNwkSIntKey,
      sNwkSIntKey: Buffer.from(fNwkSIntKey),
      nwkSEncKey: Buffer.from(fNwkSIntKey),
      appSKey: out.subarray(16, 32),
    };
  }
  assertAes128Key(p.appKey, 'appKey');
  const joinNonce = uint(p.joinNonce, 0xffffff, 'joinNonce');
  const devNonce = uint(p.devNonce, 0xffff, 'devNonce');
  const joinEui = eui(p.joinEui, 'joinEui');
  // Blocks: FNwkSIntKey (0x01), SNwkSIntKey (0x03), NwkSEncKey (0x04) under NwkKey; AppSKey (0x02) under AppKey.
  const nwk = Buffer.alloc(48);
  writeBlock11(nwk, 0, 0x01, joinNonce, joinEui, devNonce);
  writeBlock11(nwk, 16, 0x03, joinNonce, joinEui, devNonce);
  writeBlock11(nwk, 32, 0x04, joinNonce, joinEui, devNonce);
  const app = Buffer.alloc(16);
  writeBlock11(app, 0, 0x02, joinNonce, joinEui, devNonce);
  const n = aes128EncryptBlocks(p.nwkKey, nwk);
  return {
    fNwkSIntKey: n.subarray(0, 16),
    sNwkSIntKey: n.subarray(16, 32),
    nwkSEncKey: n.subarray(32, 48),
    appSKey: aes128EncryptBlocks(p.appKey, app),
  };
}

/**
 * JSIntKey = aes128_encrypt(NwkKey, 0x06 | DevEUI | pad16), JSEncKey = aes128_encrypt(NwkKey, 0x05 | DevEUI | pad16)
 * (L11 §6.1.1.4). JSIntKey signs Rejoin type 1 and OptNeg join-accepts; JSEncKey
 * encrypts join-accepts that answer a Rejoin-request.
 */
export function deriveJoinServerKeys(p: JoinServerKeysParams): JoinServerKeys {
  assertAes128Key(p.nwkKey, 'nwkKey');
  const devEui = eui(p.devEui, 'devEui');
  const blocks = Buffer.alloc(32);
  blocks[0] = 0x06;
  blocks[16] = 0x05;
  for (let i = 0; i < 8; i++) {
    blocks[1 + i] = devEui[7 - i];
    blocks[17 + i] = devEui[7 - i];
  }
  const out = aes128EncryptBlocks(p.nwkKey, blocks);
  return { jsIntKey: out.subarray(0, 16), jsEncKey: out.subarray(16, 32) };
}

/**
 * The 1.1 key set a network server uses for a 1.0.x session: FNwkSIntKey = SNwkSIntKey = NwkSEncKey = NwkSKey
 * (as ChirpStack `lrwn/src/keys.rs` does), so that MIC and FOpts code can take one shape of session.
 */
export function sessionKeys10As11(keys: SessionKeys10): SessionKeys11 {
  assertAes128Key(keys.nwkSKey, 'nwkSKey');
  assertAes128Key(keys.appSKey, 'appSKey');
  return {
    fNwkSIntKey: Buffer.from(keys.nwkSKey),
    sNwkSIntKey: Buffer.from(keys.nwkSKey),
    nwkSEncKey: Buffer.from(keys.nwkSKey),
    appSKey: Buffer.from(keys.appSKey),
  };
}

/** One block per type: type | JoinNonce(3, LE) | NetID(3, LE) | DevNonce(2, LE) | zeros. */
function legacyBlocks(types: number[], joinNonceIn: number, netIdIn: number, devNonceIn: number): Buffer {
  const joinNonce = uint(joinNonceIn, 0xffffff, 'joinNonce');
  const netId = uint(netIdIn, 0xffffff, 'netId');
  const devNonce = uint(devNonceIn, 0xffff, 'devNonce');
  const buf = Buffer.alloc(types.length * 16);
  for (let i = 0; i < types.length; i++) {
    const o = i * 16;
    buf[o] = types[i];
    buf.writeUIntLE(joinNonce, o + 1, 3);
    buf.writeUIntLE(netId, o + 4, 3);
    buf.writeUInt16LE(devNonce, o + 7);
  }
  return buf;
}

/** type | JoinNonce(3, LE) | JoinEUI(8, LE) | DevNonce(2, LE) | zeros, into a zero-filled buffer. */
function writeBlock11(
  buf: Buffer,
  o: number,
  type: number,
  joinNonce: number,
  joinEui: Buffer,
  devNonce: number,
): void {
  buf[o] = type;
  buf.writeUIntLE(joinNonce, o + 1, 3);
  for (let i = 0; i < 8; i++) buf[o + 4 + i] = joinEui[7 - i];
  buf.writeUInt16LE(devNonce, o + 12);
}

function eui(v: Buffer, what: string): Buffer {
  if (!Buffer.isBuffer(v) || v.length !== 8)
    throw new LorawanError('BAD_FIELD', `${what}: expected an 8-byte Buffer`);
  return v;
}

function uint(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new LorawanError('BAD_FIELD', `${what}: ${String(v)} is not an integer in 0..${max}`);
  }
  return v;
}
