import { EU868 } from '@lns/lorawan';
import { deviceTimeAns, GPS_EPOCH_UNIX_MS, handleDeviceTimeReq, unixToGpsMs } from './device-time';
import { ctxFor, recordingEnv, stateFor } from './mac-test-support';

describe('DeviceTimeReq → DeviceTimeAns', () => {
  it('converts the server clock to GPS time: epoch 1980-01-06, 18 leap seconds', () => {
    expect(new Date(GPS_EPOCH_UNIX_MS).toISOString()).toBe('1980-01-06T00:00:00.000Z');
    // 2017-01-01T00:00:00Z (Unix 1483228800) is GPS second 1167264018.
    expect(unixToGpsMs(Date.UTC(2017, 0, 1))).toBe(1_167_264_018_000);
  });

  it('gives whole seconds and the fraction in 1/256 s', () => {
    const ans = deviceTimeAns(ctxFor(EU868, { now: Date.UTC(2017, 0, 1) + 500 }));
    expect(ans).toEqual({ cid: 'DeviceTimeAns', gpsEpochSeconds: 1_167_264_018, fractionalSecond: 128 });
    expect(deviceTimeAns(ctxFor(EU868, { now: Date.UTC(2017, 0, 1) + 999 })).fractionalSecond).toBe(255);
  });

  it("prefers the gateways' GPS time of the uplink", () => {
    expect(deviceTimeAns(ctxFor(EU868, { gpsTimeMs: 1_000_000_250 }))).toEqual({
      cid: 'DeviceTimeAns',
      gpsEpochSeconds: 1_000_000,
      fractionalSecond: 64,
    });
  });

  it('queues the answer and asks for a downlink', () => {
    const state = stateFor(EU868);
    const rec = recordingEnv(state, ctxFor(EU868, { gpsTimeMs: 5_000 }));
    handleDeviceTimeReq(rec.env, { cid: 'DeviceTimeReq' }, []);
    expect(state.answers).toEqual([{ cid: 'DeviceTimeAns', gpsEpochSeconds: 5, fractionalSecond: 0 }]);
    expect(rec.needsDownlink()).toBe(true);
  });
});
