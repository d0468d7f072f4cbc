import { fskTimeOnAir, loraPayloadSymbols, loraSymbolTime, loraTimeOnAir, timeOnAir } from './airtime';
import { LorawanError } from './errors';
import { EU868 } from './regions/eu868';
import { US915 } from './regions/us915';

// Semtech AN1200.13 formula; explicit header, 8 preamble symbols, CRC on unless stated.
describe('LoRa time on air', () => {
  it('SF7/125 kHz 13 bytes = 46.336 ms; SF12 51 bytes = 2465.792 ms', () => {
    // 13 B: nPayload = 8 + ceil(120/28)·5 = 33 → (12.25 + 33) · 1.024 ms
    expect(loraTimeOnAir({ spreadingFactor: 7, bandwidth: 125_000, payloadSize: 13 })).toBeCloseTo(46.336, 9);
    // 51 B, LDRO: nPayload = 8 + ceil(404/40)·5 = 63 → (12.25 + 63) · 32.768 ms
    expect(loraTimeOnAir({ spreadingFactor: 12, bandwidth: 125_000, payloadSize: 51 })).toBeCloseTo(
      2465.792,
      9,
    );
  });

  // vector: TTS pkg/toa/toa_test.go TestDifferentLoRaSFs (10 bytes, CR 4/5)
  it.each([
    [7, 41.216],
    [8, 72.192],
    [9, 144.384],
    [10, 288.768],
    [11, 577.536],
    [12, 991.232],
  ])('SF%i/125 kHz 10 bytes = %f ms (TTS toa_test.go)', (sf, ms) => {
    expect(loraTimeOnAir({ spreadingFactor: sf, bandwidth: 125_000, payloadSize: 10 })).toBeCloseTo(ms, 9);
  });

  // vector: TTS pkg/toa/toa_test.go TestDifferentLoRaBWs / TestDifferentLoRaCRs
  it('scales with bandwidth and coding rate (TTS toa_test.go)', () => {
    expect(loraTimeOnAir({ spreadingFactor: 7, bandwidth: 250_000, payloadSize: 10 })).toBeCloseTo(20.608, 9);
    expect(loraTimeOnAir({ spreadingFactor: 7, bandwidth: 500_000, payloadSize: 10 })).toBeCloseTo(10.304, 9);
    const cr = (['4/5', '4/6', '4/7', '4/8'] as const).map((codingRate) =>
      loraTimeOnAir({ spreadingFactor: 7, bandwidth: 125_000, payloadSize: 10, codingRate }),
    );
    [41.216, 45.312, 49.408, 53.504].forEach((ms, i) => expect(cr[i]).toBeCloseTo(ms, 9));
  });

  // vector: TTS pkg/toa/toa_test.go TestDifferentLoRaPayloadSizes (SF7/125)
  it.each([
    [13, 46.336],
    [15, 46.336],
    [16, 51.456],
    [19, 51.456],
  ])('SF7/125 kHz %i bytes = %f ms (TTS toa_test.go)', (size, ms) => {
    expect(loraTimeOnAir({ spreadingFactor: 7, bandwidth: 125_000, payloadSize: size })).toBeCloseTo(ms, 9);
  });

  // vector: brocaar/lorawan airtime/airtime_test.go
  it('matches brocaar/lorawan airtime tests', () => {
    expect(loraSymbolTime(12, 125_000)).toBe(32.768);
    expect(loraSymbolTime(9, 125_000)).toBe(4.096);
    expect(loraSymbolTime(9, 500_000)).toBe(1.024);
    const base = { spreadingFactor: 12, bandwidth: 125_000, payloadSize: 13, lowDataRateOptimize: false };
    expect(loraPayloadSymbols(base)).toBe(23);
    expect(loraPayloadSymbols({ ...base, codingRate: '4/6' })).toBe(26);
    expect(loraPayloadSymbols({ ...base, explicitHeader: false })).toBe(18);
    expect(loraPayloadSymbols({ ...base, payloadSize: 50, lowDataRateOptimize: true })).toBe(58);
    expect(loraTimeOnAir(base)).toBeCloseTo(1155.072, 9);
  });

  it('turns LDRO on from a 16 ms symbol (SF11/125, SF12/250) and drops the CRC on downlinks', () => {
    const on = loraPayloadSymbols({ spreadingFactor: 12, bandwidth: 250_000, payloadSize: 51 });
    const off = loraPayloadSymbols({
      spreadingFactor: 12,
      bandwidth: 250_000,
      payloadSize: 51,
      lowDataRateOptimize: false,
    });
    expect([on, off]).toEqual([63, 53]); // ceil(404/40)·5 + 8 vs ceil(404/48)·5 + 8
    expect(loraPayloadSymbols({ spreadingFactor: 10, bandwidth: 125_000, payloadSize: 51 })).toBe(
      loraPayloadSymbols({
        spreadingFactor: 10,
        bandwidth: 125_000,
        payloadSize: 51,
        lowDataRateOptimize: false,
      }),
    );
    // 13 B, no CRC: 8 + ceil(104/28)·5 = 28 symbols → 40.25 · 1.024 ms
    expect(
      loraTimeOnAir({ spreadingFactor: 7, bandwidth: 125_000, payloadSize: 13, crc: false }),
    ).toBeCloseTo(41.216, 9);
  });

  it('rejects impossible parameters', () => {
    const bad = (f: () => unknown) => expect(f).toThrow(LorawanError);
    bad(() => loraTimeOnAir({ spreadingFactor: 13, bandwidth: 125_000, payloadSize: 1 }));
    bad(() => loraTimeOnAir({ spreadingFactor: 7, bandwidth: 0, payloadSize: 1 }));
    bad(() => loraTimeOnAir({ spreadingFactor: 7, bandwidth: 125_000, payloadSize: 256 }));
    bad(() =>
      loraTimeOnAir({ spreadingFactor: 7, bandwidth: 125_000, payloadSize: 1, codingRate: '1/9' as never }),
    );
  });
});

describe('FSK time on air', () => {
  // vector: TTS pkg/toa/toa_test.go TestFSK (200 bytes at 50 kbps)
  it('200 bytes at 50 kbps = 33.76 ms (TTS toa_test.go)', () => {
    expect(fskTimeOnAir({ bitRate: 50_000, payloadSize: 200 })).toBeCloseTo(33.76, 9);
  });
});

describe('time on air at a region data rate', () => {
  it('uses CRC on uplinks only', () => {
    expect(timeOnAir(EU868.getDataRate(5), 13, 'uplink')).toBeCloseTo(46.336, 9);
    expect(timeOnAir(EU868.getDataRate(5), 13, 'downlink')).toBeCloseTo(41.216, 9);
    expect(timeOnAir(EU868.getDataRate(7), 200, 'downlink')).toBeCloseTo(33.76, 9);
    // US915 DR0 SF10/125: 19-byte MACPayload + 4 MHDR/MIC bytes must fit the 400 ms dwell limit.
    expect(timeOnAir(US915.getDataRate(0), 23, 'uplink')).toBeLessThan(400);
    expect(() => timeOnAir(EU868.getDataRate(8), 10, 'uplink')).toThrow(
      expect.objectContaining({ code: 'BAD_FIELD' }),
    );
  });
});
