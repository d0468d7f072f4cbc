import fc from 'fast-check';
import { unwrapKey, wrapKey } from './key-wrap';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const code = (c: string) => expect.objectContaining({ name: 'LorawanError', code: c });

const KEK128 = '000102030405060708090A0B0C0D0E0F';
const KEK192 = KEK128 + '1011121314151617';
const KEK256 = KEK192 + '18191A1B1C1D1E1F';

describe('wrapKey / unwrapKey (RFC 3394)', () => {
  // vectors: RFC 3394 §4.1-4.6 (also TheThingsNetwork/lorawan-stack pkg/crypto/keywrap_test.go TestKEK)
  it.each([
    [
      '§4.1 128-bit key data, 128-bit KEK',
      KEK128,
      '00112233445566778899AABBCCDDEEFF',
      '1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5',
    ],
    [
      '§4.2 128-bit key data, 192-bit KEK',
      KEK192,
      '00112233445566778899AABBCCDDEEFF',
      '96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D',
    ],
    [
      '§4.3 128-bit key data, 256-bit KEK',
      KEK256,
      '00112233445566778899AABBCCDDEEFF',
      '64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7',
    ],
    [
      '§4.4 192-bit key data, 192-bit KEK',
      KEK192,
      '00112233445566778899AABBCCDDEEFF0001020304050607',
      '031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2',
    ],
    [
      '§4.5 192-bit key data, 256-bit KEK',
      KEK256,
      '00112233445566778899AABBCCDDEEFF0001020304050607',
      'A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1',
    ],
    [
      '§4.6 256-bit key data, 256-bit KEK',
      KEK256,
      '00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F',
      '28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21',
    ],
  ])('RFC 3394 %s', (_name, kek, key, wrapped) => {
    expect(wrapKey({ kek: hex(kek), key: hex(key) }).toString('hex')).toBe(hex(wrapped).toString('hex'));
    expect(unwrapKey({ kek: hex(kek), wrapped: hex(wrapped) }).toString('hex')).toBe(
      hex(key).toString('hex'),
    );
  });

  it('wraps a session key into a Backend Interfaces KeyEnvelope (chirpstack test_key_envelope)', () => {
    // vector: chirpstack/chirpstack backend/src/lib.rs test_key_envelope (reference §5.4)
    const kek = hex('08070605040302010807060504030201');
    const key = hex('01020304050607080102030405060708');
    const wrapped = wrapKey({ kek, key });
    expect(wrapped.toString('hex')).toBe('e3d5a47ba25cbe6e5da820846e0cb6a82b750c59d848ec7a');
    expect(unwrapKey({ kek, wrapped }).equals(key)).toBe(true);
  });

  it('fails the integrity check with UNWRAP_FAILED (wrong KEK, corrupted data)', () => {
    // vector: TheThingsNetwork/lorawan-stack pkg/crypto/keywrap_test.go TestKEK (RFC 3394 §4.1 under another KEK)
    const wrapped = hex('1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5');
    expect(() => unwrapKey({ kek: hex('101112131415161718191A1B1C1D1E1F'), wrapped })).toThrow(
      code('UNWRAP_FAILED'),
    );
    for (let i = 0; i < wrapped.length; i++) {
      const bad = Buffer.from(wrapped);
      bad[i] ^= 0x01;
      expect(() => unwrapKey({ kek: hex(KEK128), wrapped: bad })).toThrow(code('UNWRAP_FAILED'));
    }
    // a KEK of the right size for another AES variant is just a wrong key
    expect(() => unwrapKey({ kek: hex(KEK192), wrapped })).toThrow(code('UNWRAP_FAILED'));
  });

  it('checks KEK and data lengths', () => {
    // lengths from TheThingsNetwork/lorawan-stack pkg/crypto/keywrap_test.go TestKEK: one block, a partial block, short KEK
    const kek = hex('101112131415161718191A1B1C1D1E1F');
    const oneBlock = hex('1011121314151617');
    const partial = hex('10111213141516');
    expect(() => wrapKey({ kek, key: oneBlock })).toThrow(code('BAD_LENGTH'));
    expect(() => unwrapKey({ kek, wrapped: oneBlock })).toThrow(code('BAD_LENGTH'));
    expect(() => wrapKey({ kek, key: partial })).toThrow(code('BAD_LENGTH'));
    expect(() => unwrapKey({ kek, wrapped: partial })).toThrow(code('BAD_LENGTH'));
    expect(() => unwrapKey({ kek, wrapped: Buffer.alloc(16) })).toThrow(code('BAD_LENGTH'));
    expect(() => wrapKey({ kek, key: Buffer.alloc(20) })).toThrow(code('BAD_LENGTH'));
    const data = hex('1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5');
    expect(() => wrapKey({ kek: oneBlock, key: data })).toThrow(code('BAD_KEY'));
    expect(() => unwrapKey({ kek: oneBlock, wrapped: data })).toThrow(code('BAD_KEY'));
    expect(() => unwrapKey({ kek: Buffer.alloc(20), wrapped: data })).toThrow(code('BAD_KEY'));
  });

  it('round-trips any 16/24/32-byte KEK and key data of 2..8 blocks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.integer({ min: 2, max: 8 }).chain((n) => fc.uint8Array({ minLength: n * 8, maxLength: n * 8 })),
        (kekArr, keyArr) => {
          const kek = Buffer.from(kekArr);
          const key = Buffer.from(keyArr);
          const wrapped = wrapKey({ kek, key });
          expect(wrapped).toHaveLength(key.length + 8);
          expect(unwrapKey({ kek, wrapped }).equals(key)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
