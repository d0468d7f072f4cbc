import { OutboxDelivery } from '../outbox/outbox-delivery';
import { WebhookCounters } from '../webhook-counters';
import { WebhookOptions } from '../webhook-options';
import { DeliveryAttempt } from '../webhook.repository';
import { backoffDelay } from './backoff';
import { DeliveryOutcome } from './delivery-outcome';
import { WebhookTransport } from './http-transport';

/** What the worker needs of the outbox; every call is queued behind the outbox's other writes. */
export interface OutboxPort {
  /**
   * Reads the webhook's rows after `afterId`, oldest first, at most `limit`; `accept` runs in
   * the same database turn, before any later group commit hands over new rows.
   */
  load(
    webhookId: string,
    afterId: number,
    limit: number,
    accept: (rows: OutboxDelivery[]) => void,
    failed: (err: unknown) => void,
  ): void;
  /** Delivered or given up: the row goes (group commit). */
  completed(id: number): void;
  /** A failed attempt: the row keeps its count and next time (group commit). */
  rescheduled(attempt: DeliveryAttempt): void;
}

/** A delivery given up. */
export interface DeliveryFailure {
  kind: 'rejected' | 'expired';
  reason: string;
  status?: number;
}

export interface EndpointWorkerDeps {
  webhookId: string;
  transport: WebhookTransport;
  outbox: OutboxPort;
  options: WebhookOptions;
  counters: WebhookCounters;
  /** After the row is marked completed; the caller reports it (a `log` event). */
  onGiveUp: (delivery: OutboxDelivery, failure: DeliveryFailure) => void;
  now?: () => number;
  random?: () => number;
}

/** How an endpoint is doing (REST listing). */
export interface EndpointStatus {
  /** Deliveries in memory or in flight (more may wait in the database). */
  inMemory: number;
  /** Consecutive failed attempts; 0 while the endpoint answers. */
  failures: number;
  /** While failing: no attempt before this (ms since the epoch). */
  nextAttemptAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

/**
 * The deliveries of one webhook. Each endpoint has its own queue, its own connections and its
 * own back-off, so a slow or failing endpoint holds up nobody else.
 *
 * - Memory is bounded: at most `memoryPerEndpoint` deliveries are kept; the rest stay in the
 *   outbox table (spill) and are read back a page at a time, in id order, when the queue is
 *   half empty. A new worker starts spilled: whatever a previous run left is read first.
 * - Up to `concurrency` POSTs are in flight while the endpoint answers; ordering is
 *   best-effort (in id order, but concurrent requests may overtake each other).
 * - A failed attempt pauses the whole endpoint for a back-off (1 s, 2 s, 4 s … capped), then
 *   one delivery probes it; full concurrency returns with the first success. The failed
 *   delivery keeps its place at the head of the queue.
 * - A delivery is given up when the endpoint refuses it (3xx/4xx but 408 and 429) or when it
 *   is older than `maxAgeMs`; never silently (counters, `onGiveUp`).
 */
export class EndpointWorker {
  private readonly queue: OutboxDelivery[] = [];
  private readonly inFlight = new Map<number, AbortController>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly now: () => number;
  private readonly random: () => number;
  /** The greatest id ever held in memory: rows after it may only be in the database. */
  private maxKnownId = 0;
  /** Rows after maxKnownId may be in the database. */
  private spilled = true;
  private loading = false;
  private failures = 0;
  /** Bumped by each failure that raises `failures`; a request started before it does not raise it again. */
  private failureEpoch = 0;
  private pausedUntil = 0;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private state: 'running' | 'closing' | 'stopped' = 'running';

  constructor(private readonly deps: EndpointWorkerDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  get webhookId(): string {
    return this.deps.webhookId;
  }

  /** Starts with the rows a previous run left in the outbox. */
  start(): void {
    this.pump();
  }

  /** A row just committed to the outbox. */
  offer(delivery: OutboxDelivery): void {
    if (this.state !== 'running' || delivery.id <= this.maxKnownId) return;
    if (this.spilled || this.queue.length >= this.deps.options.memoryPerEndpoint) {
      // Kept in the database only; read back in order once the queue has room.
      this.spilled = true;
      return;
    }
    this.queue.push(delivery);
    this.maxKnownId = delivery.id;
    this.pump();
  }

  status(): EndpointStatus {
    return {
      inMemory: this.queue.length + this.inFlight.size,
      failures: this.failures,
      nextAttemptAt: this.failures > 0 && this.pausedUntil > this.now() ? this.pausedUntil : null,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
    };
  }

  /**
   * Shutdown: nothing new is started, requests in flight get `graceMs` to finish (their
   * outcome is recorded), then the rest are aborted; their rows stay for the next start.
   */
  async close(graceMs: number): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'closing';
    clearTimeout(this.timer);
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    this.stop();
  }

  /** At once (the webhook was deleted): requests in flight are aborted, nothing more is sent. */
  stop(): void {
    this.state = 'stopped';
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    this.queue.length = 0;
    this.deps.transport.close();
    this.notifyIdle();
  }

  private pump(): void {
    if (this.state !== 'running') return;
    const now = this.now();
    if (now < this.pausedUntil) {
      this.arm(this.pausedUntil - now);
      return;
    }
    // A failing endpoint gets one probe at a time.
    const limit = this.failures > 0 ? 1 : this.deps.options.concurrency;
    while (this.inFlight.size < limit && this.queue.length > 0) {
      const head = this.queue[0];
      if (head.nextAttemptAt !== null && head.nextAttemptAt > now) {
        // Read back after a restart with its back-off still running.
        this.pausedUntil = head.nextAttemptAt;
        this.arm(head.nextAttemptAt - now);
        break;
      }
      this.queue.shift();
      if (now - head.createdAt >= this.deps.options.maxAgeMs) {
        this.giveUp(head, { kind: 'expired', reason: this.expiredReason(head) });
        continue;
      }
      void this.attempt(head);
    }
    this.refillIfLow();
  }

  private async attempt(d: OutboxDelivery): Promise<void> {
    const controller = new AbortController();
    this.inFlight.set(d.id, controller);
    const epoch = this.failureEpoch;
    const outcome = await this.deps.transport.post(
      { event: d.event, deliveryId: d.deliveryId, body: d.body },
      controller.signal,
    );
    // Stopped: aborted or not, the row stays in the outbox for the next start (at least once).
    if (this.state === 'stopped' || !this.inFlight.delete(d.id)) return;
    this.settle(d, outcome, epoch);
    if (this.inFlight.size === 0) this.notifyIdle();
    this.pump();
  }

  private settle(d: OutboxDelivery, outcome: DeliveryOutcome, epoch: number): void {
    const now = this.now();
    switch (outcome.kind) {
      case 'delivered':
        this.deps.counters.delivered++;
        this.failures = 0;
        this.deps.outbox.completed(d.id);
        return;
      case 'rejected':
        // The endpoint answered: it is up, only this event is refused.
        this.failures = 0;
        this.noteError(`${outcome.reason}`, now);
        this.giveUp(d, { kind: 'rejected', reason: outcome.reason, status: outcome.status });
        return;
      case 'retry': {
        this.deps.counters.retries++;
        if (epoch === this.failureEpoch) {
          this.failures++;
          this.failureEpoch++;
        }
        d.attempts++;
        this.noteError(outcome.reason, now);
        const delay = backoffDelay(this.failures, this.deps.options, this.random, outcome.retryAfterMs);
        const next = now + delay;
        if (next - d.createdAt >= this.deps.options.maxAgeMs) {
          this.giveUp(d, { kind: 'expired', reason: this.expiredReason(d), status: outcome.status });
          return;
        }
        d.nextAttemptAt = next;
        d.lastError = outcome.reason.slice(0, 200);
        this.pausedUntil = Math.max(this.pausedUntil, next);
        this.requeue(d);
        this.deps.outbox.rescheduled({
          id: d.id,
          attempts: d.attempts,
          nextAttemptAt: d.nextAttemptAt,
          lastError: d.lastError,
        });
        return;
      }
    }
  }

  private giveUp(d: OutboxDelivery, failure: DeliveryFailure): void {
    if (failure.kind === 'rejected') this.deps.counters.rejected++;
    else this.deps.counters.expired++;
    this.deps.outbox.completed(d.id);
    this.deps.onGiveUp(d, failure);
  }

  private expiredReason(d: OutboxDelivery): string {
    const hours = this.deps.options.maxAgeMs / 3_600_000;
    const age = hours >= 1 ? `${+hours.toFixed(2)} h` : `${this.deps.options.maxAgeMs} ms`;
    const last = d.lastError ?? this.lastError;
    return `not delivered within ${age} (${d.attempts} attempts${last ? `, last: ${last}` : ''})`;
  }

  private noteError(reason: string, now: number): void {
    this.lastError = reason;
    this.lastErrorAt = now;
  }

  /** Back at its place by id, ahead of everything newer. */
  private requeue(d: OutboxDelivery): void {
    let i = 0;
    while (i < this.queue.length && this.queue[i].id < d.id) i++;
    this.queue.splice(i, 0, d);
  }

  private refillIfLow(): void {
    if (!this.spilled || this.loading || this.state !== 'running') return;
    const room = this.deps.options.memoryPerEndpoint - this.queue.length;
    if (room < this.deps.options.memoryPerEndpoint / 2) return;
    this.loading = true;
    this.deps.outbox.load(
      this.deps.webhookId,
      this.maxKnownId,
      room,
      (rows) => this.accept(rows, room),
      () => {
        // The database is failing: the rows are safe there; try again a little later.
        this.loading = false;
        this.arm(this.deps.options.commitRetryMs);
      },
    );
  }

  private accept(rows: OutboxDelivery[], limit: number): void {
    this.loading = false;
    if (this.state !== 'running') return;
    for (const row of rows) {
      if (row.id <= this.maxKnownId) continue;
      // A backlog read after a restart carries its endpoint's failure streak on.
      if (this.queue.length === 0 && this.inFlight.size === 0) {
        this.failures = Math.max(this.failures, row.attempts);
      }
      this.queue.push(row);
      this.maxKnownId = row.id;
    }
    if (rows.length < limit) this.spilled = false;
    this.pump();
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, ms);
    this.timer.unref();
  }

  private notifyIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
