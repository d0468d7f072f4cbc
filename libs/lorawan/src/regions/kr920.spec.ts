import { KR920 } from './kr920';

const r = KR920;

describe('KR920 tables (RP002-1.0.4 §2.14; TTS kr_920_923_rp2_v1_0_4.go, ChirpStack kr920.rs)', () => {
  it('has DR0..5 LoRa SF12..SF7 125 kHz only', () => {
    expect(Object.keys(r.dataRates).map(Number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.getDataRate(5)).toMatchObject({ spreadingFactor: 7, bandwidth: 125_000, bitRate: 5470 });
    expect([0, 1, 2, 3, 4, 5].map((dr) => r.getMaxPayload(dr)?.m)).toEqual([59, 59, 59, 123, 250, 250]);
  });

  it('has default channels 922.1/922.3/922.5 MHz and RX2 921.9 MHz DR0', () => {
    expect(r.defaultChannels).toEqual([
      { frequency: 922_100_000, minDr: 0, maxDr: 5 },
      { frequency: 922_300_000, minDr: 0, maxDr: 5 },
      { frequency: 922_500_000, minDr: 0, maxDr: 5 },
    ]);
    expect(r.rx2).toEqual({ frequency: 921_900_000, dataRate: 0 });
    expect(r.rx1Frequency(922_300_000)).toBe(922_300_000);
  });

  it('maps RX1 DR by the KR920 table (TTS kr920923DownlinkDRTable)', () => {
    const table = [0, 1, 2, 3, 4, 5].map((dr) => [0, 1, 2, 3, 4, 5].map((o) => r.rx1DataRate(dr, o)));
    expect(table).toEqual([
      [0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
      [2, 1, 0, 0, 0, 0],
      [3, 2, 1, 0, 0, 0],
      [4, 3, 2, 1, 0, 0],
      [5, 4, 3, 2, 1, 0],
    ]);
    expect(() => r.rx1DataRate(0, 6)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
  });

  it('has MaxEIRP 14 dBm, TXPower 0..7, no TxParamSetupReq', () => {
    expect(r.defaultMaxEirp).toBe(14);
    expect(r.txPowerOffsets).toEqual([0, -2, -4, -6, -8, -10, -12, -14]);
    expect(r.implementsTxParamSetup).toBe(false);
    expect(r.downlinkTxPower(922_100_000)).toBe(23); // ChirpStack kr920.rs
  });
});
