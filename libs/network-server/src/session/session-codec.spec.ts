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

  it('reads an ADR history written as entry objects (before the flat form) as flat', () => {
    const ctx = contextFor();
    const s = sessionFor(ctx);
    s.mac.uplinkHistory = [10, 4.5, 3, 0, 11, 6, 2, 0];
    const row = toSessionRow(cipher, s);
    expect(JSON.parse(row.macState).uplinkHistory).toEqual([10, 4.5, 3, 0, 11, 6, 2, 0]);
    row.macState = JSON.stringify({
      ...JSON.parse(row.macState),
      uplinkHistory: [
        { fCnt: 10, maxSnr: 4.5, gatewayCount: 3, txPower: 0 },
        { fCnt: 11, maxSnr: 6, gatewayCount: 2, txPower: 0 },
      ],
    });
    expect(fromSessionRow(cipher, row, owner).mac.uplinkHistory).toEqual([10, 4.5, 3, 0, 11, 6, 2, 0]);
  });

  it('loads a 1.0.x session with one copy of its NwkSKey for all three roles, and the MAC version constant', () => {
    const s = sessionFor(contextFor({ macVersion: '1.0.3' }));
    expect(s.fNwkSIntKey.equals(s.nwkSEncKey)).toBe(true);
    const row = toSessionRow(cipher, s);
    row.macVersion = ['1', '0', '3'].join('.');
    const back = fromSessionRow(cipher, row, owner);
    expect(back).toEqual({ ...s, lastUplink: undefined, pendingAck: undefined });
    const at = (k: Buffer) => [k.buffer, k.byteOffset];
    expect(at(back.sNwkSIntKey)).toEqual(at(back.fNwkSIntKey));
    expect(at(back.nwkSEncKey)).toEqual(at(back.fNwkSIntKey));
    expect(at(back.appSKey!)).not.toEqual(at(back.fNwkSIntKey));
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

  describe('held small, as every session is in memory at once', () => {
    const rowFor = (devEui: string, keys: { nwk: Buffer; app: Buffer }) =>
      toSessionRow(
        cipher,
        sessionFor(contextFor({ devEui }), {
          fNwkSIntKey: keys.nwk,
          sNwkSIntKey: keys.nwk,
          nwkSEncKey: keys.nwk,
          appSKey: keys.app,
        }),
      );
    const keysOf = (i: number) => ({
      nwk: Buffer.alloc(16, i & 0xff).fill(0x10, 0, 1),
      app: Buffer.alloc(16, i & 0xff).fill(0x20, 0, 1),
    });
    const euiOf = (i: number) => i.toString(16).padStart(16, '0');

    afterEach(() => jest.restoreAllMocks());

    it('keeps the MAC state as the shared row JSON until first touched, then gives each session its own', () => {
      const rows = [rowFor(euiOf(1), keysOf(1)), rowFor(euiOf(2), keysOf(2))];
      expect(rows[1].macState).toBe(rows[0].macState);
      fromSessionRow(cipher, rows[0], owner); // this JSON is now known (validated once)
      const parse = jest.spyOn(JSON, 'parse');
      const [a, b] = rows.map((r) =>
        fromSessionRow(cipher, { ...r, macState: (' ' + r.macState).slice(1) }, owner),
      );
      expect(parse).not.toHaveBeenCalled();

      const macA = a.mac;
      expect(parse).toHaveBeenCalledTimes(1);
      expect(a.mac).toBe(macA);
      macA.enabledChannels.push(7);
      macA.rejections.LinkADRReq = 2;
      expect(b.mac.enabledChannels).not.toContain(7);
      expect(b.mac.rejections).toEqual({});
      expect(JSON.parse(toSessionRow(cipher, a).macState)).toMatchObject({ enabledChannels: [0, 1, 2, 7] });

      // An own enumerable property like any other session's: spreads, JSON and assignment see it.
      expect(Object.keys(b)).toContain('mac');
      expect({ ...a }.mac).toBe(macA);
      expect(JSON.parse(JSON.stringify(a)).mac.rejections).toEqual({ LinkADRReq: 2 });
      const replaced = { ...b.mac, dataRate: 1 };
      b.mac = replaced;
      expect(b.mac).toBe(replaced);
      expect(a.mac.dataRate).toBe(5);
    });

    it('gives each read of a key a Buffer over the same bytes; assigning a key replaces it', () => {
      const s = fromSessionRow(cipher, rowFor(euiOf(4), keysOf(4)), owner);
      expect(s.appSKey).not.toBe(s.appSKey);
      s.appSKey!.fill(0x33);
      expect(s.appSKey).toEqual(Buffer.alloc(16, 0x33));
      const fresh = Buffer.alloc(16, 0x44);
      s.fNwkSIntKey = fresh;
      expect(s.fNwkSIntKey).toBe(fresh);
      expect(s.sNwkSIntKey).toEqual(keysOf(4).nwk);
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining(['fNwkSIntKey', 'sNwkSIntKey', 'nwkSEncKey', 'appSKey']),
      );
      const e2e = fromSessionRow(
        cipher,
        toSessionRow(cipher, sessionFor(contextFor({ endToEnd: true }))),
        owner,
      );
      expect('appSKey' in e2e).toBe(false);
    });

    it('refuses broken MAC-state JSON even after many valid ones', () => {
      const row = rowFor(euiOf(3), keysOf(3));
      for (let i = 0; i < 300; i++) {
        fromSessionRow(
          cipher,
          { ...row, macState: JSON.stringify({ ...JSON.parse(row.macState), dataRate: i }) },
          owner,
        );
      }
      expect(() => fromSessionRow(cipher, { ...row, macState: '{"dataRate":' }, owner)).toThrow(/not JSON/);
    });

    it('gives every session its own keys, intact across key slabs', () => {
      const n = 600; // more keys than one slab holds
      const loaded = Array.from({ length: n }, (_, i) =>
        fromSessionRow(cipher, rowFor(euiOf(i), keysOf(i)), owner),
      );
      loaded.forEach((s, i) => {
        expect(s.fNwkSIntKey).toEqual(keysOf(i).nwk);
        expect(s.appSKey).toEqual(keysOf(i).app);
        expect(s.nwkSEncKey).toEqual(s.fNwkSIntKey);
      });
      loaded[0].appSKey!.fill(0xff);
      expect(loaded[1].fNwkSIntKey).toEqual(keysOf(1).nwk);
      expect(loaded[0].fNwkSIntKey).toEqual(keysOf(0).nwk);
    });
  });
});
