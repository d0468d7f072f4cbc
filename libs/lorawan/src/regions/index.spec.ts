import { LorawanError } from '../errors';
import { getRegion, isRegionName, REGION_NAMES } from './index';

describe('region registry', () => {
  it('lists the nine regions', () => {
    expect(REGION_NAMES).toEqual([
      'EU868',
      'US915',
      'AU915',
      'AS923',
      'AS923-2',
      'AS923-3',
      'AS923-4',
      'IN865',
      'KR920',
    ]);
    for (const name of REGION_NAMES) expect(getRegion(name).name).toBe(name);
  });

  it('throws UNKNOWN_REGION for anything else', () => {
    expect(() => getRegion('CN470')).toThrow(LorawanError);
    expect(() => getRegion('toString')).toThrow(expect.objectContaining({ code: 'UNKNOWN_REGION' }));
    expect(isRegionName('EU868')).toBe(true);
    expect(isRegionName('eu868')).toBe(false);
  });
});

describe.each(REGION_NAMES.map((n) => [n, getRegion(n)] as const))('%s invariants', (_name, r) => {
  it('uses the RP002 common delays 1/2/5/6 s', () => {
    expect([r.receiveDelay1, r.receiveDelay2, r.joinAcceptDelay1, r.joinAcceptDelay2]).toEqual([1, 2, 5, 6]);
  });

  it('has a max payload for every data rate, with N = M − 8', () => {
    expect(Object.keys(r.maxPayload)).toEqual(Object.keys(r.dataRates));
    for (const e of Object.values(r.maxPayload)) {
      expect(e.noDwell.n).toBe(e.noDwell.m - 8);
      if (e.dwell) expect(e.dwell.n).toBe(e.dwell.m - 8);
    }
  });

  it('maps every uplink DR × RX1DROffset to a downlink data rate', () => {
    for (const [dr, rate] of Object.entries(r.dataRates)) {
      if (!rate.uplink) continue;
      for (let offset = 0; offset <= r.maxRx1DrOffset; offset++) {
        for (const dwell of [false, true]) {
          expect(r.getDataRate(r.rx1DataRate(Number(dr), offset, dwell)).downlink).toBe(true);
        }
      }
    }
  });

  it('has RX2 on a downlink data rate, channels within the DR table, TXPower 0 = max EIRP', () => {
    expect(r.getDataRate(r.rx2.dataRate).downlink).toBe(true);
    for (const c of [...r.defaultChannels, ...r.joinChannels]) {
      expect(r.getDataRate(c.minDr).uplink && r.getDataRate(c.maxDr).uplink).toBe(true);
    }
    r.defaultChannels.forEach((c, i) => expect(r.uplinkChannelIndex(c.frequency)).toBe(i));
    expect(r.joinChannels.map((c) => c.frequency)).toEqual(r.defaultChannels.map((c) => c.frequency));
    expect(r.txPowerEirp(0)).toBe(r.defaultMaxEirp);
    expect(r.getDataRate(r.maxAdrDataRate).uplink).toBe(true);
  });
});
