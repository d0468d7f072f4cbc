import fc from 'fast-check';
import loraPacket from 'lora-packet';
import { deriveJoinServerKeys, deriveSessionKeys10, deriveSessionKeys11, sessionKeys10As11 } from './keys';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const h = (b: Buffer): string => b.toString('hex');
const code = (c: string) => expect.objectContaining({ name: 'LorawanError', code: c });
const key16 = () => fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
const eui8 = () => fc.uint8Array({ minLength: 8, maxLength: 8 }).map((a) => Buffer.from(a));
/** A number as the big-endian (printed) bytes lora-packet takes. */
const be = (v: number, len: number): Buffer => {
  const b = Buffer.alloc(len);
  b.writeUIntBE(v, 0, len);
  return b;
};

// vector: TheThingsNetwork/lorawan-stack pkg/crypto/key_derivation_test.go TestKeyDerivation (one root key used
// for everything; TTS types are in printed order)
const tts = {
  key: hex('BEC499C69E9C939E413B663961636C61'),
  devNonce: 0x7369,
  netId: 0x020101,
  joinNonce: 0xae3b1c,
  joinEui: hex('0000001223224242'),
  devEui: hex('0042004213424341'),
};

// vector: chirpstack/chirpstack lrwn/src/keys.rs mod test (nwk_key 0102030405060708×2, app_key zero,
// join_eui 0807060504030201, join_nonce 65536, dev_nonce 258, net_id 010203)
const cs = {
  nwkKey: hex('01020304050607080102030405060708'),
  appKey: Buffer.alloc(16),
  joinEui: hex('0807060504030201'),
  joinNonce: 65536,
  devNonce: 258,
  netId: 0x010203,
  // lorawan_1_0: get_f_nwk_s_int_key(false, ...) / get_app_s_key(false, ...)
  nwkSKey10: Buffer.from([223, 83, 195, 95, 48, 52, 204, 206, 208, 255, 53, 76, 112, 222, 4, 223]),
  appSKey10: Buffer.from([146, 123, 156, 145, 17, 131, 207, 254, 76, 178, 255, 75, 117, 84, 95, 109]),
};

describe('deriveSessionKeys10 (L102 §6.2.5)', () => {
  it('lora-packet vector', () => {
    // vector: lora-packet __tests__/key_gen_test.ts "should generate valid session keys 1.0"
    const keys = deriveSessionKeys10({
      appKey: hex('98929b92c49edba9676d646d3b612456'),
      netId: 0xaabbcc,
      joinNonce: 0x376338,
      devNonce: 0xf18e,
    });
    expect(h(keys.nwkSKey)).toBe('4e3d6e6afbcc67af2ba3c8e8ec4acf4b');
    expect(h(keys.appSKey)).toBe('610897aa6f1460623443b527d3ac6a9d');
  });

  it('TTS vector (DeriveLegacyNwkSKey / DeriveLegacyAppSKey)', () => {
    const keys = deriveSessionKeys10({
      appKey: tts.key,
      netId: tts.netId,
      joinNonce: tts.joinNonce,
      devNonce: tts.devNonce,
    });
    expect(h(keys.nwkSKey)).toBe('0db924ee6af90698e05fc7ce48303c01');
    expect(h(keys.appSKey)).toBe('8c1e0543a229088de6f84e74bb46bd62');
  });

  it('chirpstack vector (lorawan_1_0)', () => {
    const keys = deriveSessionKeys10({
      appKey: cs.nwkKey,
      netId: cs.netId,
      joinNonce: cs.joinNonce,
      devNonce: cs.devNonce,
    });
    expect(h(keys.nwkSKey)).toBe(h(cs.nwkSKey10));
    expect(h(keys.appSKey)).toBe(h(cs.appSKey10));
  });

  it('agrees with lora-packet generateSessionKeys10 on random inputs', () => {
    fc.assert(
      fc.property(
        key16(),
        fc.integer({ min: 0, max: 0xffffff }),
        fc.integer({ min: 0, max: 0xffffff }),
        fc.integer({ min: 0, max: 0xffff }),
        (appKey, joinNonce, netId, devNonce) => {
          const lp = loraPacket.generateSessionKeys10(
            appKey,
            be(netId, 3),
            be(joinNonce, 3),
            be(devNonce, 2),
          );
          const keys = deriveSessionKeys10({ appKey, joinNonce, netId, devNonce });
          expect(h(keys.nwkSKey)).toBe(h(lp.NwkSKey));
          expect(h(keys.appSKey)).toBe(h(lp.AppSKey));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects bad keys and out-of-range fields', () => {
    const p = { appKey: Buffer.alloc(16), netId: 1, joinNonce: 1, devNonce: 1 };
    expect(() => deriveSessionKeys10({ ...p, appKey: Buffer.alloc(15) })).toThrow(code('BAD_KEY'));
    expect(() => deriveSessionKeys10({ ...p, netId: 0x1000000 })).toThrow(code('BAD_FIELD'));
    expect(() => deriveSessionKeys10({ ...p, joinNonce: -1 })).toThrow(code('BAD_FIELD'));
    expect(() => deriveSessionKeys10({ ...p, devNonce: 0x10000 })).toThrow(code('BAD_FIELD'));
    expect(() => deriveSessionKeys10({ ...p, devNonce: 1.5 })).toThrow(code('BAD_FIELD'));
  });
});

describe('deriveSessionKeys11 (L11 §6.2.3)', () => {
  it('OptNeg = 1: TTS vector (DeriveAppSKey / DeriveFNwkSIntKey / DeriveSNwkSIntKey / DeriveNwkSEncKey)', () => {
    const keys = deriveSessionKeys11({
      optNeg: true,
      appKey: tts.key,
      nwkKey: tts.key,
      joinNonce: tts.joinNonce,
      joinEui: tts.joinEui,
      devNonce: tts.devNonce,
    });
    expect(h(keys.appSKey)).toBe('b035cce24e4a040eb5cecbf21724412d');
    expect(h(keys.fNwkSIntKey)).toBe('379084e7ce22ff191bff4b77536f2aa3');
    expect(h(keys.sNwkSIntKey)).toBe('63c59309d53485bc5164dbf71627aeb9');
    expect(h(keys.nwkSEncKey)).toBe('ce07a009a3970ac0519a099ed53e550b');
  });

  it('OptNeg = 1: chirpstack vector (lorawan_1_1)', () => {
    const keys = deriveSessionKeys11({
      optNeg: true,
      appKey: cs.appKey,
      nwkKey: cs.nwkKey,
      joinNonce: cs.joinNonce,
      joinEui: cs.joinEui,
      devNonce: cs.devNonce,
    });
    expect([...keys.appSKey]).toEqual([1, 98, 18, 21, 209, 202, 8, 254, 191, 12, 96, 44, 194, 173, 144, 250]);
    expect([...keys.fNwkSIntKey]).toEqual([
      83, 127, 138, 174, 137, 108, 121, 224, 21, 209, 2, 208, 98, 134, 53, 78,
    ]);
    expect([...keys.sNwkSIntKey]).toEqual([
      88, 148, 152, 153, 48, 146, 207, 219, 95, 210, 224, 42, 199, 81, 11, 241,
    ]);
    expect([...keys.nwkSEncKey]).toEqual([
      152, 152, 40, 60, 79, 102, 235, 108, 111, 213, 22, 88, 130, 4, 108, 64,
    ]);
  });

  it('OptNeg = 1: lora-packet vector ("Broccar parameters with OptNeg Set")', () => {
    // vector: lora-packet __tests__/key_gen_test.ts "should generate valid session keys 1.1 Broccar parameters with OptNeg Set"
    const keys = deriveSessionKeys11({
      optNeg: true,
      appKey: hex('01000000000000000000000000000001'),
      nwkKey: hex('00000000000000000000000000000001'),
      joinEui: hex('0000000000000001'),
      joinNonce: 3,
      devNonce: 0xe8c2,
    });
    expect(h(keys.fNwkSIntKey)).toBe('bbd966509be6435f4bcb63acc310466a');
    expect(h(keys.sNwkSIntKey)).toBe('dea9e621c747af79a65f82dcaed92a99');
    expect(h(keys.nwkSEncKey)).toBe('c8eefda7400395c94ab072e9c353b29d');
    expect(h(keys.appSKey)).toBe('eb45a0a167b6f1cccb9a678d761c0b03');
  });

  it('OptNeg = 0: the 1.0 derivation under NwkKey, one network key for all three (chirpstack lorawan_1_0)', () => {
    // L11 lines 1589-1592: AppSKey and FNwkSIntKey as in 1.0 from NwkKey; SNwkSIntKey = NwkSEncKey = FNwkSIntKey.
    // chirpstack keys.rs computes these with opt_neg = false and the NwkKey.
    const keys = deriveSessionKeys11({
      optNeg: false,
      nwkKey: cs.nwkKey,
      netId: cs.netId,
      joinNonce: cs.joinNonce,
      devNonce: cs.devNonce,
    });
    expect(h(keys.fNwkSIntKey)).toBe(h(cs.nwkSKey10));
    expect(h(keys.sNwkSIntKey)).toBe(h(cs.nwkSKey10));
    expect(h(keys.nwkSEncKey)).toBe(h(cs.nwkSKey10));
    expect(h(keys.appSKey)).toBe(h(cs.appSKey10));
    // distinct Buffers: zeroing one key must not zero the others
    keys.sNwkSIntKey.fill(0);
    expect(h(keys.fNwkSIntKey)).toBe(h(cs.nwkSKey10));
    expect(h(keys.nwkSEncKey)).toBe(h(cs.nwkSKey10));
  });

  it('OptNeg = 1 agrees with lora-packet generateSessionKeys11 on random inputs', () => {
    fc.assert(
      fc.property(
        key16(),
        key16(),
        eui8(),
        fc.integer({ min: 0, max: 0xffffff }),
        fc.integer({ min: 0, max: 0xffff }),
        (appKey, nwkKey, joinEui, joinNonce, devNonce) => {
          const lp = loraPacket.generateSessionKeys11(
            appKey,
            nwkKey,
            joinEui,
            be(joinNonce, 3),
            be(devNonce, 2),
          );
          const keys = deriveSessionKeys11({ optNeg: true, appKey, nwkKey, joinEui, joinNonce, devNonce });
          expect(h(keys.appSKey)).toBe(h(lp.AppSKey));
          expect(h(keys.fNwkSIntKey)).toBe(h(lp.FNwkSIntKey));
          expect(h(keys.sNwkSIntKey)).toBe(h(lp.SNwkSIntKey));
          expect(h(keys.nwkSEncKey)).toBe(h(lp.NwkSEncKey));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects bad keys and fields', () => {
    const p = {
      optNeg: true as const,
      appKey: Buffer.alloc(16),
      nwkKey: Buffer.alloc(16),
      joinEui: Buffer.alloc(8),
      joinNonce: 1,
      devNonce: 1,
    };
    expect(() => deriveSessionKeys11({ ...p, appKey: Buffer.alloc(8) })).toThrow(code('BAD_KEY'));
    expect(() => deriveSessionKeys11({ ...p, nwkKey: Buffer.alloc(17) })).toThrow(code('BAD_KEY'));
    expect(() => deriveSessionKeys11({ ...p, joinEui: Buffer.alloc(9) })).toThrow(code('BAD_FIELD'));
    expect(() => deriveSessionKeys11({ ...p, joinNonce: 2 ** 24 })).toThrow(code('BAD_FIELD'));
    expect(() =>
      deriveSessionKeys11({ optNeg: false, nwkKey: Buffer.alloc(16), netId: -1, joinNonce: 1, devNonce: 1 }),
    ).toThrow(code('BAD_FIELD'));
  });
});

describe('deriveJoinServerKeys (L11 §6.1.1.4)', () => {
  it.each([
    // vector: lora-packet __tests__/key_gen_test.ts "should generate JS keys"
    [
      '089234b089c2d8490edf8c9f9b8e8f9c',
      '0123456789abcdef',
      'bd147194430d6fec1351a327ee40e264',
      '8c61658dc01ee8add0c0becf90d2dc50',
    ],
    // vector: lora-packet __tests__/key_gen_test.ts "should generate JS keys in 1.1"
    [
      '01010101010101010101010101010101',
      '0000000000000001',
      '6b9cc9b000daebb610f1e39758cf69df',
      'c31fa11abb646ee1c21d5835815528ea',
    ],
    // vector: TheThingsNetwork/lorawan-stack pkg/crypto/key_derivation_test.go (DeriveJSIntKey / DeriveJSEncKey)
    [h(tts.key), h(tts.devEui), 'cb8e9ee114c3fb5ce472a5aa13ab1855', 'bb711eefb9829b4a75866f8616bacd6d'],
  ])('NwkKey %s, DevEUI %s', (nwkKey, devEui, jsIntKey, jsEncKey) => {
    const keys = deriveJoinServerKeys({ nwkKey: hex(nwkKey), devEui: hex(devEui) });
    expect(h(keys.jsIntKey)).toBe(jsIntKey);
    expect(h(keys.jsEncKey)).toBe(jsEncKey);
  });

  it('agrees with lora-packet generateJSKeys on random inputs', () => {
    fc.assert(
      fc.property(key16(), eui8(), (nwkKey, devEui) => {
        const lp = loraPacket.generateJSKeys(nwkKey, devEui);
        const keys = deriveJoinServerKeys({ nwkKey, devEui });
        expect(h(keys.jsIntKey)).toBe(h(lp.JSIntKey));
        expect(h(keys.jsEncKey)).toBe(h(lp.JSEncKey));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects bad keys and EUIs', () => {
    expect(() => deriveJoinServerKeys({ nwkKey: Buffer.alloc(1), devEui: Buffer.alloc(8) })).toThrow(
      code('BAD_KEY'),
    );
    expect(() => deriveJoinServerKeys({ nwkKey: Buffer.alloc(16), devEui: Buffer.alloc(7) })).toThrow(
      code('BAD_FIELD'),
    );
  });
});

describe('sessionKeys10As11', () => {
  it('maps NwkSKey onto the three 1.1 network keys (chirpstack lrwn/src/keys.rs note)', () => {
    const k10 = { nwkSKey: Buffer.alloc(16, 1), appSKey: Buffer.alloc(16, 2) };
    const k11 = sessionKeys10As11(k10);
    expect(k11.fNwkSIntKey.equals(k10.nwkSKey)).toBe(true);
    expect(k11.sNwkSIntKey.equals(k10.nwkSKey)).toBe(true);
    expect(k11.nwkSEncKey.equals(k10.nwkSKey)).toBe(true);
    expect(k11.appSKey.equals(k10.appSKey)).toBe(true);
    k11.fNwkSIntKey.fill(0);
    expect(k10.nwkSKey[0]).toBe(1);
    expect(() => sessionKeys10As11({ nwkSKey: Buffer.alloc(3), appSKey: Buffer.alloc(16) })).toThrow(
      code('BAD_KEY'),
    );
  });
});
