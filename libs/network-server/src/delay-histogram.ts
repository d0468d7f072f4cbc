/** Bucket bounds (ms) for how late uplinks are published, fine where the targets are (≤ 50 ms). */
export const PUBLISH_DELAY_BOUNDS_MS = [
  5, 10, 25, 50, 75, 100, 150, 200, 250, 300, 400, 500, 750, 1_000, 2_500, 5_000,
] as const;
/** Bucket bounds (ms) for session group commits (an fsync is a few ms here). */
export const COMMIT_BOUNDS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000] as const;

/**
 * Durations in fixed buckets, for a Prometheus histogram read at scrape time: plain counts, so
 * the hot path pays one short loop per observation and nothing at all for the metrics.
 */
export class DelayHistogram {
  /** Observations per bucket of `bounds` (not cumulative); beyond the last bound, only `count`. */
  readonly buckets: number[];
  count = 0;
  sumMs = 0;

  constructor(readonly bounds: readonly number[]) {
    this.buckets = bounds.map(() => 0);
  }

  observe(ms: number): void {
    const v = Math.max(0, ms);
    this.count++;
    this.sumMs += v;
    for (let i = 0; i < this.bounds.length; i++) {
      if (v <= this.bounds[i]) {
        this.buckets[i]++;
        return;
      }
    }
  }

  /** For SnapshotMetrics.histogram: bounds in seconds. */
  toSeconds(): { buckets: Array<[number, number]>; count: number; sum: number } {
    return {
      buckets: this.bounds.map((le, i) => [le / 1000, this.buckets[i]]),
      count: this.count,
      sum: this.sumMs / 1000,
    };
  }
}
