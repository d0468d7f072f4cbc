import { EU868 } from '@lns/lorawan';
import { ctxFor, logs, recordingEnv, sent, stateFor } from './mac-test-support';
import { handleRejoinParamSetupAns, rejoinParamSetupRequester } from './rejoin-param-setup';

describe('RejoinParamSetupReq / RejoinParamSetupAns', () => {
  it('LoRaWAN 1.1 only, operator-queued', () => {
    expect(rejoinParamSetupRequester.supported({ region: EU868, macVersion: '1.1.0' })).toBe(true);
    expect(rejoinParamSetupRequester.supported({ region: EU868, macVersion: '1.0.4' })).toBe(false);
    expect(rejoinParamSetupRequester.wanted(stateFor(EU868), ctxFor(EU868), {} as never)).toEqual([]);
  });

  it('TimeOK = 1: both limits in force', () => {
    const state = stateFor(EU868);
    sent(state, [{ cid: 'RejoinParamSetupReq', maxTimeN: 3, maxCountN: 2 }]);
    handleRejoinParamSetupAns(
      recordingEnv(state, ctxFor(EU868)).env,
      { cid: 'RejoinParamSetupAns', timeOk: true },
      [],
    );
    expect(state.rejoinParams).toEqual({ maxCountN: 2, maxTimeN: 3 });
    expect(state.rejections.RejoinParamSetupReq).toBeUndefined();
  });

  it('TimeOK = 0: only the count limit, and not a refusal', () => {
    const state = stateFor(EU868);
    sent(state, [{ cid: 'RejoinParamSetupReq', maxTimeN: 3, maxCountN: 2 }]);
    const rec = recordingEnv(state, ctxFor(EU868));
    handleRejoinParamSetupAns(rec.env, { cid: 'RejoinParamSetupAns', timeOk: false }, []);
    expect(state.rejoinParams).toEqual({ maxCountN: 2 });
    expect(state.rejections.RejoinParamSetupReq).toBeUndefined();
    expect(logs(rec.effects)[0]).toMatch(/^INFO RejoinParamSetupAns TimeOK=0/);
  });
});
