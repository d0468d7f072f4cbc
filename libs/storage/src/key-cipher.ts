import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_LEN = 12;
const TAG_LEN = 16;

/**
 * Encrypts keys at rest with the master key: AES-256-GCM, a fresh 96-bit IV per value,
 * stored as `version | iv | tag | ciphertext`. `context` (e.g. "device:0102…:appKey") is
 * bound as additional authenticated data, so a ciphertext moved to another row or
 * column fails to decrypt instead of yielding another device's key.
 */
export class KeyCipher {
  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('master key must be 32 bytes');
  }

  encrypt(plain: Buffer, context: string): Buffer {
    const iv = randomBytes(IV_LEN);
    const c = createCipheriv('aes-256-gcm', this.masterKey, iv);
    c.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, c.getAuthTag(), body]);
  }

  decrypt(sealed: Buffer, context: string): Buffer {
    if (sealed.length < 1 + IV_LEN + TAG_LEN || sealed[0] !== VERSION) {
      throw new Error('sealed key: unknown format');
    }
    const iv = sealed.subarray(1, 1 + IV_LEN);
    const tag = sealed.subarray(1 + IV_LEN, 1 + IV_LEN + TAG_LEN);
    const d = createDecipheriv('aes-256-gcm', this.masterKey, iv);
    d.setAAD(Buffer.from(context, 'utf8'));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(sealed.subarray(1 + IV_LEN + TAG_LEN)), d.final()]);
  }
}
