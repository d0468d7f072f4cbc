/**
 * An array queue with a moving head: O(1) push and shift, compacted as it drains.
 *
 * A shifted item is no longer referenced here: before, the slot kept it until 1,024 more had
 * gone (the compaction), so at 5,000 uplinks/s every uplink the network server had handled stayed
 * reachable some 200 ms longer, survived two scavenges and was promoted to V8's old generation,
 * whose collections then came every few seconds (docs/decisions.md).
 */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
