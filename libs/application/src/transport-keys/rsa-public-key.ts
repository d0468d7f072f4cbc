import { createHash, createPublicKey, KeyObject } from 'node:crypto';

/** RSA moduli below 2048 bits are refused (NIST SP 800-57 Part 1 Rev. 5: 112-bit security at least). */
export const MIN_RSA_BITS = 2048;
/** Above this an RSA key is no transport key but a way to make the server work hard. */
export const MAX_RSA_BITS = 16384;
/** A PEM of a 16384-bit public key is under 3 KiB; certificates with chains are not expected here. */
export const MAX_PUBLIC_KEY_PEM = 16 * 1024;

/** The public key is unusable; `reason` is for the 400 naming `publicKey`. */
export class PublicKeyError extends Error {
  constructor(readonly reason: string) {
    super(`publicKey: ${reason}`);
    this.name = 'PublicKeyError';
  }
}

export interface AsPublicKey {
  key: KeyObject;
  /** SHA-256 of the DER SubjectPublicKeyInfo, hex: tells the AS which of its keys an ASTK is for. */
  fingerprint: string;
  bits: number;
}

/**
 * The application server's public key for RSA-OAEP: PEM (`PUBLIC KEY` SPKI or `RSA PUBLIC KEY` PKCS#1), RSA
 * (rsaEncryption; RSA-PSS keys are for signatures only), 2048 to 16384 bits. A private key is refused
 * rather than turned into its public half: sending one here means it has left the AS, and the operator
 * must hear so.
 */
export function parseAsPublicKey(pem: unknown): AsPublicKey {
  if (typeof pem !== 'string' || pem.length === 0) throw new PublicKeyError('must be PEM text');
  if (pem.length > MAX_PUBLIC_KEY_PEM)
    throw new PublicKeyError(`must be at most ${MAX_PUBLIC_KEY_PEM} characters`);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new PublicKeyError('is a PRIVATE key: send only the public key, and replace this key pair');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new PublicKeyError('is not a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new PublicKeyError(`must be an RSA key (rsaEncryption), not ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    throw new PublicKeyError(`RSA key of ${bits} bits: at least ${MIN_RSA_BITS} needed`);
  if (bits > MAX_RSA_BITS) throw new PublicKeyError(`RSA key of ${bits} bits: at most ${MAX_RSA_BITS}`);
  const fingerprint = createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  return { key, fingerprint, bits };
}
