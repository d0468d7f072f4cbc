import { constants, createHash, createPublicKey, KeyObject, publicEncrypt, randomBytes } from 'node:crypto';

/**
 * The AS transport key (ASTK): an AES-128 key a join side (an end-to-end application of apps/lns, or a
 * join server's AS key registry) makes and hands to an application server encrypted under that server's
 * RSA public key (RSA-OAEP-SHA256), so that nobody else ever sees it. The AppSKeys of the AS's devices are
 * then wrapped under it (RFC 3394, TS002 KeyEnvelope `{KEKLabel, AESKey}`). Shared here so that both sides
 * apply the same checks to the public key and the same encryption; libs/as-client is the other end.
 */

/** AES-128: the ASTK is an RFC 3394 KEK for 16-byte AppSKeys. */
export const ASTK_LENGTH = 16;
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

/** A new ASTK: in clear for the caller to seal at once (and zero), and encrypted for the AS. */
export interface NewTransportKey {
  astk: Buffer;
  /** RSA-OAEP with SHA-256 (OAEP and MGF1 hash, RFC 8017 §7.1) under the AS public key, base64. */
  wrappedKey: string;
}

/** A fresh ASTK from `crypto.randomBytes`, encrypted under the AS's public key (parseAsPublicKey). */
export function newTransportKey(publicKey: AsPublicKey): NewTransportKey {
  const astk = randomBytes(ASTK_LENGTH);
  try {
    const wrappedKey = publicEncrypt(
      { key: publicKey.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      astk,
    ).toString('base64');
    return { astk, wrappedKey };
  } catch (err) {
    astk.fill(0);
    throw err;
  }
}
