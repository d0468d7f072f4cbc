import { EU868 } from '@lns/lorawan';
import { ctxFor, logs, recordingEnv, sent, stateFor } from './mac-test-support';
import { handleResetInd } from './reset';

describe('ResetInd → ResetConf (1.1 ABP)', () => {
  it('answers with the server minor version and returns the MAC state to the region defaults', () => {
    const state = stateFor(EU868, {
      rx1DrOffset: 2,
      rxDelay: 5,
      txPower: 3,
      extraChannels: { 3: { frequency: 867_100_000, minDr: 0, maxDr: 5 } },
      enabledChannels: [0, 1, 2, 3],
      deviceClass: 'C',
    });
    sent(state, [{ cid: 'DevStatusReq' }]);
    const rec = recordingEnv(state, ctxFor(EU868, { macVersion: '1.1.0', dataRate: 3 }));
    handleResetInd(rec.env, { cid: 'ResetInd', minor: 1 }, []);
    expect(state.answers).toEqual([{ cid: 'ResetConf', minor: 1 }]);
    expect(state).toMatchObject({
      rx1DrOffset: 0,
      rxDelay: 1,
      txPower: 0,
      dataRate: 3,
      extraChannels: {},
      enabledChannels: [0, 1, 2],
      pending: [],
      deviceClass: 'C',
    });
    expect(rec.needsDownlink()).toBe(true);
  });

  it('never answers with a minor above the device', () => {
    const state = stateFor(EU868);
    handleResetInd(
      recordingEnv(state, ctxFor(EU868, { macVersion: '1.1.0' })).env,
      { cid: 'ResetInd', minor: 0 },
      [],
    );
    expect(state.answers).toEqual([{ cid: 'ResetConf', minor: 0 }]);
  });

  it('is ignored from a 1.0.x device', () => {
    const state = stateFor(EU868, { rxDelay: 5 });
    const rec = recordingEnv(state, ctxFor(EU868, { macVersion: '1.0.4' }));
    handleResetInd(rec.env, { cid: 'ResetInd', minor: 1 }, []);
    expect(state.answers).toEqual([]);
    expect(state.rxDelay).toBe(5);
    expect(logs(rec.effects)).toEqual(['WARNING ResetInd from a LoRaWAN 1.0.4 device: ignored']);
  });
});
