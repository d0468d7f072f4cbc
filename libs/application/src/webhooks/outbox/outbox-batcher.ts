import { DeliveryAttempt, WebhookRepository } from '../webhook.repository';
import { OutboxDelivery } from './outbox-delivery';
import { SerialQueue } from './serial-queue';

export interface OutboxBatcherOptions {
  commitDelayMs: number;
  commitMaxRows: number;
  commitRetryMs: number;
  maxUncommittedRows: number;
}

export interface OutboxBatcherDeps {
  queue: SerialQueue;
  repository: Pick<WebhookRepository, 'writeOutbox'>;
  options: OutboxBatcherOptions;
  /** New rows are committed: hand them to their workers. Runs inside the database turn. */
  onCommitted: (rows: OutboxDelivery[]) => void;
  /**
   * A group commit failed (nothing of it was written). Resolves with the new rows to write
   * again: the caller drops those whose webhook has gone meanwhile. Runs inside the database
   * turn: it may read, never queue.
   */
  onCommitFailed: (rows: OutboxDelivery[], err: unknown) => Promise<OutboxDelivery[]>;
}

/**
 * Group commit of the outbox. The uplink path only appends to memory: rows gathered within
 * `commitDelayMs` (or `commitMaxRows` of them) are written in one transaction together with
 * the failed attempts (UPDATE) and finished deliveries (DELETE) of the same moment, so a burst
 * of events costs one fsync, not one each, and nobody waits for it. Rows are handed to the
 * delivery workers only once committed: an event that reached a worker survives a restart.
 * Everything goes through the outbox's SerialQueue, in order.
 */
export class OutboxBatcher {
  private inserts: OutboxDelivery[] = [];
  private deletes: number[] = [];
  private updates = new Map<number, DeliveryAttempt>();
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private stopped = false;

  constructor(private readonly deps: OutboxBatcherDeps) {}

  /** Rows not yet committed. */
  get uncommitted(): number {
    return this.inserts.length;
  }

  /** Appends a new row; false (refused) when the uncommitted rows are at their bound. */
  add(delivery: OutboxDelivery): boolean {
    if (this.inserts.length >= this.deps.options.maxUncommittedRows) return false;
    this.inserts.push(delivery);
    if (this.inserts.length >= this.deps.options.commitMaxRows) this.commitNow();
    else this.arm(this.deps.options.commitDelayMs);
    return true;
  }

  completed(id: number): void {
    this.deletes.push(id);
    this.updates.delete(id);
    this.arm(this.deps.options.commitDelayMs);
  }

  rescheduled(attempt: DeliveryAttempt): void {
    this.updates.set(attempt.id, attempt);
    this.arm(this.deps.options.commitDelayMs);
  }

  /** Forgets the uncommitted rows of a webhook being deleted. */
  purge(webhookId: string): void {
    this.inserts = this.inserts.filter((d) => d.webhookId !== webhookId);
  }

  /** Writes everything gathered so far; resolves when it is written (or failed). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.deps.queue.run(() => this.write());
  }

  /** No more timers (shutdown); `flush()` still writes. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delayMs: number): void {
    if (this.timer !== undefined || this.scheduled || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.commitNow();
    }, delayMs);
    // The server's sockets keep the process alive; a pending commit alone must not (tests).
    this.timer.unref();
  }

  /** Queues one write; rows arriving until it runs join it. */
  private commitNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.scheduled) return;
    this.scheduled = true;
    void this.deps.queue.run(() => this.write());
  }

  private async write(): Promise<void> {
    this.scheduled = false;
    const maxRows = this.deps.options.commitMaxRows;
    while (this.inserts.length + this.updates.size + this.deletes.length > 0) {
      const inserts = this.inserts.splice(0, maxRows);
      const updates = [...this.updates.values()].slice(0, maxRows);
      for (const u of updates) this.updates.delete(u.id);
      const deletes = this.deletes.splice(0, maxRows);
      try {
        await this.deps.repository.writeOutbox({ inserts, updates, deletes });
      } catch (err) {
        // One transaction: nothing of it was written. Everything goes back, in order.
        this.deletes.unshift(...deletes);
        for (const u of updates) if (!this.updates.has(u.id)) this.updates.set(u.id, u);
        const keep = await this.deps.onCommitFailed(inserts, err);
        this.inserts.unshift(...keep);
        // Only rows of vanished webhooks were the trouble: the rest can go at once.
        if (keep.length < inserts.length) continue;
        this.arm(this.deps.options.commitRetryMs);
        return;
      }
      if (inserts.length > 0) this.deps.onCommitted(inserts);
    }
  }
}
