import { constants, KeyObject, privateDecrypt } from 'node:crypto';
import { bytesOf } from './encoding';
import { AsClientError } from './errors';
import { checkRsaPrivateKey, loadPrivateKey } from './private-key';

/** The AES key sizes an RFC 3394 KEK may have; the server's ASTKs are 16 bytes. */
const KEK_LENGTHS = [16, 24, 32];

export interface UnwrapTransportKeyParams {
  /** The AS private key (loadPrivateKey), or its PEM. */
  privateKey: KeyObject | string;
  /** `wrappedKey` of the transport-keys answer: base64 of RSA-OAEP(SHA-256) ciphertext, or its bytes. */
  wrappedKey: string | Buffer;
}

/**
 * The ASTK (AS transport key) in clear, from the `wrappedKey` the server answered
 * `POST /api/applications/{id}/transport-keys` with: RSA-OAEP with SHA-256 as the OAEP hash and as the
 * MGF1 hash (RFC 8017 §7.1; Web Crypto's `RSA-OAEP` with `SHA-256`). Only the holder of the private key
 * can do this: the server never kept the ASTK anywhere in clear.
 */
export function unwrapTransportKey(p: UnwrapTransportKeyParams): Buffer {
  const key =
    typeof p.privateKey === 'string' ? loadPrivateKey(p.privateKey) : checkRsaPrivateKey(p.privateKey);
  const ciphertext = bytesOf(p.wrappedKey, 'wrappedKey');
  let astk: Buffer;
  try {
    astk = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ciphertext);
  } catch {
    throw new AsClientError(
      'UNWRAP_FAILED',
      'wrappedKey: RSA-OAEP-SHA256 decryption failed (encrypted for another public key, or corrupted)',
    );
  }
  if (!KEK_LENGTHS.includes(astk.length)) {
    throw new AsClientError('UNWRAP_FAILED', `wrappedKey: holds ${astk.length} bytes, not an AES key`);
  }
  return astk;
}
