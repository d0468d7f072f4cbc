import { envelopeLabel, KeyEnvelopeError, openKeyEnvelope, sealKeyEnvelope } from './key-envelope';

// vector: ChirpStack backend/src/lib.rs `test_key_envelope` (KEK 0807060504030201×2, key 0102030405060708×2).
const KEY = Buffer.from('01020304050607080102030405060708', 'hex');
const KEK = Buffer.from('08070605040302010807060504030201', 'hex');
const WRAPPED = 'e3d5a47ba25cbe6e5da820846e0cb6a82b750c59d848ec7a';

describe('TS002 KeyEnvelope', () => {
  it('wraps under the KEK as ChirpStack does (RFC 3394), lowercase hex', () => {
    expect(sealKeyEnvelope(KEY, { kekLabel: 'test-kek', kek: KEK })).toEqual({
      KEKLabel: 'test-kek',
      AESKey: WRAPPED,
    });
  });

  it('without a KEK: the key in clear, KEKLabel ""', () => {
    expect(sealKeyEnvelope(KEY)).toEqual({ KEKLabel: '', AESKey: KEY.toString('hex') });
  });

  it('opens a wrapped envelope with the KEK its label names (any hex case, 0x prefix)', () => {
    const kekFor = (l: string) => (l === 'test-kek' ? KEK : undefined);
    expect(
      openKeyEnvelope({ KEKLabel: 'test-kek', AESKey: WRAPPED.toUpperCase() }, 'NwkSKey', kekFor),
    ).toEqual(KEY);
    expect(openKeyEnvelope({ KEKLabel: 'test-kek', AESKey: `0x${WRAPPED}` }, 'NwkSKey', kekFor)).toEqual(KEY);
  });

  it('opens a clear envelope; a missing KEKLabel means clear (ChirpStack serde default)', () => {
    expect(
      openKeyEnvelope({ KEKLabel: '', AESKey: KEY.toString('hex') }, 'AppSKey', () => undefined),
    ).toEqual(KEY);
    expect(openKeyEnvelope({ AESKey: KEY.toString('hex') }, 'AppSKey', () => undefined)).toEqual(KEY);
    expect(envelopeLabel({ AESKey: 'x' }, 'AppSKey')).toBe('');
  });

  it('says why an envelope does not open, naming the field and never the key', () => {
    const cases: Array<[unknown, (l: string) => Buffer | undefined, string]> = [
      [null, () => KEK, 'MALFORMED'],
      [{ KEKLabel: 7, AESKey: WRAPPED }, () => KEK, 'MALFORMED'],
      [{ KEKLabel: '', AESKey: WRAPPED }, () => KEK, 'MALFORMED'], // clear keys are 16 bytes
      [{ KEKLabel: 'test-kek', AESKey: KEY.toString('hex') }, () => KEK, 'MALFORMED'], // wrapped ones 24
      [{ KEKLabel: 'test-kek', AESKey: 'zz' }, () => KEK, 'MALFORMED'],
      [{ KEKLabel: 'other', AESKey: WRAPPED }, () => undefined, 'UNKNOWN_KEK'],
      [{ KEKLabel: 'test-kek', AESKey: WRAPPED }, () => Buffer.alloc(16, 1), 'UNWRAP_FAILED'],
    ];
    for (const [env, kekFor, code] of cases) {
      const err = (() => {
        try {
          openKeyEnvelope(env, 'FNwkSIntKey', kekFor);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(KeyEnvelopeError);
      expect(err).toMatchObject({ code, field: 'FNwkSIntKey' });
      expect((err as Error).message).not.toContain(KEY.toString('hex'));
    }
  });
});
