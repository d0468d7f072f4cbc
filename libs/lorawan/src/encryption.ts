import { createCipheriv, createDecipheriv } from 'node:crypto';
import { assertAes128Key } from './cmac';
import { LorawanError } from './errors';

/**
 * Payload confidentiality of LoRaWAN 1.0.x / 1.1: FRMPayload and FOpts keystreams (AES-128 in a CTR-like
 * mode, so encryption and decryption are the same operation) and the join-accept ECB encryption.
 */

/** A PHYPayload is at most 255 bytes, so no FRMPayload is longer (and block counter i fits in a byte). */
const FRM_PAYLOAD_MAX = 255;
const FOPTS_MAX = 15;

export interface FrmPayloadCryptParams {
  /** AppSKey for FPort 1..255; NwkSKey (1.0.x) or NwkSEncKey (1.1) for FPort 0 (L11 §4.3.3). */
  key: Buffer;
  /** Direction: true for an uplink (Dir = 0), false for a downlink (Dir = 1). */
  uplink: boolean;
  /** DevAddr, printed (big-endian) order. */
  devAddr: number;
  /** Full 32-bit counter: FCntUp, or FCntDown (1.0) / NFCntDown (FPort 0) / AFCntDown (FPort > 0) in 1.1. */
  fCnt: number;
  /** FRMPayload, encrypted or in clear (0..255 bytes). */
  payload: Buffer;
}

/**
 * Which frame counter encrypted FOpts belong to; it selects Dir and the erratum's block identifier:
 * FCntUp for an uplink, NFCntDown for a downlink without FPort or with FPort 0, AFCntDown for a downlink
 * with FPort > 0.
 */
export type FOptsCounter = 'FCntUp' | 'NFCntDown' | 'AFCntDown';

export interface FOptsCryptParams {
  nwkSEncKey: Buffer;
  counter: FOptsCounter;
  /** DevAddr, printed (big-endian) order. */
  devAddr: number;
  /** The full 32-bit value of `counter`. */
  fCnt: number;
  /** FOpts, encrypted or in clear (0..15 bytes). */
  fOpts: Buffer;
}

export interface JoinAcceptCryptParams {
  /** AppKey (1.0.x), NwkKey (1.1, answer to a Join-request) or JSEncKey (1.1, answer to a Rejoin-request). */
  key: Buffer;
  /** The whole join-accept PHYPayload: MHDR then 16 or 32 bytes (fields | CFList | MIC). MHDR stays in clear. */
  phyPayload: Buffer;
}

/**
 * FRMPayload encryption (L11 §4.3.3, L102 §4.3.3): out = payload XOR S, S = AES(K, A_1) | AES(K, A_2) | …,
 * A_i = 0x01 | 0x00000000 | Dir | DevAddr(LE) | FCnt(4, LE) | 0x00 | i. The full 32-bit counter is used even
 * though only 16 bits travel. Being XOR with a keystream, the same call decrypts.
 * Returns a new Buffer; the input is not modified.
 */
export function encryptFrmPayload(p: FrmPayloadCryptParams): Buffer {
  assertAes128Key(p.key, 'key');
  requireBuffer(p.payload, 'payload');
  const len = p.payload.length;
  if (len > FRM_PAYLOAD_MAX) {
    throw new LorawanError('TOO_LONG', `FRMPayload: at most ${FRM_PAYLOAD_MAX} bytes, got ${len}`);
  }
  const devAddr = uint32(p.devAddr, 'devAddr');
  const fCnt = uint32(p.fCnt, 'fCnt');
  if (len === 0) return Buffer.alloc(0);
  const a1 = Buffer.allocUnsafe(16);
  writeABlock(a1, 0, 0x00, p.uplink ? 0 : 1, devAddr, fCnt, 1);
  return keystreamXor(p.key, a1, p.payload);
}

/** Same operation as {@link encryptFrmPayload} (keystream XOR), named for readability at call sites. */
export function decryptFrmPayload(p: FrmPayloadCryptParams): Buffer {
  return encryptFrmPayload(p);
}

/**
 * FOpts encryption of LoRaWAN 1.1 (L11 §4.3.1.6; 1.0.x FOpts travel in clear). One keystream block:
 * A = 0x01 | 0x00 0x00 0x00 id | Dir | DevAddr(LE) | FCnt(4, LE) | 0x00 | 0x01.
 *
 * The printed 1.1 text puts 0x00000000 in bytes 1..4 and 0x00 in the last byte. Downlinks have two
 * independent counters (NFCntDown, AFCntDown) that often hold the same value, so under that text two
 * different downlinks would XOR their FOpts with the same keystream. The LoRa Alliance erratum "FOpts
 * Encryption, Usage of FCntDwn" separates them: byte 4 = 0x01 for FCntUp and NFCntDown, 0x02 for
 * AFCntDown (the counter in FHDR when FPort > 0), and the last byte = 0x01. Deployed stacks implement the
 * erratum (TTS macspec `fOptsBlockIdentifier1/2`, ChirpStack `encrypt_f_opts`, brocaar/lorawan
 * `EncryptFOpts`), so it is what 1.1 devices expect. Encryption and decryption are the same XOR; FOpts are
 * encrypted before the MIC is computed.
 */
export function encryptFOpts(p: FOptsCryptParams): Buffer {
  assertAes128Key(p.nwkSEncKey, 'nwkSEncKey');
  requireBuffer(p.fOpts, 'fOpts');
  const len = p.fOpts.length;
  if (len > FOPTS_MAX) throw new LorawanError('TOO_LONG', `FOpts: at most ${FOPTS_MAX} bytes, got ${len}`);
  let id: number;
  let dir: 0 | 1;
  switch (p.counter) {
    case 'FCntUp':
      id = 0x01;
      dir = 0;
      break;
    case 'NFCntDown':
      id = 0x01;
      dir = 1;
      break;
    case 'AFCntDown':
      id = 0x02;
      dir = 1;
      break;
    default:
      throw new LorawanError(
        'BAD_FIELD',
        `FOpts counter: ${String(p.counter)} is not FCntUp, NFCntDown or AFCntDown`,
      );
  }
  const devAddr = uint32(p.devAddr, 'devAddr');
  const fCnt = uint32(p.fCnt, 'fCnt');
  if (len === 0) return Buffer.alloc(0);
  const a = Buffer.allocUnsafe(16);
  writeABlock(a, 0, id, dir, devAddr, fCnt, 0x01);
  return keystreamXor(p.nwkSEncKey, a, p.fOpts);
}

/** Same operation as {@link encryptFOpts}. */
export function decryptFOpts(p: FOptsCryptParams): Buffer {
  return encryptFOpts(p);
}

/**
 * Join-accept encryption, network/join-server side (L11 §6.2.3, L102 §6.2.5): the 16 or 32 bytes after
 * MHDR (fields, CFList, MIC; compute the MIC first) go through AES-128-ECB *decryption*, so that the device
 * only needs the AES encrypt primitive to recover them. Returns a new PHYPayload with MHDR unchanged.
 */
export function encryptJoinAccept(p: JoinAcceptCryptParams): Buffer {
  return joinAcceptEcb(p, false);
}

/** Join-accept decryption, device side: AES-128-ECB *encryption* of the bytes after MHDR (see above). */
export function decryptJoinAccept(p: JoinAcceptCryptParams): Buffer {
  return joinAcceptEcb(p, true);
}

function joinAcceptEcb(p: JoinAcceptCryptParams, encrypt: boolean): Buffer {
  assertAes128Key(p.key, 'key');
  requireBuffer(p.phyPayload, 'phyPayload');
  const len = p.phyPayload.length;
  if (len !== 17 && len !== 33) {
    throw new LorawanError('BAD_LENGTH', `join-accept PHYPayload: expected 17 or 33 bytes, got ${len}`);
  }
  const c = encrypt
    ? createCipheriv('aes-128-ecb', p.key, null)
    : createDecipheriv('aes-128-ecb', p.key, null);
  c.setAutoPadding(false);
  // No padding: update() returns every complete block in both directions.
  const body = c.update(p.phyPayload.subarray(1));
  const out = Buffer.allocUnsafe(len);
  out[0] = p.phyPayload[0];
  body.copy(out, 1);
  return out;
}

/**
 * `data` XOR (AES(K, A_1) | AES(K, A_2) | …): AES-128-CTR with A_1 as the initial counter block, as
 * the A_i differ only in their last byte, i, and CTR increments the block as a 128-bit big-endian
 * counter. At most 16 blocks (255 bytes), so i never carries out of that byte. One cipher and one
 * update() for the whole payload: no keystream built and XOR-ed block by block in JavaScript.
 */
function keystreamXor(key: Buffer, a1: Buffer, data: Buffer): Buffer {
  return createCipheriv('aes-128-ctr', key, a1).update(data);
}

/** A block: 0x01 | 0x00 0x00 0x00 id | Dir | DevAddr(LE) | FCnt(LE) | 0x00 | last. */
function writeABlock(
  buf: Buffer,
  off: number,
  id: number,
  dir: 0 | 1,
  devAddr: number,
  fCnt: number,
  last: number,
): void {
  buf[off] = 0x01;
  buf[off + 1] = 0;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  buf[off + 4] = id;
  buf[off + 5] = dir;
  buf.writeUInt32LE(devAddr, off + 6);
  buf.writeUInt32LE(fCnt, off + 10);
  buf[off + 14] = 0;
  buf[off + 15] = last;
}

function requireBuffer(v: Buffer, what: string): void {
  if (!Buffer.isBuffer(v)) throw new LorawanError('BAD_FIELD', `${what}: expected a Buffer`);
}

function uint32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new LorawanError('BAD_FIELD', `${what}: ${String(v)} is not an unsigned 32-bit integer`);
  }
  return v;
}
