/**
 * One task at a time per key (a device): the downlink of an uplink, a Class C transmission and
 * a retry of the same device never interleave their counter and queue changes across awaits.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const done = previous.then(task, task);
    const tail = done.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return done;
  }

  /** Whether a task of this key is running or waiting. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }
}
