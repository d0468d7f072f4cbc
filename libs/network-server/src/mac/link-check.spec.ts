import { EU868, US915 } from '@lns/lorawan';
import { handleLinkCheckReq, linkCheckAns } from './link-check';
import { ctxFor, recordingEnv, stateFor } from './mac-test-support';

describe('LinkCheckReq → LinkCheckAns', () => {
  it('margin = best SNR − the SNR the uplink data rate needs; gwCnt = gateways', () => {
    // EU868 DR0 = SF12, −20 dB floor: SNR −12.4 → 7.6 dB → 7.
    expect(linkCheckAns(ctxFor(EU868, { dataRate: 0, maxSnr: -12.4, gatewayCount: 3 }))).toEqual({
      cid: 'LinkCheckAns',
      margin: 7,
      gwCnt: 3,
    });
    // US915 DR3 = SF7, −7.5 dB.
    expect(linkCheckAns(ctxFor(US915, { dataRate: 3, maxSnr: 2.5 })).margin).toBe(10);
  });

  it('clamps the margin to 0..254 and gwCnt to a byte', () => {
    expect(linkCheckAns(ctxFor(EU868, { dataRate: 5, maxSnr: -20 })).margin).toBe(0);
    expect(linkCheckAns(ctxFor(EU868, { dataRate: 5, maxSnr: 400 })).margin).toBe(254);
    expect(linkCheckAns(ctxFor(EU868, { gatewayCount: 300 })).gwCnt).toBe(255);
  });

  it('answers 0 dB for an FSK uplink (no SNR floor)', () => {
    expect(linkCheckAns(ctxFor(EU868, { dataRate: 7, maxSnr: 10 })).margin).toBe(0);
  });

  it('queues the answer and asks for a downlink', () => {
    const state = stateFor(EU868);
    const rec = recordingEnv(state, ctxFor(EU868, { dataRate: 5, maxSnr: 0 }));
    handleLinkCheckReq(rec.env, { cid: 'LinkCheckReq' }, []);
    expect(state.answers).toEqual([{ cid: 'LinkCheckAns', margin: 7, gwCnt: 1 }]);
    expect(rec.needsDownlink()).toBe(true);
  });
});
