import { createCipheriv } from 'node:crypto';
import { LorawanError } from './errors';

/**
 * AES-128 primitives of the protocol core: AES-CMAC (RFC 4493) and raw AES-128-ECB block encryption.
 * Node has no built-in CMAC, so it is built from AES-128-CBC (a CBC-MAC) plus the RFC 4493 subkeys.
 */

const BLOCK = 16;
/** The RFC 4493 §2.3 constant R_b for a 128-bit block cipher. */
const RB = 0x87;
/** All-zero block: the CBC IV and the input that yields L = AES(K, 0^128). Never written to. */
const ZERO_BLOCK = Buffer.alloc(BLOCK);
/** Scratch for the CMAC subkey: each call fills it before reading it, and nothing here is asynchronous. */
const SUBKEY = Buffer.alloc(BLOCK);

/** Throws BAD_KEY unless `key` is a 16-byte Buffer (AES-128). */
export function assertAes128Key(key: Buffer, what = 'key'): void {
  if (!Buffer.isBuffer(key) || key.length !== BLOCK) {
    const got = Buffer.isBuffer(key) ? `${key.length} bytes` : typeof key;
    throw new LorawanError('BAD_KEY', `${what}: expected a 16-byte Buffer, got ${got}`);
  }
}

/**
 * AES-128-ECB encryption of whole 16-byte blocks (no padding), as the LoRaWAN key derivation and the
 * A_i keystream blocks need. `data.length` must be a multiple of 16 (callers build the blocks).
 */
export function aes128EncryptBlocks(key: Buffer, data: Buffer): Buffer {
  assertAes128Key(key);
  if (!Buffer.isBuffer(data) || data.length % BLOCK !== 0) {
    throw new LorawanError(
      'BAD_LENGTH',
      `AES-ECB input: ${String(data?.length)} bytes is not a multiple of 16`,
    );
  }
  // Encryption emits every complete block from update(); padding would only matter to final(),
  // never called, so setAutoPadding(false) (one more native call per operation) is not needed.
  return createCipheriv('aes-128-ecb', key, null).update(data);
}

/** AES-CMAC (RFC 4493) of `msg` under a 16-byte key: the full 16-byte tag. */
export function aesCmac(key: Buffer, msg: Buffer): Buffer {
  return aesCmacPrefixed(key, undefined, msg);
}

/**
 * AES-CMAC of `prefix | msg` without concatenating them first (LoRaWAN MICs are CMACs of B0 | msg, or of
 * JoinReqType | JoinEUI | DevNonce | msg). Returns the full 16-byte tag; MICs take its first 4 bytes.
 *
 * One cipher object does it all: CBC with a zero IV first encrypts the zero block, which yields
 * L = AES(K, 0^128) (RFC 4493 §2.3) and leaves L in the chaining register. Feeding the first message
 * block XOR L next cancels that register, so the rest is exactly the RFC's CBC-MAC with a zero IV,
 * the last block XOR-ed with subkey K1 (complete block) or K2 (padded block).
 */
export function aesCmacPrefixed(key: Buffer, prefix: Buffer | undefined, msg: Buffer): Buffer {
  assertAes128Key(key);
  if (!Buffer.isBuffer(msg) || (prefix !== undefined && !Buffer.isBuffer(prefix))) {
    throw new LorawanError('BAD_FIELD', 'CMAC input: expected Buffers');
  }
  const prefixLen = prefix === undefined ? 0 : prefix.length;
  const total = prefixLen + msg.length;
  // RFC 4493 §2.4 step 3: an empty message is one incomplete (padded) block.
  const blocks = total === 0 ? 1 : Math.ceil(total / BLOCK);
  const complete = total !== 0 && total % BLOCK === 0;

  const buf = Buffer.allocUnsafe(blocks * BLOCK);
  if (prefix !== undefined) prefix.copy(buf, 0);
  msg.copy(buf, prefixLen);
  if (!complete) {
    // padding(x) = x | 10^i (RFC 4493 §2.4)
    buf[total] = 0x80;
    buf.fill(0, total + 1);
  }

  // No final(): padding is never applied (see aes128EncryptBlocks).
  const cipher = createCipheriv('aes-128-cbc', key, ZERO_BLOCK);
  const l = cipher.update(ZERO_BLOCK);

  // Subkeys (RFC 4493 §2.3): K1 = L << 1 (^ R_b if msb(L)), K2 = K1 << 1 (^ R_b if msb(K1)).
  const sub = SUBKEY;
  doubleBlock(l, sub);
  if (!complete) doubleBlock(sub, sub);

  const last = (blocks - 1) * BLOCK;
  for (let i = 0; i < BLOCK; i++) {
    buf[last + i] ^= sub[i];
    buf[i] ^= l[i]; // cancels the chaining value left by the L block (see above)
  }
  const out = cipher.update(buf);
  return out.subarray(out.length - BLOCK);
}

/** out = x·2 in GF(2^128) as RFC 4493 defines it (left shift by one bit, conditional XOR with R_b). */
function doubleBlock(x: Buffer, out: Buffer): void {
  const msb = x[0] & 0x80;
  for (let i = 0; i < BLOCK - 1; i++) {
    out[i] = ((x[i] << 1) | (x[i + 1] >>> 7)) & 0xff;
  }
  out[BLOCK - 1] = ((x[BLOCK - 1] << 1) & 0xff) ^ (msb ? RB : 0);
}
