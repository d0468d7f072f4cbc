import { decodeCFList, getRegion } from '@lns/lorawan';
import { DeviceProfileEntity } from '@lns/storage';
import { DefaultMacLayer } from '../mac/default-mac-layer';
import { joinSettings, settingsInForce } from './join-settings';

function profile(over: Partial<DeviceProfileEntity> = {}): DeviceProfileEntity {
  return Object.assign(new DeviceProfileEntity(), {
    id: 'p',
    name: 'p',
    region: 'EU868',
    macVersion: '1.0.3',
    regParamsRevision: null,
    supportsClassC: false,
    adrEnabled: true,
    rx1Delay: 1,
    rx1DrOffset: 0,
    rx2DataRate: null,
    rx2Frequency: null,
    subBand: null,
    createdAt: new Date(0),
    ...over,
  });
}

describe('join-accept settings from the profile and region', () => {
  it('DLSettings: the profile RX1 offset, its RX2 DR or the region default; OptNeg only for 1.1', () => {
    const eu = getRegion('EU868');
    expect(joinSettings(profile({ rx1DrOffset: 2, rx1Delay: 3 }), eu)).toMatchObject({
      dlSettings: { optNeg: false, rx1DrOffset: 2, rx2DataRate: 0 },
      rxDelay: 3,
    });
    expect(joinSettings(profile({ rx2DataRate: 3, macVersion: '1.1.0' }), eu).dlSettings).toEqual({
      optNeg: true,
      rx1DrOffset: 0,
      rx2DataRate: 3,
    });
    expect(joinSettings(profile({ region: 'US915' }), getRegion('US915')).dlSettings.rx2DataRate).toBe(8);
  });

  it('EU868: a type 0 CFList with the five extra channels 867.1-867.9 MHz', () => {
    const s = joinSettings(profile(), getRegion('EU868'));
    expect(decodeCFList(s.cfList!)).toEqual({
      type: 0,
      frequencies: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000],
    });
    // The MAC layer takes them as channels 3..7 of the device.
    const mac = new DefaultMacLayer().initialState(getRegion('EU868'), {
      rx1DrOffset: 0,
      rx2DataRate: 0,
      rx2Frequency: 869_525_000,
      rxDelay: 1,
      cfList: s.cfList,
      deviceClass: 'A',
    });
    expect(mac.enabledChannels).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('a region without network extra channels sends no CFList', () => {
    expect(joinSettings(profile({ region: 'AS923' }), getRegion('AS923')).cfList).toBeUndefined();
  });

  it('US915 sub-band 2: a type 1 CFList enabling channels 8-15 and 65', () => {
    const s = joinSettings(profile({ region: 'US915', subBand: 2 }), getRegion('US915'));
    const cf = decodeCFList(s.cfList!);
    expect(cf).toEqual({ type: 1, chMasks: [0xff00, 0, 0, 0, 0x0002, 0, 0] });
  });

  it('US915 without a sub-band, or a 1.0.2 device (RP001 reads no CFList there): none', () => {
    const us = getRegion('US915');
    expect(joinSettings(profile({ region: 'US915' }), us).cfList).toBeUndefined();
    expect(
      joinSettings(profile({ region: 'US915', subBand: 1, macVersion: '1.0.2' }), us).cfList,
    ).toBeUndefined();
  });

  it('rejoin type 2 repeats the settings in force and sends no CFList', () => {
    const mac = new DefaultMacLayer().initialState(getRegion('EU868'), {
      rx1DrOffset: 3,
      rx2DataRate: 2,
      rx2Frequency: 869_525_000,
      rxDelay: 5,
      deviceClass: 'A',
    });
    expect(settingsInForce(mac, true)).toEqual({
      dlSettings: { optNeg: true, rx1DrOffset: 3, rx2DataRate: 2 },
      rxDelay: 5,
    });
  });
});
