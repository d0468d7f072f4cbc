import { createCipheriv, createDecipheriv } from 'node:crypto';
import { LorawanError } from './errors';

/**
 * RFC 3394 AES key wrap, as the LoRaWAN Backend Interfaces KeyEnvelope uses it (TS002 "Key Transport
 * Security"; ChirpStack `KeyEnvelope` wraps session keys with `aes_kw`). Node/OpenSSL implement it as the
 * `id-aesNNN-wrap` ciphers; the cipher is picked by KEK length.
 */

/** RFC 3394 §2.2.3.1 default initial value. OpenSSL would default to it too, but node insists on an IV. */
const DEFAULT_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

export interface WrapKeyParams {
  /** Key-encryption key: 16, 24 or 32 bytes (AES-128/192/256). */
  kek: Buffer;
  /** Key data to wrap: a multiple of 8 bytes, at least 16 (RFC 3394 §2: n ≥ 2 64-bit blocks). */
  key: Buffer;
}

export interface UnwrapKeyParams {
  /** Key-encryption key: 16, 24 or 32 bytes. */
  kek: Buffer;
  /** Wrapped key: a multiple of 8 bytes, at least 24 (a 16-byte session key wraps to 24). */
  wrapped: Buffer;
}

/** RFC 3394 §2.2.1 wrap: returns `key.length + 8` bytes. */
export function wrapKey(p: WrapKeyParams): Buffer {
  const algorithm = wrapAlgorithm(p.kek);
  if (!Buffer.isBuffer(p.key) || p.key.length < 16 || p.key.length % 8 !== 0) {
    throw new LorawanError(
      'BAD_LENGTH',
      `key to wrap: expected a multiple of 8 bytes, at least 16, got ${describe(p.key)}`,
    );
  }
  const cipher = createCipheriv(algorithm, p.kek, DEFAULT_IV);
  // The whole input in one update() (reference §8): the wrap is computed over all blocks at once.
  return Buffer.concat([cipher.update(p.key), cipher.final()]);
}

/** RFC 3394 §2.2.2 unwrap with the §2.2.3 integrity check; a failed check throws UNWRAP_FAILED. */
export function unwrapKey(p: UnwrapKeyParams): Buffer {
  const algorithm = wrapAlgorithm(p.kek);
  if (!Buffer.isBuffer(p.wrapped) || p.wrapped.length < 24 || p.wrapped.length % 8 !== 0) {
    throw new LorawanError(
      'BAD_LENGTH',
      `wrapped key: expected a multiple of 8 bytes, at least 24, got ${describe(p.wrapped)}`,
    );
  }
  const decipher = createDecipheriv(algorithm, p.kek, DEFAULT_IV);
  try {
    // OpenSSL reports the failed integrity check from update() ("unsupported state"), not from final().
    return Buffer.concat([decipher.update(p.wrapped), decipher.final()]);
  } catch {
    throw new LorawanError(
      'UNWRAP_FAILED',
      'RFC 3394 unwrap: integrity check failed (wrong KEK or corrupted key)',
    );
  }
}

function wrapAlgorithm(kek: Buffer): string {
  if (Buffer.isBuffer(kek)) {
    if (kek.length === 16) return 'id-aes128-wrap';
    if (kek.length === 24) return 'id-aes192-wrap';
    if (kek.length === 32) return 'id-aes256-wrap';
  }
  throw new LorawanError('BAD_KEY', `KEK: expected 16, 24 or 32 bytes, got ${describe(kek)}`);
}

function describe(v: unknown): string {
  return Buffer.isBuffer(v) ? `${v.length} bytes` : typeof v;
}
