import { EU868, RXParamSetupAns, US915 } from '@lns/lorawan';
import { ctxFor, logs, recordingEnv, sent, stateFor } from './mac-test-support';
import { handleRxParamSetupAns, rxParamSetupRequester, wantedRxParamSetupReqs } from './rx-param-setup';

const ACK: RXParamSetupAns = {
  cid: 'RXParamSetupAns',
  rx1DrOffsetAck: true,
  rx2DataRateAck: true,
  channelAck: true,
};
const wanted = { wantedRx1DrOffset: 2, wantedRx2DataRate: 3, wantedRx2Frequency: 869_525_000 };

describe('RXParamSetupReq', () => {
  it('asks for the profile values when any of the three differs', () => {
    expect(wantedRxParamSetupReqs(stateFor(EU868), ctxFor(EU868, wanted))).toEqual([
      { cid: 'RXParamSetupReq', rx1DrOffset: 2, rx2DataRate: 3, frequency: 869_525_000 },
    ]);
    expect(
      wantedRxParamSetupReqs(stateFor(EU868), ctxFor(EU868, { wantedRx2Frequency: 869_100_000 })),
    ).toHaveLength(1);
  });

  it('asks nothing when the device has the profile values', () => {
    expect(wantedRxParamSetupReqs(stateFor(EU868), ctxFor(EU868))).toEqual([]);
  });

  it('never asks for values the region cannot take (the device would refuse)', () => {
    expect(
      wantedRxParamSetupReqs(stateFor(EU868), ctxFor(EU868, { ...wanted, wantedRx1DrOffset: 6 })),
    ).toEqual([]);
    // US915 DR0..4 are uplink-only.
    expect(wantedRxParamSetupReqs(stateFor(US915), ctxFor(US915, { wantedRx2DataRate: 2 }))).toEqual([]);
    expect(
      wantedRxParamSetupReqs(stateFor(EU868), ctxFor(EU868, { ...wanted, wantedRx2Frequency: 869_525_050 })),
    ).toEqual([]);
    // Outside the EU868 band.
    expect(
      wantedRxParamSetupReqs(stateFor(EU868), ctxFor(EU868, { ...wanted, wantedRx2Frequency: 923_300_000 })),
    ).toEqual([]);
  });

  it('is known to every version and region', () => {
    expect(rxParamSetupRequester.supported({ region: US915, macVersion: '1.0.2' })).toBe(true);
  });
});

describe('RXParamSetupAns', () => {
  function pending() {
    const state = stateFor(EU868);
    const ctx = ctxFor(EU868, wanted);
    sent(state, wantedRxParamSetupReqs(state, ctx));
    return { state, ctx };
  }

  it('applies all three values when all three bits are set, and asks for a downlink (sticky answer)', () => {
    const { state, ctx } = pending();
    const rec = recordingEnv(state, ctx);
    handleRxParamSetupAns(rec.env, ACK, []);
    expect(state).toMatchObject({ rx1DrOffset: 2, rx2DataRate: 3, rx2Frequency: 869_525_000, pending: [] });
    expect(rec.sticky.has('RXParamSetupReq')).toBe(true);
    expect(rec.needsDownlink()).toBe(true);
  });

  it.each([
    ['RX1DROffsetACK', { rx1DrOffsetAck: false }],
    ['RX2DataRateACK', { rx2DataRateAck: false }],
    ['ChannelACK', { channelAck: false }],
  ])('%s = 0: keeps the previous values, counts a refusal', (bit, nack) => {
    const { state, ctx } = pending();
    const rec = recordingEnv(state, ctx);
    handleRxParamSetupAns(rec.env, { ...ACK, ...nack }, []);
    expect(state).toMatchObject({ rx1DrOffset: 0, rx2DataRate: 0, rx2Frequency: 869_525_000 });
    expect(state.rejections.RXParamSetupReq).toBe(1);
    expect(logs(rec.effects)).toEqual([`WARNING RXParamSetupReq refused: ${bit}=0`]);
  });

  it('a sticky repeat without a pending request is expected: no change, no log', () => {
    const state = stateFor(EU868);
    const rec = recordingEnv(state, ctxFor(EU868, wanted));
    handleRxParamSetupAns(rec.env, ACK, []);
    expect(state.rx1DrOffset).toBe(0);
    expect(rec.effects).toEqual([]);
    expect(rec.sticky.has('RXParamSetupReq')).toBe(true);
  });
});
