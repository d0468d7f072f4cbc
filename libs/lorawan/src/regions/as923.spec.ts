import { AS923, AS923_2, AS923_3, AS923_4, AS923_FREQUENCY_OFFSETS } from './as923';

describe('AS923 groups (RP002-1.0.4 §2.10, reference §4.3, TTS as_923.go)', () => {
  it.each([
    [AS923, 'AS923', 923_200_000, 923_400_000],
    [AS923_2, 'AS923-2', 921_400_000, 921_600_000],
    [AS923_3, 'AS923-3', 916_600_000, 916_800_000],
    [AS923_4, 'AS923-4', 917_300_000, 917_500_000],
  ])('%#: default channels and RX2 shifted by the group offset', (r, name, f0, f1) => {
    expect(r.name).toBe(name);
    expect(r.defaultChannels).toEqual([
      { frequency: f0, minDr: 0, maxDr: 5 },
      { frequency: f1, minDr: 0, maxDr: 5 },
    ]);
    expect(r.rx2).toEqual({ frequency: f0, dataRate: 2 });
    expect(r.rx1Frequency(f1)).toBe(f1);
  });

  it('has the group offsets 0, −1.8, −6.6, −5.9 MHz', () => {
    expect(AS923_FREQUENCY_OFFSETS).toEqual({
      AS923: 0,
      'AS923-2': -1_800_000,
      'AS923-3': -6_600_000,
      'AS923-4': -5_900_000,
    });
  });
});

describe('AS923 tables', () => {
  const r = AS923;

  it('has EU-like data rates', () => {
    expect(r.getDataRate(6)).toMatchObject({ modulation: 'LORA', spreadingFactor: 7, bandwidth: 250_000 });
    expect(r.getDataRate(7)).toMatchObject({ modulation: 'FSK', bitRate: 50_000 });
    expect(() => r.getDataRate(8)).toThrow(expect.objectContaining({ code: 'UNKNOWN_DATA_RATE' }));
  });

  it('has the max payload sizes without / with dwell time (reference §4.3, TTS as_923_rp2_v1_0_4.go)', () => {
    const sizes = Array.from({ length: 8 }, (_, dr) => [
      r.getMaxPayload(dr)?.m,
      r.getMaxPayload(dr, true)?.m ?? null,
    ]);
    expect(sizes).toEqual([
      [59, null],
      [59, null],
      [123, 19],
      [123, 61],
      [250, 133],
      [250, 250],
      [250, 250],
      [250, 250],
    ]);
  });

  it('computes RX1 DR with offsets 6/7 = −1/−2 and DR2 floor under downlink dwell time', () => {
    const table = (dwell: boolean) =>
      Array.from({ length: 8 }, (_, dr) => Array.from({ length: 8 }, (_, o) => r.rx1DataRate(dr, o, dwell)));
    // TTS testdata/AS_923_RP002_V1_0_4.json Rx1DataRate (DR0..7 × offset 0..7)
    expect(table(false)).toEqual([
      [0, 0, 0, 0, 0, 0, 1, 2],
      [1, 0, 0, 0, 0, 0, 2, 3],
      [2, 1, 0, 0, 0, 0, 3, 4],
      [3, 2, 1, 0, 0, 0, 4, 5],
      [4, 3, 2, 1, 0, 0, 5, 6],
      [5, 4, 3, 2, 1, 0, 6, 7],
      [6, 5, 4, 3, 2, 1, 7, 7],
      [7, 6, 5, 4, 3, 2, 7, 7],
    ]);
    expect(table(true)).toEqual([
      [2, 2, 2, 2, 2, 2, 2, 2],
      [2, 2, 2, 2, 2, 2, 2, 3],
      [2, 2, 2, 2, 2, 2, 3, 4],
      [3, 2, 2, 2, 2, 2, 4, 5],
      [4, 3, 2, 2, 2, 2, 5, 6],
      [5, 4, 3, 2, 2, 2, 6, 7],
      [6, 5, 4, 3, 2, 2, 7, 7],
      [7, 6, 5, 4, 3, 2, 7, 7],
    ]);
    expect(() => r.rx1DataRate(0, 8)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
    expect(() => r.rx1DataRate(8, 0)).toThrow(expect.objectContaining({ code: 'UNKNOWN_DATA_RATE' }));
  });

  it('supports TxParamSetupReq; MaxEIRP 16 dBm, TXPower 0..7; CFList type 0', () => {
    expect(r.implementsTxParamSetup).toBe(true);
    expect(r.defaultMaxEirp).toBe(16);
    expect(r.txPowerOffsets).toEqual([0, -2, -4, -6, -8, -10, -12, -14]);
    expect(r.maxChannels).toBe(16);
    expect(r.cfListType).toBe(0);
  });

  it('ChMaskCntl: 0 and 6 only', () => {
    const e = [true, true, true];
    expect(r.applyChMask(e, 0b100, 0)).toEqual({ ok: true, enabled: [false, false, true] });
    expect(r.applyChMask([true, false, false], 0, 6)).toEqual({ ok: true, enabled: e });
    expect(r.applyChMask(e, 1, 5)).toMatchObject({ ok: false, error: 'CHMASKCNTL_RFU' });
  });
});
