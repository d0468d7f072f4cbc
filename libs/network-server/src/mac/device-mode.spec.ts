import { EU868 } from '@lns/lorawan';
import { handleDeviceModeInd } from './device-mode';
import { ctxFor, logs, recordingEnv, stateFor } from './mac-test-support';

const ctx11 = ctxFor(EU868, { macVersion: '1.1.0' });

describe('DeviceModeInd → DeviceModeConf (1.1)', () => {
  it('switches to Class C: confirmation + deviceClass effect', () => {
    const state = stateFor(EU868);
    const rec = recordingEnv(state, ctx11);
    handleDeviceModeInd(rec.env, { cid: 'DeviceModeInd', deviceClass: 0x02 }, []);
    expect(state.deviceClass).toBe('C');
    expect(state.answers).toEqual([{ cid: 'DeviceModeConf', deviceClass: 0x02 }]);
    expect(rec.effects).toEqual([{ kind: 'deviceClass', deviceClass: 'C' }]);
  });

  it('back to Class A; a repeat of the class in use is confirmed without an effect', () => {
    const state = stateFor(EU868, { deviceClass: 'C' });
    const rec = recordingEnv(state, ctx11);
    handleDeviceModeInd(rec.env, { cid: 'DeviceModeInd', deviceClass: 0x00 }, []);
    expect(rec.effects).toEqual([{ kind: 'deviceClass', deviceClass: 'A' }]);
    const again = recordingEnv(state, ctx11);
    handleDeviceModeInd(again.env, { cid: 'DeviceModeInd', deviceClass: 0x00 }, []);
    expect(again.effects).toEqual([]);
    expect(state.answers).toHaveLength(2);
  });

  it('an RFU class is not taken; the confirmation states the class in use', () => {
    const state = stateFor(EU868);
    const rec = recordingEnv(state, ctx11);
    handleDeviceModeInd(rec.env, { cid: 'DeviceModeInd', deviceClass: 0x01 }, []);
    expect(state.deviceClass).toBe('A');
    expect(state.answers).toEqual([{ cid: 'DeviceModeConf', deviceClass: 0x00 }]);
    expect(logs(rec.effects)).toEqual(['WARNING DeviceModeInd with RFU class 0x1: not taken']);
  });

  it('is ignored from a 1.0.x device', () => {
    const state = stateFor(EU868);
    handleDeviceModeInd(recordingEnv(state, ctxFor(EU868)).env, { cid: 'DeviceModeInd', deviceClass: 2 }, []);
    expect(state.deviceClass).toBe('A');
    expect(state.answers).toEqual([]);
  });
});
