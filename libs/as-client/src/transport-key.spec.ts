import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, webcrypto } from 'node:crypto';
import { loadPrivateKey } from './private-key';
import {
  OPENSSL_ASTK,
  OPENSSL_OAEP_SHA256,
  OPENSSL_OAEP_SHA256_MGF1_SHA1,
  TEST_AS_PRIVATE_KEY,
} from './test-key.fixture';
import { unwrapTransportKey } from './transport-key';

const code = (c: string) => expect.objectContaining({ name: 'AsClientError', code: c });

describe('unwrapTransportKey (RSA-OAEP, SHA-256, MGF1-SHA-256; RFC 8017 §7.1)', () => {
  it('decrypts an ASTK that OpenSSL encrypted (fixed vector), from a KeyObject or PEM', () => {
    const privateKey = loadPrivateKey(TEST_AS_PRIVATE_KEY);
    expect(unwrapTransportKey({ privateKey, wrappedKey: OPENSSL_OAEP_SHA256 }).toString('hex')).toBe(
      OPENSSL_ASTK,
    );
    expect(
      unwrapTransportKey({
        privateKey: TEST_AS_PRIVATE_KEY,
        wrappedKey: Buffer.from(OPENSSL_OAEP_SHA256, 'base64'),
      }).toString('hex'),
    ).toBe(OPENSSL_ASTK);
  });

  it('decrypts what the server does (publicEncrypt with oaepHash sha256) and what Web Crypto RSA-OAEP does', async () => {
    const astk = Buffer.from('8f2e3a4b5c6d7e8f9001a2b3c4d5e6f7', 'hex');
    const pub = createPublicKey(TEST_AS_PRIVATE_KEY);
    const byServer = publicEncrypt(
      { key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      astk,
    );
    expect(
      unwrapTransportKey({ privateKey: TEST_AS_PRIVATE_KEY, wrappedKey: byServer.toString('base64') }),
    ).toEqual(astk);
    const spki = pub.export({ type: 'spki', format: 'der' });
    const webKey = await webcrypto.subtle.importKey(
      'spki',
      spki,
      { name: 'RSA-OAEP', hash: 'SHA-256' },
      false,
      ['encrypt'],
    );
    const byBrowser = Buffer.from(await webcrypto.subtle.encrypt({ name: 'RSA-OAEP' }, webKey, astk));
    expect(unwrapTransportKey({ privateKey: TEST_AS_PRIVATE_KEY, wrappedKey: byBrowser })).toEqual(astk);
  });

  it('fails with UNWRAP_FAILED for MGF1-SHA-1 (Java SunJCE default), another key, or corrupted data', () => {
    expect(() =>
      unwrapTransportKey({ privateKey: TEST_AS_PRIVATE_KEY, wrappedKey: OPENSSL_OAEP_SHA256_MGF1_SHA1 }),
    ).toThrow(code('UNWRAP_FAILED'));
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(() => unwrapTransportKey({ privateKey: other, wrappedKey: OPENSSL_OAEP_SHA256 })).toThrow(
      /encrypted for another public key, or corrupted/,
    );
    const bad = Buffer.from(OPENSSL_OAEP_SHA256, 'base64');
    bad[100] ^= 1;
    expect(() => unwrapTransportKey({ privateKey: TEST_AS_PRIVATE_KEY, wrappedKey: bad })).toThrow(
      code('UNWRAP_FAILED'),
    );
  });

  it('refuses a plaintext that is no AES key, and input that is not base64', () => {
    const pub = createPublicKey(TEST_AS_PRIVATE_KEY);
    const five = publicEncrypt(
      { key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      Buffer.alloc(5),
    );
    expect(() => unwrapTransportKey({ privateKey: TEST_AS_PRIVATE_KEY, wrappedKey: five })).toThrow(
      /holds 5 bytes, not an AES key/,
    );
    expect(() => unwrapTransportKey({ privateKey: TEST_AS_PRIVATE_KEY, wrappedKey: 'not base64!' })).toThrow(
      code('BAD_INPUT'),
    );
    expect(() => unwrapTransportKey({ privateKey: 'nope', wrappedKey: OPENSSL_OAEP_SHA256 })).toThrow(
      code('BAD_PRIVATE_KEY'),
    );
  });
});
