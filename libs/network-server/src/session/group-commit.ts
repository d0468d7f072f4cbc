import { COMMIT_BOUNDS_MS, DelayHistogram } from '../delay-histogram';
import { WriteQueue } from './write-queue';

/** How long changes gather before they are committed together. */
export const GROUP_COMMIT_DELAY_MS = 3;
/**
 * Under load, a generation is sealed no sooner than this many times the last write's duration
 * after that write ended. better-sqlite3 runs a commit on the main thread, and its fsync
 * (synchronous=FULL) takes about 3 ms on this machine whatever the batch size, so back-to-back
 * commits every 3 ms kept the event loop blocked half the time at 2,000 uplinks/s
 * (bench/README: `npm run bench`). Spaced this way, commits block at most about a fifth of it.
 */
export const GROUP_COMMIT_SPACING = 4;
/** The spacing never holds a change back longer than this (it waits for its commit before its event goes out). */
export const GROUP_COMMIT_MAX_DELAY_MS = 20;
/**
 * Rows per transaction. better-sqlite3 is synchronous: a transaction blocks the event loop for
 * about 1 ms per 100 rows (docs/decisions.md), so a batch stays at a few hundred rows.
 */
export const GROUP_COMMIT_MAX_ROWS = 256;
/** After a failed commit, the changes are tried again this much later. */
export const GROUP_COMMIT_RETRY_MS = 1_000;

export interface GroupCommitOptions {
  delayMs?: number;
  spacing?: number;
  maxDelayMs?: number;
  maxRows?: number;
  retryMs?: number;
  /**
   * Writes run off the event loop: a due generation is sealed only when the previous one is
   * written (it gathers meanwhile), so sealed generations never pile up behind a slow fsync.
   */
  pipelined?: boolean;
  onError?: (err: unknown) => void;
}

/** How a GroupCommit times its generations (see GroupCommitOptions). */
export type GroupCommitTiming = Pick<GroupCommitOptions, 'delayMs' | 'spacing' | 'maxDelayMs' | 'pipelined'>;

interface Generation<T> {
  items: Map<string, T>;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

/**
 * Group commit: changes marked within a few milliseconds are written in one transaction (or a
 * few of at most `maxRows` rows), so the fsync is paid per batch and not per uplink.
 *
 * A generation is every key marked while it was open; it is sealed after `delayMs` (longer under
 * load: `spacing` times the last write's duration after it ended, at most `maxDelayMs`), or at
 * once when it reaches `maxRows`, and written through the shared WriteQueue. `committed()` resolves
 * when the generation holding everything marked before the call is on disk, and rejects if that
 * write failed (the caller must then not publish what it meant to; the changes stay marked and
 * are tried again after `retryMs`). A key marked twice is written once, with its latest value:
 * the value is read when the batch is written. Pipelined (writes off the event loop), a due
 * generation waits for the write in flight and is sealed when it ends (after the spacing, if any):
 * generations never pile up behind a slow fsync, each holds what gathered meanwhile.
 */
export class GroupCommit<T> {
  private open: Generation<T> = newGeneration();
  private lastSealed: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private delayMs!: number;
  private spacing!: number;
  private maxDelayMs!: number;
  private pipelined!: boolean;
  private readonly maxRows: number;
  private readonly retryMs: number;
  private stopped = false;
  /** Generations sealed and not yet written. */
  private writing = 0;
  /** The open generation fell due while a write ran (pipelined): sealed when it ends. */
  private dueWhenWritten = false;
  /** …at once then, without the spacing: a downlink waits on it (`committed(true)`). */
  private urgentWhenWritten = false;
  /** When the last write ended and how long it took (ms, Date.now(): a clock step only bends one delay, which stays within its bounds). */
  private lastWriteEnd = -Infinity;
  private lastWriteMs = 0;
  /** Every generation's write, fsync included (ms). */
  readonly writeTimes = new DelayHistogram(COMMIT_BOUNDS_MS);

  constructor(
    private readonly queue: WriteQueue,
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.retime(options);
    this.maxRows = options.maxRows ?? GROUP_COMMIT_MAX_ROWS;
    this.retryMs = options.retryMs ?? GROUP_COMMIT_RETRY_MS;
  }

  /** Changes the timing (the session store, once it knows where its writes run); defaults as in the constructor. */
  retime(timing: GroupCommitTiming): void {
    this.delayMs = timing.delayMs ?? GROUP_COMMIT_DELAY_MS;
    this.spacing = timing.spacing ?? GROUP_COMMIT_SPACING;
    this.maxDelayMs = Math.max(this.delayMs, timing.maxDelayMs ?? GROUP_COMMIT_MAX_DELAY_MS);
    this.pipelined = timing.pipelined ?? false;
  }

  mark(key: string, item: T): void {
    this.open.items.set(key, item);
    if (this.open.items.size >= this.maxRows) this.seal();
    else this.arm(this.sealDelay());
  }

  /** Drops a key not yet written (its row was deleted or replaced). */
  forget(key: string): void {
    this.open.items.delete(key);
  }

  /** Keys marked and not yet sealed into a write. */
  get pending(): number {
    return this.open.items.size;
  }

  /**
   * Resolves when everything marked before this call is committed. `urgent` (a downlink waits on
   * it, due in RX1 about 800 ms after the dedup window): the open generation is sealed now, or,
   * pipelined, as soon as the write in flight ends, without gathering or spacing.
   */
  committed(urgent = false): Promise<void> {
    if (this.open.items.size === 0) return this.lastSealed;
    const done = new Promise<void>((resolve, reject) => {
      this.open.waiters.push({ resolve, reject });
    });
    if (urgent) this.sealUrgently();
    return done;
  }

  /** Seals and writes what is marked now; resolves when it (and everything before) is committed. */
  async flush(): Promise<void> {
    if (this.open.items.size > 0 || this.open.waiters.length > 0) this.seal();
    await this.queue.idle();
  }

  /** No more timers (shutdown); `flush()` still writes. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sealUrgently(): void {
    if (this.stopped) return;
    if (this.pipelined && this.writing > 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.dueWhenWritten = true;
      this.urgentWhenWritten = true;
    } else this.seal();
  }

  /** `delayMs`, or longer while the last write is recent: commits then take turns with the uplinks. */
  private sealDelay(): number {
    const spaced = this.lastWriteEnd + this.spacing * this.lastWriteMs - Date.now();
    return Math.min(this.maxDelayMs, Math.max(this.delayMs, spaced));
  }

  private arm(delay: number): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pipelined && this.writing > 0) this.dueWhenWritten = true;
      // Waiters with nothing left to write (forget() took their keys): sealed empty, they resolve.
      else if (this.open.items.size > 0 || this.open.waiters.length > 0) this.seal();
    }, delay);
  }

  private seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dueWhenWritten = false;
    this.urgentWhenWritten = false;
    const gen = this.open;
    this.open = newGeneration();
    this.writing++;
    const written = this.queue.run(() => this.writeGeneration(gen));
    // Observers of later generations must not see this one's failure as theirs.
    this.lastSealed = written.catch(() => undefined);
    written.then(
      () => {
        this.writing--;
        gen.waiters.forEach((w) => w.resolve());
        if (this.dueWhenWritten && this.writing === 0) {
          if (this.urgentWhenWritten) this.seal();
          else this.sealAfterSpacing();
        }
      },
      (err: unknown) => {
        this.writing--;
        // The retry below waits retryMs: a failing disk is not hammered back to back.
        this.dueWhenWritten = false;
        this.urgentWhenWritten = false;
        gen.waiters.forEach((w) => w.reject(err));
        // Keep the changes: re-mark what no newer mark has replaced, and try again later.
        for (const [key, item] of gen.items) {
          if (!this.open.items.has(key)) this.open.items.set(key, item);
        }
        this.options.onError?.(err);
        if (this.open.items.size > 0) this.arm(this.retryMs);
      },
    );
  }

  /** Pipelined, the write in flight has ended: the due generation goes now, or once the spacing allows. */
  private sealAfterSpacing(): void {
    const wait = this.lastWriteEnd + this.spacing * this.lastWriteMs - Date.now();
    if (wait <= 0) {
      this.seal();
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.arm(Math.min(wait, this.maxDelayMs));
  }

  private async writeGeneration(gen: Generation<T>): Promise<void> {
    const items = [...gen.items.values()];
    const started = Date.now();
    try {
      for (let i = 0; i < items.length; i += this.maxRows) {
        await this.write(items.slice(i, i + this.maxRows));
      }
    } finally {
      this.lastWriteEnd = Date.now();
      this.lastWriteMs = this.lastWriteEnd - started;
      this.writeTimes.observe(this.lastWriteMs);
    }
  }
}

function newGeneration<T>(): Generation<T> {
  return { items: new Map(), waiters: [] };
}
