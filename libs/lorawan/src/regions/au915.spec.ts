import { AU915 } from './au915';

const r = AU915;

describe('AU915 tables (RP002-1.0.4 §2.8, reference §4.4, TTS au_915_928_rp2_v1_0_4.go)', () => {
  it('has the data rates', () => {
    const view = (dr: number) => {
      const d = r.getDataRate(dr);
      return d.modulation === 'LORA' ? [d.spreadingFactor, d.bandwidth, d.uplink] : d.modulation;
    };
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 13].map(view)).toEqual([
      [12, 125_000, true],
      [11, 125_000, true],
      [10, 125_000, true],
      [9, 125_000, true],
      [8, 125_000, true],
      [7, 125_000, true],
      [8, 500_000, true],
      'LR-FHSS',
      [12, 500_000, false],
      [7, 500_000, false],
    ]);
    expect(r.maxAdrDataRate).toBe(5);
  });

  it('has the max payload sizes without / with the 400 ms dwell limit', () => {
    const dws = Array.from({ length: 14 }, (_, dr) => [
      r.getMaxPayload(dr)?.m,
      r.getMaxPayload(dr, true)?.m ?? null,
    ]);
    expect(dws).toEqual([
      [59, null],
      [59, null],
      [59, 19],
      [123, 61],
      [250, 133],
      [250, 250],
      [250, 250],
      [58, 58],
      [61, 61],
      [137, 137],
      [250, 250],
      [250, 250],
      [250, 250],
      [250, 250],
    ]);
    expect(r.getMaxPayload(2, true)).toEqual({ m: 19, n: 11 });
    expect(r.bootDwellTime).toEqual({ uplink: true, downlink: false });
    expect(r.implementsTxParamSetup).toBe(true);
  });

  it('has 64 × 125 kHz from 915.2 MHz and 8 × 500 kHz from 915.9 MHz; joins at DR2 / DR6', () => {
    expect(r.defaultChannels[0]).toEqual({ frequency: 915_200_000, minDr: 0, maxDr: 5 });
    expect(r.defaultChannels[63].frequency).toBe(927_800_000);
    expect(r.defaultChannels[64]).toEqual({ frequency: 915_900_000, minDr: 6, maxDr: 7 });
    expect(r.defaultChannels[71].frequency).toBe(927_100_000);
    expect(r.joinChannels[0]).toEqual({ frequency: 915_200_000, minDr: 2, maxDr: 2 });
    expect(r.joinChannels[64]).toEqual({ frequency: 915_900_000, minDr: 6, maxDr: 6 });
  });

  it('maps RX1 DR by the RP002 table (TTS au915928DownlinkDRTable)', () => {
    const table = Array.from({ length: 8 }, (_, dr) => [0, 1, 2, 3, 4, 5].map((o) => r.rx1DataRate(dr, o)));
    expect(table).toEqual([
      [8, 8, 8, 8, 8, 8],
      [9, 8, 8, 8, 8, 8],
      [10, 9, 8, 8, 8, 8],
      [11, 10, 9, 8, 8, 8],
      [12, 11, 10, 9, 8, 8],
      [13, 12, 11, 10, 9, 8],
      [13, 13, 12, 11, 10, 9],
      [9, 8, 8, 8, 8, 8],
    ]);
    expect(() => r.rx1DataRate(0, 6)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
  });

  it('maps RX1 to channel mod 8 at 923.3 + 0.6·k MHz; RX2 923.3 MHz DR8', () => {
    expect(r.rx1Frequency(916_800_000)).toBe(923_300_000); // ch 8
    expect(r.rx1Frequency(917_000_000)).toBe(923_900_000); // ch 9
    expect(r.rx1Frequency(917_500_000)).toBe(923_900_000); // ch 65
    expect(r.rx2).toEqual({ frequency: 923_300_000, dataRate: 8 });
    expect(r.txPowerEirp(14)).toBe(2);
  });

  it('builds the sub-band 2 masks and CFList like US915', () => {
    const sb2 = Array.from({ length: 72 }, (_, i) => (i >= 8 && i <= 15) || i === 65);
    expect(r.linkAdrChMasks(sb2)).toEqual([{ chMask: 0x0002, chMaskCntl: 5 }]);
    expect(r.buildCFList({ enabledChannels: sb2 })).toEqual({ type: 1, chMasks: [0xff00, 0, 0, 0, 0x0002] });
  });
});
