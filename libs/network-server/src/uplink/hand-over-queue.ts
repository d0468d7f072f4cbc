import { Fifo, HAND_OVER_BUDGET_MS } from '@lns/gateway-bridge';

/**
 * Uplinks the UDP worker deduplicated, routed a few milliseconds' worth at a time. One batch
 * from the worker may carry dozens of uplinks (a join storm: some 0.7 ms of work each), and
 * routing them all in its message handler blocked the event loop as the dedup's own hand-over
 * did before it was sliced (Deduplicator.handReady): the commit replies, MQTT writes and the
 * next batches waited behind. Items wait for the check phase of the event-loop turn that queued
 * them (setImmediate: after the turn's I/O, no timer delay), then go for at most `budgetMs` per
 * turn, oldest first.
 *
 * Items that can wait (`pushSpare`: the early checks of first copies, whose window still runs)
 * are handed over only when no other item waits: under load they never delay an uplink whose
 * window has closed.
 */
export class HandOverQueue<T> {
  private readonly queue = new Fifo<T>();
  private readonly spare = new Fifo<T>();
  private immediate: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(
    private readonly handle: (item: T) => void,
    private readonly budgetMs = HAND_OVER_BUDGET_MS,
  ) {}

  get size(): number {
    return this.queue.size + this.spare.size;
  }

  push(item: T): void {
    if (this.stopped) return;
    this.queue.push(item);
    this.immediate ??= setImmediate(this.drain);
  }

  /** An item that can wait: handed over once no item of `push` waits. */
  pushSpare(item: T): void {
    if (this.stopped) return;
    this.spare.push(item);
    this.immediate ??= setImmediate(this.drain);
  }

  /** No more hand-overs (shutdown); returns how many were still queued. */
  stop(): number {
    this.stopped = true;
    clearImmediate(this.immediate);
    this.immediate = undefined;
    const dropped = this.size;
    this.queue.clear();
    this.spare.clear();
    return dropped;
  }

  private readonly drain = (): void => {
    this.immediate = undefined;
    const until = performance.now() + this.budgetMs;
    while (this.size > 0) {
      this.handle(this.queue.size > 0 ? this.queue.shift()! : this.spare.shift()!);
      if (this.stopped) return;
      if (this.size > 0 && performance.now() >= until) {
        this.immediate = setImmediate(this.drain);
        return;
      }
    }
  };
}
