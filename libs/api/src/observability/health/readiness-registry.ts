import { Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';

/** What a readiness probe says of its part; any other fields are shown beside `status`. */
export type ProbeResult = { up: boolean; message?: string } & Record<string, unknown>;

/**
 * The parts GET /api/health/ready checks beside the database. The composing app adds the ones
 * it runs (the LNS: MQTT and the UDP socket), so this lib depends on none of them.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly probes = new Map<string, () => ProbeResult | Promise<ProbeResult>>();

  constructor(private readonly indicators: HealthIndicatorService) {}

  /** Adds (or replaces) the check named `key`; the name is what a 503 body lists under `error`. */
  add(key: string, probe: () => ProbeResult | Promise<ProbeResult>): void {
    this.probes.set(key, probe);
  }

  keys(): string[] {
    return [...this.probes.keys()];
  }

  /** Terminus indicator functions, one per part. */
  checks(): HealthIndicatorFunction[] {
    return [...this.probes].map(([key, probe]) => async () => {
      const check = this.indicators.check(key);
      let result: ProbeResult;
      try {
        result = await probe();
      } catch (err) {
        return check.down({ message: err instanceof Error ? err.message : String(err) });
      }
      const { up, ...data } = result;
      return up ? check.up(data) : check.down(data);
    });
  }
}
