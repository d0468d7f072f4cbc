/**
 * Runs database writes one after another, in the order they were asked for: a group commit
 * and an activation of the same device can then never overtake each other.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(write: () => Promise<T>): Promise<T> {
    const done = this.tail.then(write);
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** Resolves once every write asked for so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
