import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';

/** How long an interval of observations is (CoDel's interval, RFC 8289 §4.3, scaled to LoRaWAN). */
export const INTAKE_INTERVAL_MS = 100;
/**
 * The standing delay that counts as overload: the least delay of an interval's uplinks, past
 * their dedup window. Late uplinks still carry their data, so shedding starts only where the
 * queue also costs the network its downlinks: 500 ms past a 200 ms window leaves the Class A
 * answer too little of the second before RX1 (RECEIVE_DELAY1) for most uplinks. A *least* delay
 * this high means every uplink of the interval waited: a queue, not a GC pause. 300 ms was tried
 * first and shed in the bench's noisy steps (a 2-core VM shared with the load generator) that
 * passed without it.
 */
export const INTAKE_TARGET_DELAY_MS = 500;
/**
 * Uplinks an interval must publish to count as over the target: 100 a second. A few late uplinks
 * are a slow disk or a busy machine, not intake outrunning the server, and refusing would only
 * lose them.
 */
export const INTAKE_MIN_PUBLISHED = 10;
/** Intervals in a row over the target before new uplinks are refused (a standing queue, not a spike). */
export const INTAKE_INTERVALS_OVER = 5;
/** At most one warning per this, with the datagrams refused since the last. */
const WARN_EVERY_MS = 10_000;

/**
 * Load shedding for the uplink path, measured where it matters: how late the network server
 * publishes uplinks after their dedup window closed (ARCHITECTURE.md "An uplink's way"). While
 * that delay has stood above the target for a few intervals, the server is taking in more than
 * it can handle and every uplink taken in only makes the queue (and the memory) longer. Then
 * new PUSH_DATA are refused at the socket, unanswered, as a full kernel buffer would drop them:
 * the work already taken in drains, the delay falls, and intake resumes. PULL_DATA and TX_ACK
 * always pass (downlinks keep their path).
 *
 * The measure is the least delay of each interval, as in CoDel (RFC 8289): one slow uplink or
 * a GC pause does not shed; a queue that stays does. With the socket on the main thread a
 * saturated event loop already sheds in the kernel, but a slow disk (group commits awaited
 * before publishing) or the UDP worker (which reads the socket whatever the main thread's
 * load) would otherwise let the queue grow without bound (docs/benchmarks.md: 2.7 GB after
 * an overload step).
 *
 * The flag lives in a SharedArrayBuffer so the UDP worker reads it per datagram without a message.
 */
@Injectable()
export class IntakeGuard implements OnModuleInit, OnModuleDestroy {
  /** Int32 [0]: 1 while PUSH_DATA are refused. Read by the UDP worker. */
  readonly shared = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  private readonly flag = new Int32Array(this.shared);
  private least = Infinity;
  private observed = 0;
  private over = 0;
  private intervalEnd = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('GatewayBridge');
  private warnedAt = -Infinity;
  private refusedAtWarning = 0;
  /** PUSH_DATA refused since start (either socket). */
  refusedDatagrams = 0;
  /** Times intake was stopped. */
  episodes = 0;

  onModuleInit(): void {
    this.intervalEnd = Date.now() + INTAKE_INTERVAL_MS;
    this.timer = setInterval(() => this.closeInterval(), INTAKE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** True while new PUSH_DATA are refused. */
  get refusing(): boolean {
    return this.flag[0] === 1;
  }

  /**
   * An uplink was published `delayMs` after its dedup window closed (from its first copy at the
   * socket). An overloaded event loop runs the interval timer late, so an interval due is also
   * closed here: the guard then reacts in time exactly when it matters.
   */
  published(delayMs: number, now = Date.now()): void {
    this.observed++;
    if (delayMs < this.least) this.least = delayMs;
    if (now >= this.intervalEnd) this.closeInterval(now);
  }

  /** Ends the current interval (the timer's job, or published()'s when the timer is late). */
  closeInterval(now = Date.now()): void {
    this.intervalEnd = now + INTAKE_INTERVAL_MS;
    // Little or nothing published in an interval: light load, or drained after shedding. Intake resumes.
    const over = this.observed >= INTAKE_MIN_PUBLISHED && this.least > INTAKE_TARGET_DELAY_MS;
    this.over = over ? this.over + 1 : 0;
    const refuse = this.over >= INTAKE_INTERVALS_OVER;
    if (refuse && !this.refusing) this.episodes++;
    Atomics.store(this.flag, 0, refuse ? 1 : 0);
    if (refuse) this.warn(this.least);
    this.least = Infinity;
    this.observed = 0;
  }

  /** Counts PUSH_DATA refused (the main thread's socket, or the worker's batches). */
  refused(count: number): void {
    this.refusedDatagrams += count;
  }

  private warn(leastDelayMs: number): void {
    const now = Date.now();
    if (now - this.warnedAt < WARN_EVERY_MS) return;
    this.logger.warn(
      `overloaded: uplinks published at least ${Math.round(leastDelayMs)} ms after their dedup window; ` +
        `refusing new PUSH_DATA until the queue drains (${this.refusedDatagrams - this.refusedAtWarning} refused since the last warning)`,
    );
    this.warnedAt = now;
    this.refusedAtWarning = this.refusedDatagrams;
  }
}
