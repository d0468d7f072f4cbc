import { createPrivateKey, KeyObject } from 'node:crypto';
import { AsClientError } from './errors';

/** The smallest RSA modulus the server accepts for a transport key, and so the smallest worth loading. */
export const MIN_RSA_BITS = 2048;

/**
 * The application server's RSA private key, from PEM (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, or
 * encrypted PKCS#8 with `passphrase`). Its public half is what `POST /api/applications/{id}/transport-keys`
 * takes. Refuses other key types (RSA-PSS keys cannot decrypt OAEP) and moduli under 2048 bits.
 */
export function loadPrivateKey(pem: string | Buffer, passphrase?: string): KeyObject {
  if (typeof pem !== 'string' && !Buffer.isBuffer(pem)) {
    throw new AsClientError('BAD_PRIVATE_KEY', 'private key: expected PEM text');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem', ...(passphrase !== undefined && { passphrase }) });
  } catch (err) {
    // OpenSSL's reason (bad PEM, wrong passphrase) helps; it never contains the key.
    const reason = err instanceof Error ? err.message : String(err);
    throw new AsClientError('BAD_PRIVATE_KEY', `private key: cannot be read (${reason})`);
  }
  return checkRsaPrivateKey(key);
}

/** A KeyObject the SDK can decrypt transport keys with: an RSA private key of at least 2048 bits. */
export function checkRsaPrivateKey(key: unknown): KeyObject {
  if (!(key instanceof KeyObject) || key.type !== 'private') {
    throw new AsClientError('BAD_PRIVATE_KEY', 'private key: expected a private KeyObject or PEM');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new AsClientError(
      'BAD_PRIVATE_KEY',
      `private key: expected RSA (rsaEncryption), got ${key.asymmetricKeyType ?? 'unknown'}`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new AsClientError('BAD_PRIVATE_KEY', `private key: ${bits} bits, at least ${MIN_RSA_BITS} needed`);
  }
  return key;
}
