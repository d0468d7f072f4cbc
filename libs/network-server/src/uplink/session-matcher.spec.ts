import {
  computeUplinkMic10,
  computeUplinkMic11,
  DataUpFrame,
  decodePhyPayload,
  encodePhyPayload,
  MType,
} from '@lns/lorawan';
import { DeviceSession } from '../session/device-session';
import { contextFor, sessionFor } from './ns-test-support';
import { Candidate, matchSession, MAX_MIC_ATTEMPTS } from './session-matcher';

const TX = { modulation: 'LORA' as const, spreadingFactor: 7, bandwidth: 125_000, codeRate: '4/5' as const };
const F868_3 = 868_300_000; // EU868 default channel 1

/** A signed uplink of `s` with the full counter `fCnt` (TxDr 5 / TxCh 1 for 1.1). */
function uplink(s: DeviceSession, fCnt: number, opts: { ack?: boolean; confFCnt?: number } = {}): Buffer {
  const unsigned = encodePhyPayload({
    mType: MType.UnconfirmedDataUp,
    devAddr: s.devAddr,
    fCtrl: { adr: true, adrAckReq: false, ack: opts.ack ?? false, classB: false, fOptsLen: 0 },
    fCnt: fCnt & 0xffff,
    fOpts: Buffer.alloc(0),
    fPort: 1,
    frmPayload: Buffer.from([1, 2, 3]),
    mic: Buffer.alloc(4),
  });
  const msg = unsigned.subarray(0, unsigned.length - 4);
  const mic =
    s.macVersion === '1.1.0'
      ? computeUplinkMic11({
          fNwkSIntKey: s.fNwkSIntKey,
          sNwkSIntKey: s.sNwkSIntKey,
          devAddr: s.devAddr,
          fCnt,
          msg,
          txDr: 5,
          txCh: 1,
          confFCnt: opts.confFCnt,
        })
      : computeUplinkMic10({ nwkSKey: s.fNwkSIntKey, devAddr: s.devAddr, fCnt, msg });
  mic.copy(unsigned, unsigned.length - 4);
  return unsigned;
}

function match(phy: Buffer, candidates: Candidate[]) {
  return matchSession(decodePhyPayload(phy) as DataUpFrame, phy, TX, F868_3, candidates);
}

/** Another device's session on the same DevAddr, with other keys. */
function stranger(i: number): Candidate {
  const ctx = contextFor({ devEui: `ff000000000000${i.toString(16).padStart(2, '0')}` });
  const key = Buffer.alloc(16, i + 1);
  return {
    ctx,
    session: sessionFor(ctx, { fNwkSIntKey: key, sNwkSIntKey: key, nwkSEncKey: key, lastSeenAt: 1000 + i }),
  };
}

describe('matchSession', () => {
  const ctx = contextFor();
  const mine = (over: Partial<DeviceSession> = {}): Candidate => ({ ctx, session: sessionFor(ctx, over) });

  it('finds the session whose MIC verifies among several sharing the DevAddr, with the 32-bit FCnt', () => {
    const me = mine({ fCntUp: 0x1fff0, lastSeenAt: 1 });
    const m = match(uplink(me.session, 0x1fff5), [stranger(1), me, stranger(2)]);
    expect(m).toMatchObject({ kind: 'match', fCnt: 0x1fff5, dataRate: 5, channel: 1 });
    expect(m.kind !== 'none' && m.session).toBe(me.session);
    // Most recently heard first: the two strangers were tried before it.
    expect(m.attempts).toBe(3);
  });

  it('rebuilds the counter across the 16-bit rollover', () => {
    const me = mine({ fCntUp: 0xffff });
    expect(match(uplink(me.session, 0x10000), [me])).toMatchObject({ kind: 'match', fCnt: 0x10000 });
  });

  it(`stops after ${MAX_MIC_ATTEMPTS} MIC attempts and says so`, () => {
    const many = Array.from({ length: 12 }, (_, i) => stranger(i));
    const me = mine({ lastSeenAt: 0 }); // heard least recently: beyond the bound
    const m = match(uplink(me.session, 0), [...many, me]);
    expect(m).toMatchObject({ kind: 'none', attempts: MAX_MIC_ATTEMPTS, limited: true });
  });

  it('tells an authentic old frame (replay) from a forgery', () => {
    const me = mine({ fCntUp: 10 });
    expect(match(uplink(me.session, 3), [me])).toMatchObject({ kind: 'replay', fCnt: 3, attempts: 2 });
    const forged = uplink(me.session, 12);
    forged[forged.length - 1] ^= 1;
    expect(match(forged, [me])).toMatchObject({ kind: 'none', limited: false });
  });

  it('checks the 1.1 MIC with TxDr, TxCh and, for an ACK, the ConfFCnt of the confirmed downlink', () => {
    const c11 = contextFor({ macVersion: '1.1.0' });
    const s = sessionFor(c11, {
      fCntUp: 4,
      aFCntDown: 8,
      pendingAck: { queueItemId: 'q', fCntDown: 7, sentAt: 0 },
    });
    const me = { ctx: c11, session: s };
    expect(match(uplink(s, 4), [me])).toMatchObject({ kind: 'match', fCnt: 4 });
    expect(match(uplink(s, 4, { ack: true, confFCnt: 7 }), [me])).toMatchObject({ kind: 'match' });
    expect(match(uplink(s, 4, { ack: true, confFCnt: 6 }), [me]).kind).toBe('none');
    // The same frame heard on another channel (TxCh 2) does not verify.
    const phy = uplink(s, 4);
    expect(matchSession(decodePhyPayload(phy) as DataUpFrame, phy, TX, 868_500_000, [me]).kind).toBe('none');
  });

  it('skips a session whose region has no such data rate', () => {
    const me = mine();
    const phy = uplink(me.session, 0);
    const fsk = { modulation: 'FSK' as const, bitRate: 1234 };
    expect(matchSession(decodePhyPayload(phy) as DataUpFrame, phy, fsk, F868_3, [me])).toMatchObject({
      kind: 'none',
      attempts: 0,
    });
  });
});
