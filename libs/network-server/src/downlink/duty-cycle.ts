import { RegionName } from '@lns/lorawan';

/** ETSI EN 300 220 measures duty cycle over one hour. */
export const DUTY_CYCLE_WINDOW_MS = 3_600_000;

export interface DutyCycleBand {
  /** Name of the sub-band, for accounting. */
  id: string;
  /** Hz, inclusive. */
  min: number;
  max: number;
  /** Fraction of the window a transmitter may be on the air. */
  limit: number;
}

/**
 * EU863-870 sub-bands a gateway transmits in (ETSI EN 300 220-2 / ERC REC 70-03 annex 1, as listed
 * in RP002-1.0.4 §2.4.3 and The Things Stack's band plan): RX1 answers on the uplink channel
 * (868.1-868.5 MHz, band M, 1 %), RX2 on 869.525 MHz (band P, 10 %). Regions without a
 * duty-cycle rule (US915, AU915 …) count airtime against the whole window, which then only
 * ranks gateways by load and never excludes one.
 */
const BANDS: Partial<Record<RegionName, readonly DutyCycleBand[]>> = {
  EU868: [
    { id: 'K', min: 863_000_000, max: 865_000_000, limit: 0.001 },
    { id: 'L', min: 865_000_000, max: 868_000_000, limit: 0.01 },
    { id: 'M', min: 868_000_000, max: 868_600_000, limit: 0.01 },
    { id: 'N', min: 868_700_000, max: 869_200_000, limit: 0.001 },
    { id: 'P', min: 869_400_000, max: 869_650_000, limit: 0.1 },
    { id: 'Q', min: 869_700_000, max: 870_000_000, limit: 0.01 },
  ],
};

const UNREGULATED: DutyCycleBand = { id: '*', min: 0, max: Infinity, limit: 1 };

/** The duty-cycle band of a downlink frequency; outside every listed band the strictest (0.1 %) applies. */
export function dutyCycleBand(region: RegionName, frequency: number): DutyCycleBand {
  const bands = BANDS[region];
  if (!bands) return UNREGULATED;
  return (
    bands.find((b) => frequency >= b.min && frequency <= b.max) ?? {
      id: 'other',
      min: frequency,
      max: frequency,
      limit: 0.001,
    }
  );
}

interface Transmission {
  at: number;
  airtimeMs: number;
}

/**
 * Each gateway's recent downlink airtime per duty-cycle band, over a sliding hour: what the
 * gateway choice discounts a gateway by, and what makes it skip a gateway over its budget
 * (chirpstack/chirpstack#647: always picking the best-SNR gateway exhausts its duty cycle
 * while its neighbours stay idle).
 */
export class DutyCycleTracker {
  private readonly sent = new Map<string, Transmission[]>();

  constructor(private readonly windowMs = DUTY_CYCLE_WINDOW_MS) {}

  record(gatewayId: string, band: DutyCycleBand, airtimeMs: number, now = Date.now()): void {
    const key = `${gatewayId}/${band.id}`;
    const list = this.sent.get(key);
    if (list) list.push({ at: now, airtimeMs });
    else this.sent.set(key, [{ at: now, airtimeMs }]);
  }

  /** Airtime (ms) sent in the band within the window. */
  used(gatewayId: string, band: DutyCycleBand, now = Date.now()): number {
    const key = `${gatewayId}/${band.id}`;
    const list = this.sent.get(key);
    if (!list) return 0;
    let drop = 0;
    while (drop < list.length && list[drop].at <= now - this.windowMs) drop++;
    if (drop > 0) list.splice(0, drop);
    if (list.length === 0) {
      this.sent.delete(key);
      return 0;
    }
    return list.reduce((sum, t) => sum + t.airtimeMs, 0);
  }

  /** Airtime the band allows in the window. */
  budget(band: DutyCycleBand): number {
    return band.limit * this.windowMs;
  }

  /** Used share of the budget, 0..1+. */
  load(gatewayId: string, band: DutyCycleBand, now = Date.now()): number {
    return this.used(gatewayId, band, now) / this.budget(band);
  }

  /** Whether `airtimeMs` more still fits the budget. */
  allows(gatewayId: string, band: DutyCycleBand, airtimeMs: number, now = Date.now()): boolean {
    return this.used(gatewayId, band, now) + airtimeMs <= this.budget(band);
  }
}
