import { Injectable } from '@nestjs/common';

/**
 * What the webhooks did since start, for metrics and tests. One event sent to two webhooks is
 * two deliveries. Every delivery ends in exactly one of `delivered`, `rejected`, `expired`, or
 * is still in the outbox (it survives a restart); `dropped` counts events that never got in.
 */
@Injectable()
export class WebhookCounters {
  /** Deliveries written to the outbox (committed: they survive a restart). */
  enqueued = 0;
  /** Deliveries the endpoint answered with 2xx. */
  delivered = 0;
  /** Attempts that failed in a way worth retrying (network error, timeout, 408, 429, 5xx). */
  retries = 0;
  /** Deliveries given up because the endpoint refused them (3xx, 4xx other than 408 and 429). */
  rejected = 0;
  /** Deliveries given up because they were older than the maximum age. */
  expired = 0;
  /** Events not accepted into the outbox: the database failing with the uncommitted rows at their bound. */
  dropped = 0;
  /** Group commits of the outbox that failed (their rows are written again). */
  commitFailures = 0;
  /**
   * Failed deliveries of a webhook-failure `log` event itself: logged, never reported by one more
   * `log` event (that could loop between failing endpoints for ever).
   */
  reportsNotReported = 0;

  /** Deliveries given up, whatever the reason; each became a `log` event or a server log line. */
  get failed(): number {
    return this.rejected + this.expired;
  }
}
