import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { aes128EncryptBlocks, aesCmac, aesCmacPrefixed, assertAes128Key } from './cmac';
import { LorawanError } from './errors';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Straight transcription of RFC 4493 §2.4 (block by block, one ECB call each): an independent oracle. */
function referenceCmac(key: Buffer, m: Buffer): Buffer {
  const ecb = (b: Buffer): Buffer => {
    const c = createCipheriv('aes-128-ecb', key, null);
    c.setAutoPadding(false);
    return c.update(b);
  };
  const dbl = (x: Buffer): Buffer => {
    const out = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) out[i] = ((x[i] << 1) | (i < 15 ? x[i + 1] >> 7 : 0)) & 0xff;
    if (x[0] & 0x80) out[15] ^= 0x87;
    return out;
  };
  const k1 = dbl(ecb(Buffer.alloc(16)));
  const k2 = dbl(k1);
  const n = Math.max(1, Math.ceil(m.length / 16));
  const complete = m.length > 0 && m.length % 16 === 0;
  const last = Buffer.alloc(16);
  m.copy(last, 0, (n - 1) * 16);
  if (!complete) last[m.length - (n - 1) * 16] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) last[i] ^= sub[i];
  let x: Buffer = Buffer.alloc(16);
  for (let i = 0; i < n; i++) {
    const block = i === n - 1 ? last : m.subarray(i * 16, i * 16 + 16);
    const y = Buffer.alloc(16);
    for (let j = 0; j < 16; j++) y[j] = x[j] ^ block[j];
    x = ecb(y);
  }
  return x;
}

describe('aesCmac', () => {
  // RFC 4493 §4 "Test Vectors": K = 2b7e1516 28aed2a6 abf71588 09cf4f3c, the four message lengths.
  const key = hex('2b7e1516 28aed2a6 abf71588 09cf4f3c');
  const m64 = hex(
    '6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51' +
      '30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710',
  );
  it.each([
    ['Example 1: len = 0', 0, 'bb1d6929 e9593728 7fa37d12 9b756746'],
    ['Example 2: len = 16', 16, '070a16b4 6b4d4144 f79bdd9d d04a287c'],
    ['Example 3: len = 40', 40, 'dfa66747 de9ae630 30ca3261 1497c827'],
    ['Example 4: len = 64', 64, '51f0bebf 7e3b9d92 fc497417 79363cfe'],
  ])('RFC 4493 §4 %s', (_name, len, tag) => {
    expect(aesCmac(key, m64.subarray(0, len)).toString('hex')).toBe(hex(tag).toString('hex'));
  });

  it('matches the RFC 4493 §4 vectors with the message split between prefix and body', () => {
    // RFC 4493 §4 Example 3 (len = 40) split at every position
    for (let cut = 0; cut <= 40; cut++) {
      const msg = m64.subarray(0, 40);
      expect(aesCmacPrefixed(key, msg.subarray(0, cut), msg.subarray(cut)).toString('hex')).toBe(
        'dfa66747de9ae63030ca32611497c827',
      );
    }
  });

  it('agrees with a block-by-block RFC 4493 §2.4 transcription on random keys and messages', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 0, maxLength: 100 }),
        fc.nat({ max: 100 }),
        (k, m, cut) => {
          const kb = Buffer.from(k);
          const mb = Buffer.from(m);
          const expected = referenceCmac(kb, mb).toString('hex');
          expect(aesCmac(kb, mb).toString('hex')).toBe(expected);
          const c = Math.min(cut, mb.length);
          expect(aesCmacPrefixed(kb, mb.subarray(0, c), mb.subarray(c)).toString('hex')).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not modify its inputs', () => {
    const msg = Buffer.from(m64);
    const k = Buffer.from(key);
    aesCmacPrefixed(k, msg.subarray(0, 10), msg.subarray(10));
    expect(msg.equals(m64)).toBe(true);
    expect(k.equals(key)).toBe(true);
  });

  it.each([15, 17, 32, 0])('rejects a %i-byte key with BAD_KEY', (len) => {
    expect(() => aesCmac(Buffer.alloc(len), Buffer.alloc(1))).toThrow(
      expect.objectContaining({ name: 'LorawanError', code: 'BAD_KEY' }),
    );
  });

  it('rejects a non-Buffer key with BAD_KEY', () => {
    expect(() => assertAes128Key('2b7e151628aed2a6abf7158809cf4f3c' as unknown as Buffer)).toThrow(
      LorawanError,
    );
  });
});

describe('aes128EncryptBlocks', () => {
  it('encrypts the FIPS-197 Appendix C.1 AES-128 example', () => {
    // FIPS-197 Appendix C.1: key 000102...0f, plaintext 00112233...ff
    const out = aes128EncryptBlocks(
      hex('000102030405060708090a0b0c0d0e0f'),
      hex('00112233445566778899aabbccddeeff'),
    );
    expect(out.toString('hex')).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
  });

  it('encrypts several blocks independently (ECB)', () => {
    const k = hex('000102030405060708090a0b0c0d0e0f');
    const p = hex('00112233445566778899aabbccddeeff');
    const out = aes128EncryptBlocks(k, Buffer.concat([p, p, p]));
    expect(out.length).toBe(48);
    expect(out.subarray(32).toString('hex')).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
  });

  it('rejects input that is not whole blocks', () => {
    expect(() => aes128EncryptBlocks(Buffer.alloc(16), Buffer.alloc(15))).toThrow(
      expect.objectContaining({ code: 'BAD_LENGTH' }),
    );
  });
});
