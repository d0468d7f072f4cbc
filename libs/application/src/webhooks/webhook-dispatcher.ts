import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ApplicationEvent, EventBus } from '@lns/event-bus';
import { KeyCipher } from '@lns/storage';
import { DeliveryFailure, EndpointStatus, EndpointWorker, OutboxPort } from './delivery/endpoint-worker';
import { HttpWebhookTransport } from './delivery/http-transport';
import { OutboxBatcher } from './outbox/outbox-batcher';
import { OutboxDelivery } from './outbox/outbox-delivery';
import { SerialQueue } from './outbox/serial-queue';
import { fromWebhookRow, Webhook, WebhookUnreadableError } from './webhook';
import { WebhookCounters } from './webhook-counters';
import { displayUrl, failureReport } from './webhook-failure-report';
import { WEBHOOK_OPTIONS, WebhookOptions } from './webhook-options';
import { WebhookRepository } from './webhook.repository';

/** How often "events refused into the outbox" is logged at most. */
const DROP_LOG_INTERVAL_MS = 10_000;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Sends every 'application.event' of an application to its webhooks, through the durable
 * outbox: the bus handler only appends to memory (OutboxBatcher), the group commit writes
 * the rows within a few ms, and each webhook's EndpointWorker delivers what was committed.
 * Webhooks are held in memory (loaded at start, changed through WebhookService): no database
 * read per event.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly queue = new SerialQueue();
  private readonly batcher: OutboxBatcher;
  private readonly byApplication = new Map<string, Webhook[]>();
  private readonly webhooks = new Map<string, Webhook>();
  private readonly workers = new Map<string, EndpointWorker>();
  private readonly outboxPort: OutboxPort;
  private nextId = 1;
  private off: (() => void) | undefined;
  private closed = false;
  private droppedSinceLog = 0;
  private lastDropLog = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly repository: WebhookRepository,
    private readonly counters: WebhookCounters,
    private readonly cipher: KeyCipher,
    @Inject(WEBHOOK_OPTIONS) private readonly options: WebhookOptions,
  ) {
    this.batcher = new OutboxBatcher({
      queue: this.queue,
      repository,
      options,
      onCommitted: (rows) => this.committed(rows),
      onCommitFailed: (rows, err) => this.commitFailed(rows, err),
    });
    this.outboxPort = {
      load: (webhookId, afterId, limit, accept, failed) => {
        this.queue
          .run(async () => accept(await this.repository.loadDeliveries(webhookId, afterId, limit)))
          .catch((err: unknown) => {
            this.logger.error(`reading the outbox of webhook ${webhookId} failed: ${describe(err)}`);
            failed(err);
          });
      },
      completed: (id) => this.batcher.completed(id),
      rescheduled: (attempt) => this.batcher.rescheduled(attempt),
    };
  }

  /** Loads the webhooks, starts their workers on what the outbox holds, listens to the bus. */
  async onModuleInit(): Promise<void> {
    this.nextId = (await this.repository.maxOutboxId()) + 1;
    let unreadable = 0;
    for (const row of await this.repository.loadWebhooks()) {
      // One unreadable row (another master key, a damaged URL) must not keep the server from starting.
      try {
        this.add(fromWebhookRow(this.cipher, row));
      } catch (err) {
        unreadable++;
        const reason =
          err instanceof WebhookUnreadableError ? err.message : `webhook ${row.id}: ${describe(err)}`;
        this.logger.error(`${reason}; it delivers nothing until it is created again`);
      }
    }
    this.logger.log(`${this.webhooks.size} webhooks loaded${unreadable ? `, ${unreadable} unreadable` : ''}`);
    this.off = this.bus.on('application.event', (e) => this.enqueue(e));
  }

  /**
   * The last group commit and the end of the deliveries; the DataSource closes only in the
   * shutdown hooks after this one (global modules come last).
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Stops listening, lets requests in flight finish (a grace), writes what is pending. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.off?.();
    await Promise.all([...this.workers.values()].map((w) => w.close(this.options.shutdownGraceMs)));
    this.batcher.stop();
    await this.batcher.flush();
    const lost = this.batcher.uncommitted;
    if (lost > 0) {
      this.counters.dropped += lost;
      this.logger.error(`${lost} webhook deliveries could not be written to the outbox before shutdown`);
    }
  }

  /** On the uplink path: memory only, never throws, never waits. */
  enqueue(e: ApplicationEvent): void {
    const hooks = this.byApplication.get(e.applicationId);
    if (!hooks || this.closed) return;
    let body: string | undefined;
    const now = Date.now();
    for (const hook of hooks) {
      if (hook.events && !hook.events.has(e.type)) continue;
      body ??= JSON.stringify(e.payload);
      const accepted = this.batcher.add({
        id: this.nextId++,
        webhookId: hook.id,
        deliveryId: randomUUID(),
        applicationId: e.applicationId,
        devEui: e.devEui,
        event: e.type,
        body,
        createdAt: now,
        attempts: 0,
        nextAttemptAt: null,
        lastError: null,
      });
      if (!accepted) this.noteDropped(hook);
    }
  }

  /** Starts delivering to a webhook (new, or loaded at start). */
  add(webhook: Webhook): void {
    if (this.webhooks.has(webhook.id)) return;
    // Built first: a URL that does not parse throws before anything is registered.
    const worker = new EndpointWorker({
      webhookId: webhook.id,
      transport: new HttpWebhookTransport(webhook.url, webhook.headers, {
        timeoutMs: this.options.requestTimeoutMs,
        maxSockets: this.options.concurrency,
      }),
      outbox: this.outboxPort,
      options: this.options,
      counters: this.counters,
      onGiveUp: (d, failure) => this.report(webhook, d, failure),
    });
    this.webhooks.set(webhook.id, webhook);
    this.byApplication.set(webhook.applicationId, [
      ...(this.byApplication.get(webhook.applicationId) ?? []),
      webhook,
    ]);
    this.workers.set(webhook.id, worker);
    worker.start();
  }

  /**
   * Stops the application's webhook at once and deletes it with its outbox rows (behind the
   * group commits already queued); false when the application has no such webhook.
   */
  async remove(applicationId: string, webhookId: string): Promise<boolean> {
    if (this.webhooks.get(webhookId)?.applicationId === applicationId) this.forget(webhookId);
    return this.queue.run(() => this.repository.deleteWebhook(applicationId, webhookId));
  }

  get(webhookId: string): Webhook | undefined {
    return this.webhooks.get(webhookId);
  }

  byApplicationId(applicationId: string): readonly Webhook[] {
    return this.byApplication.get(applicationId) ?? [];
  }

  status(webhookId: string): EndpointStatus | undefined {
    return this.workers.get(webhookId)?.status();
  }

  /** Rows waiting in the outbox, per webhook. */
  async pending(webhookIds: readonly string[]): Promise<Map<string, number>> {
    return this.queue.run(() => this.repository.pendingCounts(webhookIds));
  }

  /** Resolves once everything gathered so far is committed (tests, shutdown). */
  async flush(): Promise<void> {
    await this.batcher.flush();
  }

  private forget(webhookId: string): void {
    const webhook = this.webhooks.get(webhookId);
    if (!webhook) return;
    this.webhooks.delete(webhookId);
    const rest = (this.byApplication.get(webhook.applicationId) ?? []).filter((w) => w.id !== webhookId);
    if (rest.length > 0) this.byApplication.set(webhook.applicationId, rest);
    else this.byApplication.delete(webhook.applicationId);
    this.workers.get(webhookId)?.stop();
    this.workers.delete(webhookId);
    this.batcher.purge(webhookId);
  }

  private committed(rows: OutboxDelivery[]): void {
    this.counters.enqueued += rows.length;
    for (const row of rows) this.workers.get(row.webhookId)?.offer(row);
  }

  /**
   * A failed group commit. A webhook deleted with its application (the foreign key cascades)
   * makes its new rows fail: those are dropped here with the webhook; the rest are written again.
   */
  private async commitFailed(rows: OutboxDelivery[], err: unknown): Promise<OutboxDelivery[]> {
    this.counters.commitFailures++;
    if (rows.length === 0) {
      this.logger.error(`outbox group commit failed, retrying: ${describe(err)}`);
      return rows;
    }
    const ids = [...new Set(rows.map((r) => r.webhookId))];
    let existing: Set<string>;
    try {
      existing = await this.repository.existingWebhookIds(ids);
    } catch {
      this.logger.error(`outbox group commit failed, retrying: ${describe(err)}`);
      return rows;
    }
    const gone = ids.filter((id) => !existing.has(id));
    if (gone.length === 0) {
      this.logger.error(`outbox group commit failed, retrying: ${describe(err)}`);
      return rows;
    }
    for (const id of gone) {
      this.logger.warn(
        `webhook ${id} no longer exists (its application was deleted); its events are dropped`,
      );
      this.forget(id);
    }
    const keep = rows.filter((r) => existing.has(r.webhookId));
    this.counters.dropped += rows.length - keep.length;
    return keep;
  }

  private report(webhook: Webhook, delivery: OutboxDelivery, failure: DeliveryFailure): void {
    const line = `webhook ${webhook.id} (${displayUrl(webhook.url)}) gave up delivery ${delivery.deliveryId} (${delivery.event}): ${failure.reason}`;
    const event = failureReport(delivery, webhook, failure);
    if (!event) {
      this.counters.reportsNotReported++;
      this.logger.error(`${line}; it reported an earlier webhook failure, so no further log event`);
      return;
    }
    this.logger.warn(line);
    // Later, off this call stack: the worker is in the middle of its bookkeeping.
    setImmediate(() => this.bus.emit('application.event', event));
  }

  private noteDropped(webhook: Webhook): void {
    this.counters.dropped++;
    this.droppedSinceLog++;
    const now = Date.now();
    if (now - this.lastDropLog < DROP_LOG_INTERVAL_MS) return;
    this.lastDropLog = now;
    this.logger.error(
      `outbox full (${this.options.maxUncommittedRows} rows not yet written): ${this.droppedSinceLog} ` +
        `event(s) not accepted for webhooks, e.g. ${webhook.id}; is the database failing?`,
    );
    this.droppedSinceLog = 0;
  }
}
