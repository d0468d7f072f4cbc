import { EU868 } from '@lns/lorawan';
import { ctxFor, recordingEnv, sent, stateFor } from './mac-test-support';
import {
  handleRxTimingSetupAns,
  normalizeRxDelay,
  rxTimingSetupRequester,
  wantedRxTimingSetupReqs,
} from './rx-timing-setup';

describe('RXTimingSetupReq / RXTimingSetupAns', () => {
  it('asks for the profile delay when it differs (Del 0 counts as 1 s)', () => {
    expect(wantedRxTimingSetupReqs(stateFor(EU868), ctxFor(EU868, { wantedRxDelay: 5 }))).toEqual([
      { cid: 'RXTimingSetupReq', delay: 5 },
    ]);
    expect(wantedRxTimingSetupReqs(stateFor(EU868), ctxFor(EU868, { wantedRxDelay: 0 }))).toEqual([]);
    expect(normalizeRxDelay(0)).toBe(1);
  });

  it('never asks for a delay outside 1..15 s', () => {
    expect(wantedRxTimingSetupReqs(stateFor(EU868), ctxFor(EU868, { wantedRxDelay: 16 }))).toEqual([]);
  });

  it('applies the delay on the answer (no status bits) and marks it sticky', () => {
    const state = stateFor(EU868);
    sent(state, [{ cid: 'RXTimingSetupReq', delay: 5 }]);
    const rec = recordingEnv(state, ctxFor(EU868, { wantedRxDelay: 5 }));
    handleRxTimingSetupAns(rec.env, { cid: 'RXTimingSetupAns' }, []);
    expect(state.rxDelay).toBe(5);
    expect(state.pending).toEqual([]);
    expect(rec.sticky.has('RXTimingSetupReq')).toBe(true);
  });

  it('a sticky repeat changes nothing', () => {
    const state = stateFor(EU868);
    handleRxTimingSetupAns(recordingEnv(state, ctxFor(EU868)).env, { cid: 'RXTimingSetupAns' }, []);
    expect(state.rxDelay).toBe(1);
  });

  it('is known to every version', () => {
    expect(rxTimingSetupRequester.supported({ region: EU868, macVersion: '1.0.2' })).toBe(true);
  });
});
