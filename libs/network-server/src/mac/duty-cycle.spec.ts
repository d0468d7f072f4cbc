import { EU868 } from '@lns/lorawan';
import { dutyCycleRequester, handleDutyCycleAns, wantedDutyCycleReqs } from './duty-cycle';
import { ctxFor, logs, recordingEnv, sent, settingsWith, stateFor } from './mac-test-support';

describe('DutyCycleReq / DutyCycleAns', () => {
  it('asks for the network-wide MaxDCycle when the device differs', () => {
    expect(wantedDutyCycleReqs(stateFor(EU868), ctxFor(EU868), settingsWith({ maxDutyCycle: 7 }))).toEqual([
      { cid: 'DutyCycleReq', maxDutyCycle: 7 },
    ]);
    expect(wantedDutyCycleReqs(stateFor(EU868), ctxFor(EU868), settingsWith({ maxDutyCycle: 0 }))).toEqual(
      [],
    );
  });

  it('asks nothing without a setting, or with one out of 0..15', () => {
    expect(wantedDutyCycleReqs(stateFor(EU868), ctxFor(EU868), settingsWith())).toEqual([]);
    expect(wantedDutyCycleReqs(stateFor(EU868), ctxFor(EU868), settingsWith({ maxDutyCycle: 16 }))).toEqual(
      [],
    );
  });

  it('applies MaxDCycle on the answer', () => {
    const state = stateFor(EU868);
    sent(state, [{ cid: 'DutyCycleReq', maxDutyCycle: 7 }]);
    handleDutyCycleAns(recordingEnv(state, ctxFor(EU868)).env, { cid: 'DutyCycleAns' }, []);
    expect(state.maxDutyCycle).toBe(7);
    expect(state.pending).toEqual([]);
  });

  it('an answer without a request changes nothing', () => {
    const state = stateFor(EU868);
    const rec = recordingEnv(state, ctxFor(EU868));
    handleDutyCycleAns(rec.env, { cid: 'DutyCycleAns' }, []);
    expect(state.maxDutyCycle).toBe(0);
    expect(logs(rec.effects)).toHaveLength(1);
  });

  it('is known to every version', () => {
    expect(dutyCycleRequester.supported({ region: EU868, macVersion: '1.0.2' })).toBe(true);
  });
});
