import { constants, createHash, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import {
  ASTK_LENGTH,
  MAX_PUBLIC_KEY_PEM,
  newTransportKey,
  parseAsPublicKey,
  PublicKeyError,
} from './as-transport-key';

const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spki = rsa2048.publicKey.export({ type: 'spki', format: 'pem' }).toString();

function reasonOf(pem: unknown): string {
  try {
    parseAsPublicKey(pem);
  } catch (err) {
    expect(err).toBeInstanceOf(PublicKeyError);
    return (err as PublicKeyError).reason;
  }
  throw new Error('accepted');
}

describe('parseAsPublicKey', () => {
  it('accepts RSA ≥ 2048 as SPKI or PKCS#1 PEM, with the SHA-256 of its SPKI DER as fingerprint', () => {
    const k = parseAsPublicKey(spki);
    expect(k.bits).toBe(2048);
    const der = rsa2048.publicKey.export({ type: 'spki', format: 'der' });
    expect(k.fingerprint).toBe(createHash('sha256').update(der).digest('hex'));
    const pkcs1 = rsa2048.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PUBLIC KEY');
    expect(parseAsPublicKey(pkcs1).fingerprint).toBe(k.fingerprint);
    const rsa3072 = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey;
    expect(parseAsPublicKey(rsa3072.export({ type: 'spki', format: 'pem' }).toString()).bits).toBe(3072);
  });

  it('refuses RSA under 2048 bits', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(reasonOf(small.export({ type: 'spki', format: 'pem' }).toString())).toBe(
      'RSA key of 1024 bits: at least 2048 needed',
    );
  });

  it('refuses keys that are not rsaEncryption: EC, Ed25519, RSA-PSS', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(reasonOf(ec.export({ type: 'spki', format: 'pem' }).toString())).toBe(
      'must be an RSA key (rsaEncryption), not ec',
    );
    const ed = generateKeyPairSync('ed25519').publicKey;
    expect(reasonOf(ed.export({ type: 'spki', format: 'pem' }).toString())).toMatch(/not ed25519/);
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey;
    expect(reasonOf(pss.export({ type: 'spki', format: 'pem' }).toString())).toMatch(/not rsa-pss/);
  });

  it('refuses a private key instead of deriving its public half', () => {
    const pkcs8 = rsa2048.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(reasonOf(pkcs8)).toMatch(/is a PRIVATE key/);
    const pkcs1 = rsa2048.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(reasonOf(pkcs1)).toMatch(/is a PRIVATE key/);
  });

  it('refuses what is not PEM, empty, not a string, or too long', () => {
    expect(reasonOf('hello')).toMatch(/is not a PEM public key/);
    expect(reasonOf(spki.replace(/[A-Za-z]{10}/, 'AAAAAAAAAA'))).toMatch(/is not a PEM public key/);
    expect(reasonOf('')).toBe('must be PEM text');
    expect(reasonOf(42)).toBe('must be PEM text');
    expect(reasonOf('x'.repeat(MAX_PUBLIC_KEY_PEM + 1))).toMatch(/at most/);
  });
});

describe('newTransportKey', () => {
  it('makes a fresh 16-byte ASTK that only the private key opens (RSA-OAEP, SHA-256)', () => {
    const publicKey = parseAsPublicKey(spki);
    const a = newTransportKey(publicKey);
    const b = newTransportKey(publicKey);
    expect(a.astk).toHaveLength(ASTK_LENGTH);
    expect(a.astk.equals(b.astk)).toBe(false);
    const opened = privateDecrypt(
      { key: rsa2048.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      Buffer.from(a.wrappedKey, 'base64'),
    );
    expect(opened.equals(a.astk)).toBe(true);
    // OAEP with SHA-1 (node's default) must not open it: the hash is part of the contract.
    expect(() =>
      privateDecrypt(
        { key: rsa2048.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
        Buffer.from(a.wrappedKey, 'base64'),
      ),
    ).toThrow();
  });
});
