/**
 * Runs database operations of the webhooks one after another, in the order asked for: a
 * group commit, the read of a spilled page and a webhook's deletion never overtake each other.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(op: () => Promise<T>): Promise<T> {
    const done = this.tail.then(op);
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** Resolves once every operation asked for so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
