import { EU868 } from '@lns/lorawan';
import { ctxFor, recordingEnv, stateFor } from './mac-test-support';
import { handleRekeyInd } from './rekey';

describe('RekeyInd → RekeyConf (1.1)', () => {
  it('confirms with the server minor and reports the new session once', () => {
    const state = stateFor(EU868);
    const rec = recordingEnv(state, ctxFor(EU868, { macVersion: '1.1.0' }));
    handleRekeyInd(rec.env, { cid: 'RekeyInd', minor: 1 }, []);
    expect(state.answers).toEqual([{ cid: 'RekeyConf', minor: 1 }]);
    expect(rec.effects).toEqual([{ kind: 'rekeyed' }]);
    expect(state.rekeyed).toBe(true);

    // The device repeats RekeyInd until RekeyConf arrives: confirm again, report nothing new.
    const again = recordingEnv(state, ctxFor(EU868, { macVersion: '1.1.0' }));
    handleRekeyInd(again.env, { cid: 'RekeyInd', minor: 1 }, []);
    expect(state.answers).toHaveLength(2);
    expect(again.effects).toEqual([]);
  });

  it('answers a newer device with minor 1', () => {
    const state = stateFor(EU868);
    handleRekeyInd(
      recordingEnv(state, ctxFor(EU868, { macVersion: '1.1.0' })).env,
      { cid: 'RekeyInd', minor: 2 },
      [],
    );
    expect(state.answers).toEqual([{ cid: 'RekeyConf', minor: 1 }]);
  });

  it('is ignored from a 1.0.x device', () => {
    const state = stateFor(EU868);
    const rec = recordingEnv(state, ctxFor(EU868, { macVersion: '1.0.3' }));
    handleRekeyInd(rec.env, { cid: 'RekeyInd', minor: 1 }, []);
    expect(state.answers).toEqual([]);
    expect(state.rekeyed).toBeUndefined();
  });
});
