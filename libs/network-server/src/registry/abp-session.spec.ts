import { EU868, US915 } from '@lns/lorawan';
import { ApplicationEntity, DeviceProfileEntity, MacVersion } from '@lns/storage';
import { abpBootSettings, buildAbpSession } from './abp-session';
import { DefaultMacLayer } from '../mac';
import { RegistryValidationError } from './registry-errors';

const k = (b: number) => Buffer.alloc(16, b);
const profile = (macVersion: MacVersion, over: Partial<DeviceProfileEntity> = {}) =>
  Object.assign(new DeviceProfileEntity(), {
    id: 'p',
    region: 'EU868',
    macVersion,
    supportsClassC: false,
    rx1DrOffset: 3,
    rx2DataRate: 3,
    rx2Frequency: 869_100_000,
    rx1Delay: 5,
    ...over,
  });
const application = (endToEnd = false) => Object.assign(new ApplicationEntity(), { id: 'a', endToEnd });

describe('abpBootSettings', () => {
  it('is the region default, whatever the profile wishes: no join-accept told the device otherwise', () => {
    expect(abpBootSettings(EU868, profile('1.0.3'))).toEqual({
      rx1DrOffset: 0,
      rx2DataRate: 0,
      rx2Frequency: 869_525_000,
      rxDelay: 1,
      deviceClass: 'A',
    });
    expect(abpBootSettings(US915, profile('1.0.3', { supportsClassC: true }))).toMatchObject({
      rx2DataRate: 8,
      rx2Frequency: 923_300_000,
      deviceClass: 'C',
    });
  });
});

describe('buildAbpSession', () => {
  const macLayer = new DefaultMacLayer();
  const base = { devEui: '0102030405060708', region: EU868, macLayer, now: 1000 };

  it('1.0.x: the NwkSKey is all three network keys (copies), one FCntDown', () => {
    const nwkSKey = k(1);
    const s = buildAbpSession({
      ...base,
      abp: { devAddr: 0xfeedbeef, nwkSKey, appSKey: k(2), fCntUp: 7, fCntDown: 9 },
      profile: profile('1.0.2'),
      application: application(),
    });
    expect(s).toMatchObject({
      devEui: '0102030405060708',
      devAddr: 0xfeedbeef,
      macVersion: '1.0.2',
      applicationId: 'a',
      deviceProfileId: 'p',
      fNwkSIntKey: k(1),
      sNwkSIntKey: k(1),
      nwkSEncKey: k(1),
      appSKey: k(2),
      fCntUp: 7,
      nFCntDown: 9,
      activatedAt: 1000,
    });
    // Copies: a later change to one key buffer cannot alter another.
    expect(s.fNwkSIntKey).not.toBe(s.sNwkSIntKey);
    nwkSKey.fill(0);
    expect(s.fNwkSIntKey).toEqual(k(1));
  });

  it('1.1: three network keys; fCntDown is NFCntDown, aFCntDown apart; counters default to 0', () => {
    const s = buildAbpSession({
      ...base,
      abp: { devAddr: 1, fNwkSIntKey: k(1), sNwkSIntKey: k(2), nwkSEncKey: k(3), appSKey: k(4), fCntDown: 4 },
      profile: profile('1.1.0'),
      application: application(),
    });
    expect(s).toMatchObject({
      fNwkSIntKey: k(1),
      sNwkSIntKey: k(2),
      nwkSEncKey: k(3),
      fCntUp: 0,
      nFCntDown: 4,
      aFCntDown: 0,
    });
  });

  it('end-to-end application: no AppSKey, even if one slipped through', () => {
    const s = buildAbpSession({
      ...base,
      abp: { devAddr: 1, nwkSKey: k(1), appSKey: k(2) },
      profile: profile('1.0.3'),
      application: application(true),
    });
    expect(s.appSKey).toBeUndefined();
  });

  it("the MAC state is the MAC layer's initial state with the boot settings", () => {
    const builder = { initialState: jest.fn(macLayer.initialState.bind(macLayer)) };
    const s = buildAbpSession({
      ...base,
      macLayer: builder,
      abp: { devAddr: 1, nwkSKey: k(1), appSKey: k(2) },
      profile: profile('1.0.3'),
      application: application(),
    });
    expect(builder.initialState).toHaveBeenCalledWith(EU868, abpBootSettings(EU868, profile('1.0.3')));
    expect(s.mac).toMatchObject({ rx1DrOffset: 0, rx2DataRate: 0, rx2Frequency: 869_525_000, rxDelay: 1 });
    expect(s.mac.enabledChannels).toEqual([0, 1, 2]);
  });

  it('refuses, naming the field, a session missing a network key', () => {
    expect(() =>
      buildAbpSession({
        ...base,
        abp: { devAddr: 1, appSKey: k(2) },
        profile: profile('1.0.3'),
        application: application(),
      }),
    ).toThrow(RegistryValidationError);
  });
});
