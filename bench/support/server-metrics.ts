import { parseMetrics } from '../../test/support/metrics-text';
import type { LnsServer } from './lns-server';

export type Scrape = Map<string, number>;

/** GET /metrics of the server under test. */
export async function scrape(server: LnsServer): Promise<Scrape> {
  const res = await fetch(`http://127.0.0.1:${server.ports.http}/metrics`);
  return parseMetrics(await res.text());
}

/** A histogram's change between two scrapes: cumulative counts by bound (ms), sum (ms). */
function histogramDelta(name: string, before: Scrape, after: Scrape) {
  const buckets: Array<[number, number]> = [];
  const pattern = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`);
  for (const [series, value] of after) {
    const m = pattern.exec(series);
    if (!m) continue;
    buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000, value - (before.get(series) ?? 0)]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const count = buckets.at(-1)?.[1] ?? 0;
  const sumMs = ((after.get(`${name}_sum`) ?? 0) - (before.get(`${name}_sum`) ?? 0)) * 1000;
  /** The bound of the bucket the q-quantile falls in (Infinity past the last bound). */
  const quantile = (q: number): number | null =>
    count === 0 ? null : (buckets.find(([, cumulative]) => cumulative >= q * count)?.[0] ?? null);
  /** Observations above `ms` (a bucket bound). */
  const over = (ms: number): number => count - (buckets.find(([le]) => le === ms)?.[1] ?? count);
  return { count, sumMs, quantile, over };
}

/** The server's main event loop: time it spent running since it started (s). */
export function loopBusySeconds(s: Scrape): number {
  return s.get('lns_event_loop_busy_seconds_total') ?? NaN;
}

const ms = (seconds: number | undefined) =>
  seconds === undefined ? null : Math.round(seconds * 10_000) / 10;

/**
 * The server's own view of a step, from a scrape before and after it: how late it published
 * uplinks after their dedup window (quantiles as the bucket bound they fall under, "≤ 25 ms"),
 * how long its session commits took, the PUSH_DATA it refused as overloaded, its event-loop lag
 * (prom-client resets that histogram at each scrape, so the second scrape covers the step) and
 * its GC time.
 */
export function serverView(before: Scrape, after: Scrape): ServerView {
  const delay = histogramDelta('lns_uplink_publish_delay_seconds', before, after);
  const commits = histogramDelta('lns_session_commit_seconds', before, after);
  const windowClose = histogramDelta('lns_uplink_window_close_delay_seconds', before, after);
  const commitWait = histogramDelta('lns_uplink_commit_wait_seconds', before, after);
  const delta = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
  return {
    published: delay.count,
    checkedEarly: delta('lns_uplinks_checked_early_total'),
    publishDelayP50LeMs: delay.quantile(0.5),
    publishDelayP99LeMs: delay.quantile(0.99),
    publishDelayMeanMs: delay.count > 0 ? Math.round((delay.sumMs * 10) / delay.count) / 10 : null,
    windowCloseP99LeMs: windowClose.quantile(0.99),
    commitWaitP99LeMs: commitWait.quantile(0.99),
    commits: commits.count,
    commitP99LeMs: commits.quantile(0.99),
    commitsOver50Ms: commits.over(50),
    publishedOver100Ms: delay.over(100),
    pushDataRefused: delta('lns_udp_push_data_refused_total'),
    loopLagP99Ms: ms(after.get('nodejs_eventloop_lag_p99_seconds')),
    loopLagMaxMs: ms(after.get('nodejs_eventloop_lag_max_seconds')),
    gcMs: {
      minor: Math.round(delta('nodejs_gc_duration_seconds_sum{kind="minor"}') * 1000),
      major: Math.round(delta('nodejs_gc_duration_seconds_sum{kind="major"}') * 1000),
      incremental: Math.round(delta('nodejs_gc_duration_seconds_sum{kind="incremental"}') * 1000),
    },
  };
}

export interface ServerView {
  published: number;
  /** Of those, verified and committed on their first copy, while their window ran. */
  checkedEarly: number;
  /** Upper bound (ms) of the bucket holding the median / 99th percentile; Infinity beyond the last. */
  publishDelayP50LeMs: number | null;
  publishDelayP99LeMs: number | null;
  publishDelayMeanMs: number | null;
  /** Its parts' 99th percentiles (bucket bounds): the window closing late, the wait for the commit. */
  windowCloseP99LeMs: number | null;
  commitWaitP99LeMs: number | null;
  commits: number;
  commitP99LeMs: number | null;
  /** Commits slower than 50 ms, uplinks published more than 100 ms after their window. */
  commitsOver50Ms: number;
  publishedOver100Ms: number;
  pushDataRefused: number;
  loopLagP99Ms: number | null;
  loopLagMaxMs: number | null;
  /** GC time during the step by kind (ms). */
  gcMs: { minor: number; major: number; incremental: number };
}

function earlyShare(v: ServerView): string {
  return v.published > 0 ? `${Math.round((v.checkedEarly * 100) / v.published)} %` : 'none';
}

export function describeServerView(v: ServerView): string {
  let line = `server: published p50 ≤ ${v.publishDelayP50LeMs} ms, p99 ≤ ${v.publishDelayP99LeMs} ms, mean ${v.publishDelayMeanMs} ms after the window (p99 window closing ≤ ${v.windowCloseP99LeMs} ms late, commit wait ≤ ${v.commitWaitP99LeMs} ms; ${earlyShare(v)} checked on the first copy); `;
  line += `${v.publishedOver100Ms} over 100 ms; ${v.commits} commits p99 ≤ ${v.commitP99LeMs} ms, ${v.commitsOver50Ms} over 50 ms; loop lag p99 ${v.loopLagP99Ms} ms, max ${v.loopLagMaxMs} ms; `;
  line += `GC ${v.gcMs.minor} ms minor, ${v.gcMs.major} ms major, ${v.gcMs.incremental} ms incremental`;
  if (v.pushDataRefused > 0) line += `; ${v.pushDataRefused} PUSH_DATA refused (overloaded)`;
  return line;
}
