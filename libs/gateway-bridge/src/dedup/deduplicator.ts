import { randomUUID } from 'node:crypto';
import { DeduplicatedUplink, FirstCopy, UplinkReceived } from './deduplicated-uplink';
import { Fifo } from './fifo';

export interface DeduplicatorOptions {
  /** How long copies are collected after the first (config dedup.windowMs). */
  windowMs: number;
  /** How long after the window copies are still recognised and dropped (config dedup.cooldownMs). */
  cooldownMs: number;
  /** Distinct PHYPayloads held at once; beyond it new ones are refused (memory bound). */
  maxEntries?: number;
}

/** What became of one copy. */
export type DedupOutcome = 'first' | 'copy' | 'late' | 'overflow';

/** 10 000 uplinks/s held for a 200 ms window and a 1 s cooldown is 12 000 entries. */
export const DEDUP_MAX_ENTRIES = 100_000;
/** How long one turn of the event loop may spend handing uplinks over (see handReady). */
export const HAND_OVER_BUDGET_MS = 5;

interface Entry {
  key: string;
  /** The uplink's deduplicationId, given with its first copy. */
  id: string;
  copies: UplinkReceived[];
  firstReceivedAt: number;
  /** Server clock (ms) when the window closes (firstReceivedAt + window), then when the cooldown ends. */
  due: number;
  state: 'collecting' | 'cooldown';
}

/**
 * Collects the copies of one PHYPayload that several gateways (or one gateway twice) heard,
 * for `windowMs` after the first, and hands them over once (ChirpStack and The Things Stack
 * deduplicate the same way). Copies arriving after the window, within `cooldownMs`, are
 * dropped and counted: the uplink is never handled twice.
 *
 * The window counts from the first copy's arrival at the socket, not from when this thread
 * got to it: with the UDP worker, datagrams wait in its message queue while the event loop is
 * busy (p99 20-45 ms at 5,000 uplinks/s, `npm run bench`), and that wait used to come on top of
 * the window for every uplink. A copy that reached the socket inside the window but this thread
 * only after the window closed is late, as it would be had it reached the socket late.
 *
 * `onFirst` hears of each PHYPayload at its first copy, with the deduplicationId the uplink will
 * carry: the network server verifies and commits it while the window runs (DataUplinkHandler).
 *
 * Memory is bounded: one entry per distinct PHYPayload, keyed by its bytes, lives for
 * window + cooldown, and `maxEntries` caps the map. Both deadlines grow with arrival time
 * (windowMs and cooldownMs are constant), so entries wait in two FIFO queues served by a
 * single timer, instead of two timers per uplink. (An entry dated earlier than the one before
 * it, by a clock step, waits behind it: it closes late, never early.)
 */
export class Deduplicator {
  private readonly entries = new Map<string, Entry>();
  private readonly collecting = new Fifo<Entry>();
  private readonly cooling = new Fifo<Entry>();
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  /** Windows closed, not yet handed over (handReady). */
  private readonly ready = new Fifo<Entry>();
  private immediate: NodeJS.Immediate | undefined;
  private readonly maxEntries: number;
  private stopped = false;

  constructor(
    private readonly options: DeduplicatorOptions,
    private readonly handle: (uplink: DeduplicatedUplink) => void,
    private readonly onFirst?: (first: FirstCopy) => void,
  ) {
    this.maxEntries = options.maxEntries ?? DEDUP_MAX_ENTRIES;
  }

  add(copy: UplinkReceived, now = Date.now()): DedupOutcome {
    if (this.stopped) return 'overflow';
    const key = copy.phyPayload.toString('latin1');
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.state === 'cooldown') return 'late';
      addCopy(entry.copies, copy);
      return 'copy';
    }
    if (this.entries.size >= this.maxEntries) return 'overflow';
    // The socket's clock (the UDP worker's, a batch earlier), never later than now. The window
    // runs from there too: time the copy spent waiting for this thread is not added to every
    // uplink's latency, it comes out of the window (see the class comment).
    const firstReceivedAt = Math.min(copy.receivedAt, now);
    const fresh: Entry = {
      key,
      id: randomUUID(),
      copies: [copy],
      firstReceivedAt,
      due: firstReceivedAt + this.options.windowMs,
      state: 'collecting',
    };
    this.entries.set(key, fresh);
    this.collecting.push(fresh);
    this.arm();
    this.onFirst?.({ deduplicationId: fresh.id, copy, windowDueAt: fresh.due });
    return 'first';
  }

  /** Distinct PHYPayloads held (collecting or cooling down). */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets everything; uplinks still collecting are not handed over (shutdown). Returns how many. */
  stop(): number {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearImmediate(this.immediate);
    this.immediate = undefined;
    const dropped = this.collecting.size + this.ready.size;
    this.entries.clear();
    this.collecting.clear();
    this.cooling.clear();
    this.ready.clear();
    return dropped;
  }

  private arm(): void {
    const next = Math.min(this.collecting.peek()?.due ?? Infinity, this.cooling.peek()?.due ?? Infinity);
    if (next === Infinity || next >= this.timerDue) return;
    clearTimeout(this.timer);
    this.timerDue = next;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - Date.now()));
  }

  private tick(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = Date.now();
    while ((this.cooling.peek()?.due ?? Infinity) <= now) {
      const e = this.cooling.shift()!;
      if (this.entries.get(e.key) === e) this.entries.delete(e.key);
    }
    while ((this.collecting.peek()?.due ?? Infinity) <= now) {
      const e = this.collecting.shift()!;
      e.state = 'cooldown';
      e.due += this.options.cooldownMs;
      if (this.options.cooldownMs > 0) this.cooling.push(e);
      else this.entries.delete(e.key);
      this.ready.push(e);
    }
    this.arm();
    this.handReady(now);
  }

  /**
   * Hands over the uplinks whose window closed, for at most HAND_OVER_BUDGET_MS at a time: after
   * a stall (GC, a burst) thousands may be due at once, and handling them in one go blocked the
   * event loop for most of a second (bench: loop lag 1.1 s), holding up the datagrams, commits
   * and MQTT writes queued behind. The rest follow after those (setImmediate), oldest first.
   */
  private handReady(now: number): void {
    const until = performance.now() + HAND_OVER_BUDGET_MS;
    while (this.ready.size > 0) {
      const e = this.ready.shift()!;
      const copies = e.copies.sort(bySignal);
      e.copies = [];
      this.handle({
        deduplicationId: e.id,
        phyPayload: copies[0].phyPayload,
        copies,
        firstReceivedAt: e.firstReceivedAt,
        windowDueAt: e.firstReceivedAt + this.options.windowMs,
        windowClosedAt: now,
      });
      if (this.ready.size > 0 && performance.now() >= until) {
        this.immediate ??= setImmediate(() => {
          this.immediate = undefined;
          if (!this.stopped) this.handReady(Date.now());
        });
        return;
      }
    }
  }
}

/** One copy per gateway: a gateway that reports the same packet twice (two antennas, a bug) keeps its best. */
function addCopy(copies: UplinkReceived[], copy: UplinkReceived): void {
  const i = copies.findIndex((c) => c.rx.gatewayId === copy.rx.gatewayId);
  if (i < 0) copies.push(copy);
  else if (bySignal(copy, copies[i]) < 0) copies[i] = copy;
}

/** Best first: higher SNR, then higher RSSI. */
export function bySignal(a: UplinkReceived, b: UplinkReceived): number {
  const snr = (b.rx.snr ?? -Infinity) - (a.rx.snr ?? -Infinity);
  if (snr !== 0 && !Number.isNaN(snr)) return snr;
  return b.rx.rssi - a.rx.rssi;
}
