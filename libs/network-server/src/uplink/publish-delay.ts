/** Upper bounds (ms) of the publish-delay histogram's buckets; beyond the last, only the count. */
export const PUBLISH_DELAY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000] as const;

/**
 * How late uplinks are published: from the moment their dedup window was due to close (first
 * copy at the socket + the window) to their `up` event. The latency target is on this
 * (p99 under 50 ms); the queue it shows is what IntakeGuard sheds. Plain counts per bucket, so
 * the uplink path pays one comparison loop, and the metrics read them at scrape time.
 */
export class DelayHistogram {
  /** Observations per bucket of PUBLISH_DELAY_BOUNDS_MS (not cumulative). */
  readonly buckets: number[] = PUBLISH_DELAY_BOUNDS_MS.map(() => 0);
  count = 0;
  sumMs = 0;

  observe(ms: number): void {
    const v = Math.max(0, ms);
    this.count++;
    this.sumMs += v;
    for (let i = 0; i < PUBLISH_DELAY_BOUNDS_MS.length; i++) {
      if (v <= PUBLISH_DELAY_BOUNDS_MS[i]) {
        this.buckets[i]++;
        return;
      }
    }
  }
}
