/** DI token of the delivery settings (WebhookOptions). */
export const WEBHOOK_OPTIONS = Symbol('WEBHOOK_OPTIONS');

/** How webhooks are persisted and delivered. Every field has a default (DEFAULT_WEBHOOK_OPTIONS). */
export interface WebhookOptions {
  /** One HTTP request, from connecting to the end of the answer. */
  requestTimeoutMs: number;
  /** Requests in flight per endpoint while it answers; 1 while it is failing (a probe). */
  concurrency: number;
  /** First retry delay; each further failure doubles it, up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** ± this fraction of random jitter on every delay, so endpoints do not retry in lockstep. */
  jitter: number;
  /** An event not delivered this long after it happened is given up (a `log` event says so). */
  maxAgeMs: number;
  /** Outbox group commit: new rows gather this long before one INSERT writes them all. */
  commitDelayMs: number;
  /** Rows per INSERT; a full batch is written at once. */
  commitMaxRows: number;
  /** After a failed group commit, the rows are written again this much later. */
  commitRetryMs: number;
  /**
   * Rows waiting for their group commit at most; beyond that (the database failing for long)
   * new events are refused into the outbox, counted and logged.
   */
  maxUncommittedRows: number;
  /** Deliveries an endpoint keeps in memory; the rest wait in the database (spill) and are read back in pages. */
  memoryPerEndpoint: number;
  /** Shutdown: requests in flight get this long to finish before they are aborted (and delivered after the restart). */
  shutdownGraceMs: number;
  /** Webhooks an application may have. */
  maxPerApplication: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  requestTimeoutMs: 5_000,
  concurrency: 4,
  initialBackoffMs: 1_000,
  maxBackoffMs: 5 * 60_000,
  jitter: 0.2,
  maxAgeMs: 24 * 3_600_000,
  commitDelayMs: 3,
  commitMaxRows: 256,
  commitRetryMs: 1_000,
  maxUncommittedRows: 10_000,
  memoryPerEndpoint: 1_000,
  shutdownGraceMs: 2_000,
  maxPerApplication: 16,
};

/** The defaults with some fields replaced (tests, embedders). */
export function webhookOptions(overrides: Partial<WebhookOptions> = {}): WebhookOptions {
  return { ...DEFAULT_WEBHOOK_OPTIONS, ...overrides };
}
