/**
 * Counts failures per key (a client address, a DevEUI) in a sliding window: after `maxFailures` within
 * `windowMs`, the key is refused until its oldest failure leaves the window. Memory stays bounded: keys
 * whose failures all expired are dropped, and beyond `maxKeys` the oldest keys go first.
 */
export interface FailureThrottleOptions {
  maxFailures: number;
  windowMs: number;
  maxKeys?: number;
}

export class FailureThrottle {
  /** Failure times of each key, oldest first, at most maxFailures of them. */
  private readonly failures = new Map<string, number[]>();
  private readonly maxKeys: number;

  constructor(
    private readonly opts: FailureThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.maxKeys = opts.maxKeys ?? 100_000;
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfterMs(key: string): number {
    const times = this.live(key);
    if (times.length < this.opts.maxFailures) return 0;
    return Math.max(1, times[0] + this.opts.windowMs - this.now());
  }

  recordFailure(key: string): void {
    const times = this.live(key);
    times.push(this.now());
    while (times.length > this.opts.maxFailures) times.shift();
    // Re-inserted, so that the Map's order is the order of last failure: the oldest keys are first.
    this.failures.delete(key);
    this.failures.set(key, times);
    if (this.failures.size > this.maxKeys) this.prune();
  }

  /** Keys tracked (for tests and metrics). */
  get size(): number {
    return this.failures.size;
  }

  private live(key: string): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const since = this.now() - this.opts.windowMs;
    while (times.length > 0 && times[0] <= since) times.shift();
    if (times.length === 0) this.failures.delete(key);
    return times;
  }

  private prune(): void {
    const since = this.now() - this.opts.windowMs;
    for (const [key, times] of this.failures) {
      if (times[times.length - 1] <= since) this.failures.delete(key);
    }
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys) break;
      this.failures.delete(key);
    }
  }
}
