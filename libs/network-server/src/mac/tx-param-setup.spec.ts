import { AS923, AU915, EU868, TX_PARAM_MAX_EIRP_DBM, US915 } from '@lns/lorawan';
import { ctxFor, recordingEnv, sent, settingsWith, stateFor } from './mac-test-support';
import {
  defaultMaxEirpIndex,
  handleTxParamSetupAns,
  txParamSetupRequester,
  wantedTxParamSetupReqs,
} from './tx-param-setup';

const settings = settingsWith({
  txParams: { AS923: { uplinkDwellTime: true, downlinkDwellTime: true, maxEirpIndex: 5 } },
});

describe('TxParamSetupReq / TxParamSetupAns', () => {
  it('each region boots on its default max EIRP', () => {
    expect(TX_PARAM_MAX_EIRP_DBM[defaultMaxEirpIndex(AS923)]).toBe(16);
    expect(TX_PARAM_MAX_EIRP_DBM[defaultMaxEirpIndex(AU915)]).toBe(30);
  });

  it('only where the region defines it, and from LoRaWAN 1.0.2', () => {
    expect(txParamSetupRequester.supported({ region: AS923, macVersion: '1.0.2' })).toBe(true);
    expect(txParamSetupRequester.supported({ region: AU915, macVersion: '1.1.0' })).toBe(true);
    expect(txParamSetupRequester.supported({ region: EU868, macVersion: '1.0.4' })).toBe(false);
    expect(txParamSetupRequester.supported({ region: US915, macVersion: '1.0.4' })).toBe(false);
  });

  it('asks for the region setting when the device differs', () => {
    // AS923 boots with uplink dwell time on, downlink off, 16 dBm.
    expect(wantedTxParamSetupReqs(stateFor(AS923), ctxFor(AS923), settings)).toEqual([
      { cid: 'TxParamSetupReq', uplinkDwellTime: true, downlinkDwellTime: true, maxEirp: 5 },
    ]);
    const done = stateFor(AS923, { downlinkDwellTime: true });
    expect(wantedTxParamSetupReqs(done, ctxFor(AS923), settings)).toEqual([]);
    expect(wantedTxParamSetupReqs(stateFor(AS923), ctxFor(AS923), settingsWith())).toEqual([]);
  });

  it('applies the values on the answer (no status bits); sticky', () => {
    const state = stateFor(AS923);
    sent(state, [{ cid: 'TxParamSetupReq', uplinkDwellTime: false, downlinkDwellTime: true, maxEirp: 9 }]);
    const rec = recordingEnv(state, ctxFor(AS923));
    handleTxParamSetupAns(rec.env, { cid: 'TxParamSetupAns' }, []);
    expect(state).toMatchObject({ uplinkDwellTime: false, downlinkDwellTime: true, maxEirpIndex: 9 });
    expect(rec.sticky.has('TxParamSetupReq')).toBe(true);
  });
});
