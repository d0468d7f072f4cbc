import { LORAWAN_VERSIONS, TX_PARAM_MAX_EIRP_DBM, versionCapabilities } from './mac-version';
import { LorawanError } from './errors';
import { getRegion } from './regions';

describe('versionCapabilities', () => {
  it('gates 1.1 features to 1.1 (LoRaWAN 1.1 §4.3.1.6, §4.4, §5)', () => {
    for (const v of LORAWAN_VERSIONS) {
      const c = versionCapabilities(v);
      const is11 = v === '1.1.0';
      expect([c.encryptsFOpts, c.usesNwkKey, c.splitsFCntDown, c.rekeyInd, c.resetInd]).toEqual(
        Array(5).fill(is11),
      );
      expect([c.adrParamSetupReq, c.forceRejoinReq, c.rejoinParamSetupReq, c.deviceModeInd]).toEqual(
        Array(4).fill(is11),
      );
      expect(c.singleLinkAdrAns).toBe(is11);
    }
  });

  it('introduces DlChannelReq/TxParamSetupReq in 1.0.2 and DeviceTimeReq in 1.0.3', () => {
    expect(versionCapabilities('1.0.1').dlChannelReq).toBe(false);
    expect(versionCapabilities('1.0.2').dlChannelReq).toBe(true);
    expect(versionCapabilities('1.0.2').txParamSetupReq).toBe(true);
    expect(versionCapabilities('1.0.2').deviceTimeReq).toBe(false);
    expect(versionCapabilities('1.0.3').deviceTimeReq).toBe(true);
  });

  it('switches DevNonce to a counter and drops MAX_FCNT_GAP from 1.0.4 (L1.0.4 §6.2.5, §4.3.1.5)', () => {
    expect(versionCapabilities('1.0.3')).toMatchObject({
      incrementingDevNonce: false,
      maxFCntGap: true,
      linkAdrKeepValues: false,
    });
    expect(versionCapabilities('1.0.4')).toMatchObject({
      incrementingDevNonce: true,
      maxFCntGap: false,
      linkAdrKeepValues: true,
    });
    expect(versionCapabilities('1.1.0')).toMatchObject({ incrementingDevNonce: true, maxFCntGap: false });
  });

  it('refuses an unknown version with a typed error', () => {
    expect(() => versionCapabilities('2.0')).toThrow(LorawanError);
  });

  it('maps TxParamSetupReq MaxEIRP indices to dBm (LoRaWAN 1.1 Table 12)', () => {
    expect(TX_PARAM_MAX_EIRP_DBM).toHaveLength(16);
    expect(TX_PARAM_MAX_EIRP_DBM[0]).toBe(8);
    expect(TX_PARAM_MAX_EIRP_DBM[5]).toBe(16);
    expect(TX_PARAM_MAX_EIRP_DBM[15]).toBe(36);
  });
});

describe('Region.frequencyRange', () => {
  it.each([
    ['EU868', 868_100_000, 870_500_000],
    ['US915', 902_300_000, 928_500_000],
    ['AS923-3', 916_600_000, 929_000_000],
    ['KR920', 922_100_000, 923_500_000],
    ['IN865', 865_062_500, 867_500_000],
  ] as const)('%s accepts %d and refuses %d', (name, inside, outside) => {
    const r = getRegion(name);
    expect(r.isValidFrequency(inside)).toBe(true);
    expect(r.isValidFrequency(outside)).toBe(false);
    expect(r.isValidFrequency(inside + 0.5)).toBe(false);
  });
});
