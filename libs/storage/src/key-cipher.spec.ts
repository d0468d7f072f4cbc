import { randomBytes } from 'node:crypto';
import { KeyCipher } from './key-cipher';

describe('KeyCipher', () => {
  const cipher = new KeyCipher(randomBytes(32));
  const key = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');

  it('round-trips and never stores the key in clear', () => {
    const sealed = cipher.encrypt(key, 'device:01:appKey');
    expect(sealed.includes(key)).toBe(false);
    expect(cipher.decrypt(sealed, 'device:01:appKey')).toEqual(key);
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt(key, 'c')).not.toEqual(cipher.encrypt(key, 'c'));
  });

  it('refuses a value moved to another context', () => {
    const sealed = cipher.encrypt(key, 'device:01:appKey');
    expect(() => cipher.decrypt(sealed, 'device:02:appKey')).toThrow();
  });

  it('refuses a tampered value and another master key', () => {
    const sealed = cipher.encrypt(key, 'c');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => cipher.decrypt(tampered, 'c')).toThrow();
    expect(() => new KeyCipher(randomBytes(32)).decrypt(sealed, 'c')).toThrow();
    expect(() => cipher.decrypt(Buffer.alloc(3), 'c')).toThrow('unknown format');
  });

  it('requires a 32-byte master key', () => {
    expect(() => new KeyCipher(Buffer.alloc(16))).toThrow();
  });
});
