import { IN865 } from './in865';

const r = IN865;

describe('IN865 tables (RP002-1.0.4 §2.13; TTS in_865_867_rp2_v1_0_4.go, ChirpStack in865.rs)', () => {
  it('has DR0..5 LoRa 125 kHz, DR6 RFU, DR7 FSK 50 kbps', () => {
    expect(
      [0, 1, 2, 3, 4, 5]
        .map((dr) => r.getDataRate(dr))
        .map((d) => d.modulation === 'LORA' && d.spreadingFactor),
    ).toEqual([12, 11, 10, 9, 8, 7]);
    expect(() => r.getDataRate(6)).toThrow(expect.objectContaining({ code: 'UNKNOWN_DATA_RATE' }));
    expect(r.getDataRate(7)).toMatchObject({ modulation: 'FSK', bitRate: 50_000 });
    expect([0, 1, 2, 3, 4, 5, 7].map((dr) => r.getMaxPayload(dr)?.m)).toEqual([
      59, 59, 59, 123, 250, 250, 250,
    ]);
  });

  it('has the default channels 865.0625, 865.4025, 865.985 MHz and RX2 866.55 MHz DR2', () => {
    expect(r.defaultChannels.map((c) => c.frequency)).toEqual([865_062_500, 865_402_500, 865_985_000]);
    expect(r.rx2).toEqual({ frequency: 866_550_000, dataRate: 2 });
    expect(r.maxChannels).toBe(16);
    expect(r.cfListType).toBe(0);
  });

  it('has MaxEIRP 30 dBm and TXPower 0..10, no TxParamSetupReq', () => {
    expect(r.defaultMaxEirp).toBe(30);
    expect(r.txPowerOffsets).toEqual([0, -2, -4, -6, -8, -10, -12, -14, -16, -18, -20]);
    expect(r.txPowerEirp(10)).toBe(10);
    expect(r.implementsTxParamSetup).toBe(false);
  });

  it('maps RX1 DR with offsets 0..7, skipping RFU DR6 (vector: LoRaMac-node RegionIN865.h EffectiveRx1DrOffsetIN865)', () => {
    const table = [0, 1, 2, 3, 4, 5, 7].map((dr) =>
      [0, 1, 2, 3, 4, 5, 6, 7].map((o) => r.rx1DataRate(dr, o)),
    );
    expect(table).toEqual([
      [0, 0, 0, 0, 0, 0, 1, 2],
      [1, 0, 0, 0, 0, 0, 2, 3],
      [2, 1, 0, 0, 0, 0, 3, 4],
      [3, 2, 1, 0, 0, 0, 4, 5],
      [4, 3, 2, 1, 0, 0, 5, 5],
      [5, 4, 3, 2, 1, 0, 5, 7],
      [7, 5, 5, 4, 3, 2, 7, 7],
    ]);
    expect(() => r.rx1DataRate(6, 0)).toThrow(expect.objectContaining({ code: 'UNKNOWN_DATA_RATE' }));
  });
});
