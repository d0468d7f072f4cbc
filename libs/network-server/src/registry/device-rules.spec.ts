import { ApplicationEntity, DeviceProfileEntity, MacVersion } from '@lns/storage';
import { checkDevice } from './device-rules';
import { CreateDevice } from './registry-inputs';

const KEY = Buffer.alloc(16, 7);

function profile(macVersion: MacVersion): DeviceProfileEntity {
  return Object.assign(new DeviceProfileEntity(), { id: 'p', region: 'EU868', macVersion });
}
function application(endToEnd: boolean): ApplicationEntity {
  return Object.assign(new ApplicationEntity(), { id: 'a', name: 'a', endToEnd });
}

const OTAA: CreateDevice = {
  devEui: '0102030405060708',
  joinEui: '70b3d57ed0000000',
  name: 'd',
  applicationId: 'a',
  deviceProfileId: 'p',
  activation: 'OTAA',
  appKey: KEY,
};
const ABP10: CreateDevice = {
  devEui: '0102030405060708',
  name: 'd',
  applicationId: 'a',
  deviceProfileId: 'p',
  activation: 'ABP',
  abp: { devAddr: 0x26011bda, nwkSKey: KEY, appSKey: KEY },
};
const ABP11: CreateDevice = {
  ...ABP10,
  abp: { devAddr: 0x26011bda, fNwkSIntKey: KEY, sNwkSIntKey: KEY, nwkSEncKey: KEY, appSKey: KEY },
};

const fields = (d: CreateDevice, v: MacVersion = '1.0.3', e2e = false) =>
  checkDevice(d, profile(v), application(e2e)).map((e) => e.field);

describe('checkDevice', () => {
  it.each<[string, CreateDevice, MacVersion, boolean]>([
    ['OTAA 1.0.x local with its AppKey', OTAA, '1.0.3', false],
    ['OTAA 1.1 local with AppKey and NwkKey', { ...OTAA, nwkKey: KEY }, '1.1.0', false],
    [
      'OTAA on an external join server without keys',
      { ...OTAA, joinServer: 'js-1', appKey: undefined },
      '1.0.3',
      false,
    ],
    [
      'OTAA 1.1 local whose keys the join server holds (QR provisioning), without keys',
      { ...OTAA, appKey: undefined, keysOnJoinServer: true },
      '1.1.0',
      false,
    ],
    ['ABP 1.0.x', ABP10, '1.0.2', false],
    ['ABP 1.1', ABP11, '1.1.0', false],
    [
      'ABP 1.0.x in an end-to-end application without AppSKey',
      { ...ABP10, abp: { devAddr: 1, nwkSKey: KEY } },
      '1.0.4',
      true,
    ],
  ])('accepts %s', (_name, d, v, e2e) => {
    expect(fields(d, v, e2e)).toEqual([]);
  });

  // One case per rule; each names the field it is about.
  it.each<[string, CreateDevice, MacVersion, boolean, string]>([
    ['OTAA needs a JoinEUI', { ...OTAA, joinEui: undefined }, '1.0.3', false, 'joinEui'],
    ['OTAA refuses an ABP session', { ...OTAA, abp: ABP10.abp }, '1.0.3', false, 'abp'],
    ['OTAA local 1.0.x needs the AppKey', { ...OTAA, appKey: undefined }, '1.0.3', false, 'appKey'],
    ['OTAA local 1.0.x has no NwkKey', { ...OTAA, nwkKey: KEY }, '1.0.3', false, 'nwkKey'],
    ['OTAA local 1.1 needs the NwkKey', OTAA, '1.1.0', false, 'nwkKey'],
    [
      'OTAA local 1.1 needs the AppKey',
      { ...OTAA, appKey: undefined, nwkKey: KEY },
      '1.1.0',
      false,
      'appKey',
    ],
    [
      'OTAA local with keys on the join server refuses an AppKey',
      { ...OTAA, keysOnJoinServer: true },
      '1.0.3',
      false,
      'appKey',
    ],
    ['OTAA external refuses an AppKey', { ...OTAA, joinServer: 'js-1' }, '1.0.3', false, 'appKey'],
    [
      'OTAA external refuses a NwkKey',
      { ...OTAA, joinServer: 'js-1', appKey: undefined, nwkKey: KEY },
      '1.1.0',
      false,
      'nwkKey',
    ],
    [
      'a join server id has a restricted alphabet',
      { ...OTAA, joinServer: 'a/b', appKey: undefined },
      '1.0.3',
      false,
      'joinServer',
    ],
    ['ABP needs its session', { ...ABP10, abp: undefined }, '1.0.3', false, 'abp'],
    ['ABP has no join server', { ...ABP10, joinServer: 'local' }, '1.0.3', false, 'joinServer'],
    ['ABP has no AppKey', { ...ABP10, appKey: KEY }, '1.0.3', false, 'appKey'],
    ['ABP has no NwkKey', { ...ABP10, nwkKey: KEY }, '1.0.3', false, 'nwkKey'],
    [
      'ABP 1.0.x needs the NwkSKey',
      { ...ABP10, abp: { devAddr: 1, appSKey: KEY } },
      '1.0.3',
      false,
      'abp.nwkSKey',
    ],
    [
      'ABP 1.0.x refuses FNwkSIntKey',
      { ...ABP10, abp: { ...ABP10.abp!, fNwkSIntKey: KEY } },
      '1.0.3',
      false,
      'abp.fNwkSIntKey',
    ],
    [
      'ABP 1.0.x has one FCntDown',
      { ...ABP10, abp: { ...ABP10.abp!, aFCntDown: 1 } },
      '1.0.3',
      false,
      'abp.aFCntDown',
    ],
    [
      'ABP 1.1 needs FNwkSIntKey',
      { ...ABP11, abp: { ...ABP11.abp!, fNwkSIntKey: undefined } },
      '1.1.0',
      false,
      'abp.fNwkSIntKey',
    ],
    [
      'ABP 1.1 needs SNwkSIntKey',
      { ...ABP11, abp: { ...ABP11.abp!, sNwkSIntKey: undefined } },
      '1.1.0',
      false,
      'abp.sNwkSIntKey',
    ],
    [
      'ABP 1.1 needs NwkSEncKey',
      { ...ABP11, abp: { ...ABP11.abp!, nwkSEncKey: undefined } },
      '1.1.0',
      false,
      'abp.nwkSEncKey',
    ],
    [
      'ABP 1.1 refuses a 1.0 NwkSKey',
      { ...ABP11, abp: { ...ABP11.abp!, nwkSKey: KEY } },
      '1.1.0',
      false,
      'abp.nwkSKey',
    ],
    ['ABP needs the AppSKey', { ...ABP10, abp: { devAddr: 1, nwkSKey: KEY } }, '1.0.3', false, 'abp.appSKey'],
    ['ABP in an end-to-end application refuses the AppSKey', ABP10, '1.0.3', true, 'abp.appSKey'],
    [
      'ABP counters are 32-bit',
      { ...ABP10, abp: { ...ABP10.abp!, fCntUp: 2 ** 32 } },
      '1.0.3',
      false,
      'abp.fCntUp',
    ],
    ['DevAddr is 32-bit', { ...ABP10, abp: { ...ABP10.abp!, devAddr: -1 } }, '1.0.3', false, 'abp.devAddr'],
    ['keys are 16 bytes', { ...OTAA, appKey: Buffer.alloc(15) }, '1.0.3', false, 'appKey'],
    ['DevEUI is 16 lowercase hex digits', { ...OTAA, devEui: 'xyz' }, '1.0.3', false, 'devEui'],
    ['activation is OTAA or ABP', { ...OTAA, activation: 'X' as never }, '1.0.3', false, 'activation'],
  ])('%s', (_name, d, v, e2e, field) => {
    expect(fields(d, v, e2e)).toEqual([field]);
  });

  it('says why an end-to-end application refuses the AppSKey', () => {
    const [e] = checkDevice(ABP10, profile('1.0.3'), application(true));
    expect(e.reason).toMatch(/only the application server holds the AppSKey/);
  });
});
