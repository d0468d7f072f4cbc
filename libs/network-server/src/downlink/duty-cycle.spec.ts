import { DutyCycleTracker, dutyCycleBand } from './duty-cycle';
import { rankGateways } from './gateway-selection';
import { UplinkGatewayRx } from '../session/device-session';

describe('duty cycle', () => {
  it('knows the EU868 sub-bands a gateway transmits in (ETSI EN 300 220)', () => {
    expect(dutyCycleBand('EU868', 868_100_000)).toMatchObject({ id: 'M', limit: 0.01 });
    expect(dutyCycleBand('EU868', 869_525_000)).toMatchObject({ id: 'P', limit: 0.1 });
    expect(dutyCycleBand('EU868', 869_300_000)).toMatchObject({ limit: 0.001 });
    expect(dutyCycleBand('US915', 923_300_000)).toMatchObject({ id: '*', limit: 1 });
  });

  it('sums each gateway band airtime over a sliding window and tells what still fits', () => {
    const t = new DutyCycleTracker(3_600_000);
    const m = dutyCycleBand('EU868', 868_100_000);
    t.record('g1', m, 30_000, 0);
    t.record('g1', m, 5_000, 1_000_000);
    expect(t.used('g1', m, 1_000_000)).toBe(35_000);
    expect(t.load('g1', m, 1_000_000)).toBeCloseTo(35 / 36);
    expect(t.allows('g1', m, 1_000, 1_000_000)).toBe(true);
    expect(t.allows('g1', m, 1_001, 1_000_000)).toBe(false);
    expect(t.used('g1', dutyCycleBand('EU868', 869_525_000), 1_000_000)).toBe(0);
    // An hour later the first transmission no longer counts.
    expect(t.used('g1', m, 3_600_001)).toBe(5_000);
    expect(t.used('g2', m, 0)).toBe(0);
  });
});

describe('rankGateways', () => {
  const gw = (gatewayId: string, snr: number, rssi = -90): UplinkGatewayRx => ({
    gatewayId,
    snr,
    rssi,
    tmst: 0,
    rfChain: 0,
    receivedAt: 0,
  });
  const band = dutyCycleBand('EU868', 868_100_000);

  it('orders by SNR (link margin), then RSSI', () => {
    const t = new DutyCycleTracker();
    expect(
      rankGateways([gw('a', 1), gw('b', 8), gw('c', 8, -50)], t, band, 100, 0).map((g) => g.gatewayId),
    ).toEqual(['c', 'b', 'a']);
  });

  it('discounts a busy gateway (chirpstack#647) and puts one over its budget last', () => {
    const t = new DutyCycleTracker();
    t.record('busy', band, 18_000, 0); // half its 36 s budget: −5 dB
    expect(rankGateways([gw('busy', 8), gw('idle', 4)], t, band, 100, 1).map((g) => g.gatewayId)).toEqual([
      'idle',
      'busy',
    ]);
    expect(rankGateways([gw('busy', 10), gw('idle', 4)], t, band, 100, 1).map((g) => g.gatewayId)).toEqual([
      'busy',
      'idle',
    ]);
    t.record('full', band, 36_000, 0);
    expect(rankGateways([gw('full', 20), gw('idle', -5)], t, band, 100, 1).map((g) => g.gatewayId)).toEqual([
      'idle',
      'full',
    ]);
  });
});
