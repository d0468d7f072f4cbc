import { unwrapAppSKey } from './app-s-key';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const b64 = (s: string): string => hex(s).toString('base64');
const code = (c: string) => expect.objectContaining({ name: 'AsClientError', code: c });

describe('unwrapAppSKey (RFC 3394 KeyEnvelope)', () => {
  it('RFC 3394 §4.1: 128-bit key data under a 128-bit KEK, base64 as the events carry it', () => {
    // vector: RFC 3394 §4.1 (KEK 000102…0F, key data 00112233…FF)
    const astk = hex('000102030405060708090A0B0C0D0E0F');
    const envelope = {
      kekLabel: 'astk-1',
      aesKey: b64('1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5'),
    };
    expect(unwrapAppSKey({ astk, envelope }).toString('hex')).toBe('00112233445566778899aabbccddeeff');
  });

  it('chirpstack test_key_envelope vector, aesKey as bytes', () => {
    // vector: chirpstack/chirpstack backend/src/lib.rs test_key_envelope
    const astk = hex('08070605040302010807060504030201');
    const envelope = { kekLabel: 'x', aesKey: hex('e3d5a47ba25cbe6e5da820846e0cb6a82b750c59d848ec7a') };
    expect(unwrapAppSKey({ astk, envelope }).toString('hex')).toBe('01020304050607080102030405060708');
  });

  it('RFC 3394 §4.3 under a 256-bit KEK', () => {
    // vector: RFC 3394 §4.3
    const astk = hex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
    const envelope = { kekLabel: 'k', aesKey: b64('64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7') };
    expect(unwrapAppSKey({ astk, envelope }).toString('hex')).toBe('00112233445566778899aabbccddeeff');
  });

  it('a wrong ASTK fails the integrity check (UNWRAP_FAILED naming the label)', () => {
    const envelope = { kekLabel: 'astk-1', aesKey: b64('1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5') };
    expect(() => unwrapAppSKey({ astk: hex('101112131415161718191A1B1C1D1E1F'), envelope })).toThrow(
      /KEK label astk-1/,
    );
    expect(() => unwrapAppSKey({ astk: hex('101112131415161718191A1B1C1D1E1F'), envelope })).toThrow(
      code('UNWRAP_FAILED'),
    );
  });

  it('refuses bad lengths and encodings', () => {
    const astk = hex('000102030405060708090A0B0C0D0E0F');
    expect(() =>
      unwrapAppSKey({ astk: Buffer.alloc(15), envelope: { kekLabel: 'a', aesKey: 'AAAA' } }),
    ).toThrow(code('BAD_INPUT'));
    expect(() =>
      unwrapAppSKey({ astk, envelope: { kekLabel: 'a', aesKey: Buffer.alloc(16).toString('base64') } }),
    ).toThrow(/16 bytes, a wrapped AppSKey has 24/);
    expect(() => unwrapAppSKey({ astk, envelope: { kekLabel: 'a', aesKey: 'zz%%' } })).toThrow(
      code('BAD_INPUT'),
    );
    expect(() => unwrapAppSKey({ astk, envelope: undefined as never })).toThrow(code('BAD_INPUT'));
  });
});
