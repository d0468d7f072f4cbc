import { EU868 } from '@lns/lorawan';
import { adrParamSetupRequester, handleAdrParamSetupAns, wantedAdrParamSetupReqs } from './adr-param-setup';
import { ctxFor, recordingEnv, sent, settingsWith, stateFor } from './mac-test-support';

describe('ADRParamSetupReq / ADRParamSetupAns', () => {
  it('LoRaWAN 1.1 only', () => {
    expect(adrParamSetupRequester.supported({ region: EU868, macVersion: '1.1.0' })).toBe(true);
    expect(adrParamSetupRequester.supported({ region: EU868, macVersion: '1.0.4' })).toBe(false);
  });

  it('asks when the exponents differ from the device (defaults 2^6 / 2^5)', () => {
    const ctx = ctxFor(EU868, { macVersion: '1.1.0' });
    expect(wantedAdrParamSetupReqs(stateFor(EU868), ctx, settingsWith({ adrAckLimitExp: 7 }))).toEqual([
      { cid: 'ADRParamSetupReq', limitExp: 7, delayExp: 5 },
    ]);
    expect(wantedAdrParamSetupReqs(stateFor(EU868), ctx, settingsWith({ adrAckLimitExp: 6 }))).toEqual([]);
    expect(wantedAdrParamSetupReqs(stateFor(EU868), ctx, settingsWith())).toEqual([]);
    expect(wantedAdrParamSetupReqs(stateFor(EU868), ctx, settingsWith({ adrAckDelayExp: 16 }))).toEqual([]);
  });

  it('applies the exponents on the answer', () => {
    const state = stateFor(EU868);
    sent(state, [{ cid: 'ADRParamSetupReq', limitExp: 7, delayExp: 4 }]);
    handleAdrParamSetupAns(recordingEnv(state, ctxFor(EU868)).env, { cid: 'ADRParamSetupAns' }, []);
    expect(state).toMatchObject({ adrAckLimitExp: 7, adrAckDelayExp: 4, pending: [] });
  });
});
