import { KeyCipher } from '@lns/storage';
import { APP_S_KEY, contextFor, KEY_E, KEY_F, KEY_S, sessionFor } from '../uplink/ns-test-support';
import { fromSessionRow, SessionDecodeError, sessionKeyContext, toSessionRow } from './session-codec';

describe('session codec', () => {
  const cipher = new KeyCipher(Buffer.alloc(32, 7));
  const owner = { applicationId: 'app-1', deviceProfileId: 'prof-1' };

  it('round-trips a 1.1 session; the keys are sealed, never in clear in the row', () => {
    const ctx = contextFor({ macVersion: '1.1.0' });
    const s = sessionFor(ctx, {
      devAddr: 0xfe000001,
      fCntUp: 70_000,
      nFCntDown: 5,
      aFCntDown: 9,
      lastSeenAt: 1_700_000_000_000,
      sessionKeyId: 'sk-1',
    });
    const row = toSessionRow(cipher, s);
    expect(row.devAddr).toBe(0xfe000001);
    for (const k of [KEY_F, KEY_S, KEY_E, APP_S_KEY]) expect(row.keys.includes(k)).toBe(false);
    const back = fromSessionRow(cipher, row, owner);
    expect(back).toEqual({ ...s, lastUplink: undefined, pendingAck: undefined });
  });

  it('loads a 1.0.x session with one Buffer for its NwkSKey in all three roles, and the MAC version constant', () => {
    const s = sessionFor(contextFor({ macVersion: '1.0.3' }));
    expect(s.fNwkSIntKey.equals(s.nwkSEncKey)).toBe(true);
    const row = toSessionRow(cipher, s);
    row.macVersion = ['1', '0', '3'].join('.');
    const back = fromSessionRow(cipher, row, owner);
    expect(back).toEqual({ ...s, lastUplink: undefined, pendingAck: undefined });
    expect(back.sNwkSIntKey).toBe(back.fNwkSIntKey);
    expect(back.nwkSEncKey).toBe(back.fNwkSIntKey);
    expect(back.appSKey).not.toBe(back.fNwkSIntKey);
    expect(back.macVersion).toBe('1.0.3');
  });

  it('keeps an end-to-end session without AppSKey, with its envelope', () => {
    const ctx = contextFor({ endToEnd: true });
    const s = sessionFor(ctx, { appSKeyEnvelope: { kekLabel: 'as-1', aesKey: 'AAAA' } });
    const back = fromSessionRow(cipher, toSessionRow(cipher, s), owner);
    expect(back.appSKey).toBeUndefined();
    expect(back.appSKeyEnvelope).toEqual({ kekLabel: 'as-1', aesKey: 'AAAA' });
  });

  it('binds the sealed keys to their device: a blob moved to another row does not unseal', () => {
    const a = toSessionRow(cipher, sessionFor(contextFor({ devEui: '0000000000000001' })));
    const b = toSessionRow(cipher, sessionFor(contextFor({ devEui: '0000000000000002' })));
    b.keys = a.keys;
    expect(() => fromSessionRow(cipher, b, owner)).toThrow(SessionDecodeError);
    expect(sessionKeyContext('0000000000000002')).toBe('session:0000000000000002');
  });

  it('refuses an unknown MAC version or broken MAC state with SessionDecodeError', () => {
    const row = toSessionRow(cipher, sessionFor(contextFor()));
    expect(() => fromSessionRow(cipher, { ...row, macVersion: '2.0' }, owner)).toThrow(SessionDecodeError);
    expect(() => fromSessionRow(cipher, { ...row, macState: '{' }, owner)).toThrow(SessionDecodeError);
    expect(() => fromSessionRow(new KeyCipher(Buffer.alloc(32, 8)), row, owner)).toThrow(/do not unseal/);
  });
});
