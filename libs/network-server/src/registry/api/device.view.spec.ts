import { EU868 } from '@lns/lorawan';
import { ApplicationEntity, DeviceEntity, DeviceProfileEntity } from '@lns/storage';
import { DeviceSession } from '../../session/device-session';
import { DefaultMacLayer } from '../../mac';
import { DeviceContext } from '../device-registry';
import { toDeviceView } from './device.view';

const KEY_HEX = ['11', '22', '33', '44'].map((b) => b.repeat(16));
const key = (i: number) => Buffer.from(KEY_HEX[i], 'hex');

const ctx: DeviceContext = {
  device: Object.assign(new DeviceEntity(), {
    devEui: '0102030405060708',
    joinEui: '70b3d57ed0000000',
    name: 'd',
    description: '',
    applicationId: 'a',
    deviceProfileId: 'p',
    activation: 'OTAA',
    joinServer: 'local',
    tags: { k: 'v' },
    createdAt: new Date(0),
  }),
  profile: Object.assign(new DeviceProfileEntity(), { id: 'p', macVersion: '1.1.0' }),
  application: Object.assign(new ApplicationEntity(), { id: 'a' }),
  region: EU868,
};

function session(over: Partial<DeviceSession> = {}): DeviceSession {
  return {
    devEui: '0102030405060708',
    devAddr: 0x0000abcd,
    macVersion: '1.1.0',
    applicationId: 'a',
    deviceProfileId: 'p',
    fNwkSIntKey: key(0),
    sNwkSIntKey: key(1),
    nwkSEncKey: key(2),
    appSKey: key(3),
    fCntUp: 12,
    nFCntDown: 3,
    aFCntDown: 8,
    mac: {
      ...new DefaultMacLayer().initialState(EU868, {
        rx1DrOffset: 0,
        rx2DataRate: 0,
        rx2Frequency: 869_525_000,
        rxDelay: 1,
        deviceClass: 'A',
      }),
      dataRate: 5,
    },
    activatedAt: 0,
    ...over,
  };
}

describe('toDeviceView', () => {
  it('a device without a session: not activated, the profile’s version', () => {
    expect(toDeviceView(ctx, undefined).state).toEqual({
      activated: false,
      devAddr: null,
      fCntUp: null,
      fCntDown: null,
      lastSeenAt: null,
      macVersion: '1.1.0',
    });
  });

  it('1.1: DevAddr as 8 hex digits, fCntDown is NFCntDown, both downlink counters, data rate once seen', () => {
    const view = toDeviceView(ctx, session({ lastSeenAt: Date.UTC(2026, 0, 1) }));
    expect(view.state).toEqual({
      activated: true,
      devAddr: '0000abcd',
      fCntUp: 12,
      fCntDown: 3,
      nFCntDown: 3,
      aFCntDown: 8,
      lastSeenAt: '2026-01-01T00:00:00.000Z',
      macVersion: '1.1.0',
      dataRate: 5,
    });
  });

  it('1.0.x: the one FCntDown; no data rate before the first uplink', () => {
    const state = toDeviceView(ctx, session({ macVersion: '1.0.3', devAddr: 0xfe000001 })).state;
    expect(state).toEqual({
      activated: true,
      devAddr: 'fe000001',
      fCntUp: 12,
      fCntDown: 3,
      lastSeenAt: null,
      macVersion: '1.0.3',
    });
  });

  it('never carries a key', () => {
    const json = JSON.stringify(toDeviceView(ctx, session({ lastSeenAt: 1 })));
    for (const hex of KEY_HEX) expect(json).not.toContain(hex);
    expect(json).not.toMatch(/key/i);
  });
});
