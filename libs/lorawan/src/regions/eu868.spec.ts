import { encodeCFList } from '../cflist';
import { LorawanError } from '../errors';
import { EU868 } from './eu868';

const r = EU868;
const flags = (n: number, on: number[]) => Array.from({ length: n }, (_, i) => on.includes(i));

describe('EU868 tables', () => {
  it('has the RP002-1.0.4 §2.4.3 data rates (reference §4.1, TTS eu_863_870_rp2_v1_0_4.go)', () => {
    expect(r.dataRates[0]).toEqual({
      modulation: 'LORA',
      spreadingFactor: 12,
      bandwidth: 125_000,
      codingRate: '4/5',
      bitRate: 250,
      uplink: true,
      downlink: true,
    });
    const lora = [0, 1, 2, 3, 4, 5, 6].map((dr) => {
      const d = r.getDataRate(dr);
      return d.modulation === 'LORA' ? [d.spreadingFactor, d.bandwidth, d.bitRate] : d;
    });
    expect(lora).toEqual([
      [12, 125_000, 250],
      [11, 125_000, 440],
      [10, 125_000, 980],
      [9, 125_000, 1760],
      [8, 125_000, 3125],
      [7, 125_000, 5470],
      [7, 250_000, 11_000],
    ]);
    expect(r.getDataRate(7)).toMatchObject({ modulation: 'FSK', bitRate: 50_000 });
    expect(r.getDataRate(8)).toMatchObject({
      modulation: 'LR-FHSS',
      occupiedChannelWidth: 137_000,
      codingRate: '1/3',
    });
    expect(r.getDataRate(11)).toMatchObject({
      modulation: 'LR-FHSS',
      occupiedChannelWidth: 336_000,
      codingRate: '2/3',
    });
    expect([8, 9, 10, 11].every((dr) => r.getDataRate(dr).uplink && !r.getDataRate(dr).downlink)).toBe(true);
    expect(() => r.getDataRate(12)).toThrow(expect.objectContaining({ code: 'UNKNOWN_DATA_RATE' }));
    expect(r.maxAdrDataRate).toBe(5);
  });

  it('has the RP002-1.0.4 max payload sizes M/N (reference §4.1)', () => {
    const m = Array.from({ length: 12 }, (_, dr) => r.getMaxPayload(dr)?.m);
    expect(m).toEqual([59, 59, 59, 123, 250, 250, 250, 250, 58, 123, 58, 123]);
    expect(r.getMaxPayload(0)).toEqual({ m: 59, n: 51 });
    expect(r.getMaxPayload(3, true)).toEqual({ m: 123, n: 115 }); // no dwell limit in EU868
    expect(() => r.getMaxPayload(14)).toThrow(LorawanError);
  });

  it('has 3 default/join channels of 16 (RP002-1.0.4 §2.4.2)', () => {
    expect(r.defaultChannels.map((c) => c.frequency)).toEqual([868_100_000, 868_300_000, 868_500_000]);
    expect(r.defaultChannels.every((c) => c.minDr === 0 && c.maxDr === 5)).toBe(true);
    expect(r.joinChannels).toEqual(r.defaultChannels);
    expect(r.maxChannels).toBe(16);
    expect(r.uplinkChannelIndex(868_300_000)).toBe(1);
    expect(r.uplinkChannelIndex(867_100_000)).toBeUndefined();
    expect(r.uplinkChannelIndex(867_100_000, [868_100_000, 868_300_000, 868_500_000, 867_100_000])).toBe(3);
  });

  it('maps RX1 DR by the RP002 §2.4.7 table (TTS eu863870DownlinkDRTable)', () => {
    const table = Array.from({ length: 12 }, (_, dr) => [0, 1, 2, 3, 4, 5].map((o) => r.rx1DataRate(dr, o)));
    expect(table).toEqual([
      [0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
      [2, 1, 0, 0, 0, 0],
      [3, 2, 1, 0, 0, 0],
      [4, 3, 2, 1, 0, 0],
      [5, 4, 3, 2, 1, 0],
      [6, 5, 4, 3, 2, 1],
      [7, 6, 5, 4, 3, 2],
      [1, 0, 0, 0, 0, 0],
      [2, 1, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
      [2, 1, 0, 0, 0, 0],
    ]);
    expect(() => r.rx1DataRate(5, 6)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
    expect(() => r.rx1DataRate(12, 0)).toThrow(expect.objectContaining({ code: 'UNKNOWN_DATA_RATE' }));
  });

  it('keeps the uplink frequency for RX1 and defaults RX2 to 869.525 MHz DR0 (RP002 §2.4.7)', () => {
    expect(r.rx1Frequency(868_300_000)).toBe(868_300_000);
    expect(r.rx2).toEqual({ frequency: 869_525_000, dataRate: 0 });
    expect([r.receiveDelay1, r.receiveDelay2, r.joinAcceptDelay1, r.joinAcceptDelay2]).toEqual([1, 2, 5, 6]);
  });

  it('has TXPower = MaxEIRP − 2·n, n 0..7, MaxEIRP 16 dBm (RP002 §2.4.3)', () => {
    expect(r.txPowerOffsets).toEqual([0, -2, -4, -6, -8, -10, -12, -14]);
    expect(r.defaultMaxEirp).toBe(16);
    expect(r.txPowerEirp(0)).toBe(16);
    expect(r.txPowerEirp(7)).toBe(2);
    expect(r.txPowerEirp(1, 14)).toBe(12);
    expect(() => r.txPowerEirp(8)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
    // ChirpStack eu868.rs get_downlink_tx_power_eirp
    expect(r.downlinkTxPower(869_525_000)).toBe(29);
    expect(r.downlinkTxPower(868_100_000)).toBe(16);
    expect(r.implementsTxParamSetup).toBe(false);
    expect(r.bootDwellTime).toEqual({ uplink: false, downlink: false });
  });

  it('finds data rates by modulation', () => {
    expect(r.dataRateIndexOf({ spreadingFactor: 7, bandwidth: 125_000 }, 'uplink')).toBe(5);
    expect(r.dataRateIndexOf({ spreadingFactor: 7, bandwidth: 250_000 }, 'downlink')).toBe(6);
    expect(r.dataRateIndexOf({ bitRate: 50_000 }, 'uplink')).toBe(7);
    expect(r.dataRateIndexOf({ spreadingFactor: 7, bandwidth: 500_000 }, 'uplink')).toBeUndefined();
  });
});

describe('EU868 CFList', () => {
  it('builds type 0 (vector: ChirpStack lrwn/src/cflist.rs tests, 867.1-867.9 MHz)', () => {
    const cf = r.buildCFList({
      frequencies: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000],
    });
    expect(r.cfListType).toBe(0);
    expect(encodeCFList(cf).toString('hex')).toBe('184f84e85684b85e84886684586e8400');
  });

  it('pads to 5 entries and refuses more, or a channel mask', () => {
    expect(r.buildCFList({ frequencies: [867_100_000] })).toEqual({
      type: 0,
      frequencies: [867_100_000, 0, 0, 0, 0],
    });
    expect(() => r.buildCFList({ frequencies: [1, 2, 3, 4, 5, 6] })).toThrow(LorawanError);
    expect(() => r.buildCFList({ enabledChannels: [true] })).toThrow(
      expect.objectContaining({ code: 'BAD_FIELD' }),
    );
  });
});

describe('EU868 LinkADRReq channel mask (RP002-1.0.4 §2.4.5)', () => {
  const eight = flags(8, [0, 1, 2, 3, 4, 5, 6, 7]);

  it('ChMaskCntl 0: ChMask bit n = channel n', () => {
    expect(r.applyChMask(eight, 0b0000_0101, 0)).toEqual({ ok: true, enabled: flags(8, [0, 2]) });
  });

  it('ChMaskCntl 6: every defined channel on, ChMask ignored', () => {
    expect(r.applyChMask(flags(8, [0]), 0, 6)).toEqual({ ok: true, enabled: eight });
    const defined = flags(8, [0, 1, 2, 5]);
    expect(r.applyChMask(flags(8, [0]), 0, 6, defined)).toEqual({ ok: true, enabled: defined });
  });

  it.each([1, 2, 3, 4, 5, 7])('ChMaskCntl %i is RFU', (cntl) => {
    expect(r.applyChMask(eight, 0x00ff, cntl)).toMatchObject({ ok: false, error: 'CHMASKCNTL_RFU' });
  });

  it('rejects enabling an undefined channel, or disabling all', () => {
    expect(r.applyChMask(eight, 0x0100, 0)).toMatchObject({ ok: false, error: 'UNDEFINED_CHANNEL' });
    expect(r.applyChMask(eight, 0b1000, 0, flags(8, [0, 1, 2]))).toMatchObject({
      ok: false,
      error: 'UNDEFINED_CHANNEL',
    });
    expect(r.applyChMask(eight, 0, 0)).toMatchObject({ ok: false, error: 'NO_CHANNEL_ENABLED' });
  });

  it('refuses out-of-range fields as programming errors', () => {
    expect(() => r.applyChMask(eight, 0x1_0000, 0)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
    expect(() => r.applyChMask(eight, 1, 8)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
    expect(() => r.applyChMask(flags(17, [0]), 1, 0)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
  });

  it('builds one ChMaskCntl 0 mask that reproduces the target', () => {
    const target = flags(8, [0, 1, 2, 6]);
    const masks = r.linkAdrChMasks(target);
    expect(masks).toEqual([{ chMask: 0b0100_0111, chMaskCntl: 0 }]);
    expect(r.applyChMasks(eight, masks)).toEqual({ ok: true, enabled: target });
    expect(() => r.linkAdrChMasks(flags(8, []))).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
  });
});
