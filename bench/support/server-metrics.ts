import { parseMetrics } from '../../test/support/metrics-text';
import type { LnsServer } from './lns-server';

export type Scrape = Map<string, number>;

/** GET /metrics of the server under test. */
export async function scrape(server: LnsServer): Promise<Scrape> {
  const res = await fetch(`http://127.0.0.1:${server.ports.http}/metrics`);
  return parseMetrics(await res.text());
}

const DELAY = 'lns_uplink_publish_delay_seconds';

/**
 * The server's own view of a step, from two scrapes: how late it published uplinks after their
 * dedup window (lns_uplink_publish_delay_seconds; quantiles read as the bucket bound they fall
 * under, e.g. "≤ 25 ms"), and the PUSH_DATA it refused as overloaded.
 */
export function serverView(before: Scrape, after: Scrape): ServerView {
  const buckets: Array<[number, number]> = [];
  for (const [series, value] of after) {
    const m = /^lns_uplink_publish_delay_seconds_bucket\{le="([^"]+)"\}$/.exec(series);
    if (!m) continue;
    buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000, value - (before.get(series) ?? 0)]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const count = buckets.at(-1)?.[1] ?? 0;
  const quantile = (q: number): number | null => {
    if (count === 0) return null;
    return buckets.find(([, cumulative]) => cumulative >= q * count)?.[0] ?? null;
  };
  const delta = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
  return {
    published: count,
    publishDelayP50LeMs: quantile(0.5),
    publishDelayP99LeMs: quantile(0.99),
    publishDelayMeanMs: count > 0 ? Math.round((delta(`${DELAY}_sum`) * 1000 * 10) / count) / 10 : null,
    pushDataRefused: delta('lns_udp_push_data_refused_total'),
  };
}

export interface ServerView {
  published: number;
  /** Upper bound (ms) of the bucket holding the median / 99th percentile; Infinity beyond the last. */
  publishDelayP50LeMs: number | null;
  publishDelayP99LeMs: number | null;
  publishDelayMeanMs: number | null;
  pushDataRefused: number;
}
