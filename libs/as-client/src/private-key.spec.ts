import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { checkRsaPrivateKey, loadPrivateKey } from './private-key';
import { TEST_AS_PRIVATE_KEY } from './test-key.fixture';

const code = (c: string) => expect.objectContaining({ name: 'AsClientError', code: c });

describe('loadPrivateKey', () => {
  it('loads an RSA-2048 PKCS#8 PEM (OpenSSL genpkey)', () => {
    const key = loadPrivateKey(TEST_AS_PRIVATE_KEY);
    expect(key.type).toBe('private');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(loadPrivateKey(Buffer.from(TEST_AS_PRIVATE_KEY)).type).toBe('private');
  });

  it('loads PKCS#1 and passphrase-encrypted PKCS#8; a wrong passphrase is refused', () => {
    const key = loadPrivateKey(TEST_AS_PRIVATE_KEY);
    const pkcs1 = key.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    expect(loadPrivateKey(pkcs1).asymmetricKeyDetails?.modulusLength).toBe(2048);
    const encrypted = key
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
      .toString();
    expect(loadPrivateKey(encrypted, 'secret').type).toBe('private');
    expect(() => loadPrivateKey(encrypted, 'wrong')).toThrow(code('BAD_PRIVATE_KEY'));
  });

  it('refuses what is not PEM, not private, not RSA, or under 2048 bits', () => {
    expect(() => loadPrivateKey('not a key')).toThrow(code('BAD_PRIVATE_KEY'));
    expect(() => loadPrivateKey(42 as unknown as string)).toThrow(code('BAD_PRIVATE_KEY'));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => loadPrivateKey(ec.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(
      /expected RSA \(rsaEncryption\), got ec/,
    );
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() => checkRsaPrivateKey(small)).toThrow(/1024 bits, at least 2048 needed/);
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
    expect(() => checkRsaPrivateKey(pss)).toThrow(/got rsa-pss/);
    expect(() => checkRsaPrivateKey(createPublicKey(TEST_AS_PRIVATE_KEY))).toThrow(code('BAD_PRIVATE_KEY'));
    expect(() => checkRsaPrivateKey('pem')).toThrow(code('BAD_PRIVATE_KEY'));
  });
});
