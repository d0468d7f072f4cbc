import { WriteQueue } from './write-queue';

/**
 * Writes one batch; resolves with each item's error (undefined when it was written), in order.
 * A failure of the whole write rejects every item of the batch.
 */
export type BatchWrite<T> = (items: T[]) => Promise<Array<unknown | undefined>>;

export interface WriteBatcherOptions {
  /** How long items gather after the first one before they are written together. */
  delayMs: number;
  /** Items per batch at most; a full batch is written at once. */
  maxItems: number;
}

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Awaited writes, batched: each `add()` resolves once its own item is committed, or rejects with
 * its own error, but the items added within `delayMs` share one transaction (and one fsync).
 * Batches go through the shared WriteQueue, in order with every other write of the session store.
 */
export class WriteBatcher<T> {
  private open: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: WriteQueue,
    private readonly write: BatchWrite<T>,
    private readonly options: WriteBatcherOptions,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.open.push({ item, resolve, reject });
      if (this.open.length >= this.options.maxItems) this.seal();
      else this.timer ??= setTimeout(() => this.seal(), this.options.delayMs);
    });
  }

  /** Items added and not yet handed to the write queue. */
  get pending(): number {
    return this.open.length;
  }

  /** Hands what is gathered to the write queue now (a later write must come after it). */
  seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.open;
    if (batch.length === 0) return;
    this.open = [];
    this.queue
      .run(() => this.write(batch.map((p) => p.item)))
      .then(
        (errors) => batch.forEach((p, i) => (errors[i] === undefined ? p.resolve() : p.reject(errors[i]))),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      );
  }
}
