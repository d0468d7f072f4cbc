import { Worker } from 'node:worker_threads';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InMemorySessionStore } from './in-memory-session-store';
import { CheckpointResult, WAL_SIZE_LIMIT_BYTES } from './wal-settings';

/** How often the WAL is folded back into the database file. */
export const WAL_CHECKPOINT_INTERVAL_MS = 1_000;

export { WAL_SIZE_LIMIT_BYTES } from './wal-settings';
export type { CheckpointResult } from './wal-settings';

/**
 * The checkpointing connection: a second better-sqlite3 connection to the same file, in a worker
 * thread. A PASSIVE checkpoint takes no lock that a writer waits for (sqlite.org/wal.html §3), so
 * the main thread's writes go on while it copies and fsyncs; it answers each message with the
 * checkpoint's counts.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
parentPort.on('message', (id) => {
  if (id === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ id, log: row.log, checkpointed: row.checkpointed });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
`;

interface WorkerReply {
  id: number;
  log?: number;
  checkpointed?: number;
  error?: string;
}

/**
 * SQLite's automatic WAL checkpoint runs inside whichever write crosses 1000 WAL pages, and
 * better-sqlite3 runs it on the main thread: a group commit on the uplink path then takes
 * ~10 ms instead of ~1 ms (docs/decisions.md, event-loop lag p99). The network server turns the
 * automatic checkpoint off and takes a PASSIVE checkpoint itself every second. That checkpoint
 * copies every page written since the last one into the database file and fsyncs it: 20-60 ms
 * at 2,000 uplinks/s on this machine (`npm run bench`), a stall of the event loop once a second
 * if it ran there. So the bulk of it runs on its own connection in a worker thread, and the
 * connection the session store writes on (its writer thread's, else the main one) then completes
 * it between the store's writes (a few frames); where a worker cannot be started, all of it runs
 * there. PostgreSQL, or an in-memory or non-WAL database: nothing.
 */
@Injectable()
export class WalCheckpoint implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SessionStore');
  private timer: NodeJS.Timeout | undefined;
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: WorkerReply) => void>();
  private running = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: InMemorySessionStore,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type !== 'better-sqlite3') return;
    const mode = (await this.dataSource.query('PRAGMA journal_mode')) as Array<{ journal_mode: string }>;
    if (mode[0]?.journal_mode !== 'wal') return;
    await this.dataSource.query('PRAGMA wal_autocheckpoint = 0');
    // A WAL that once grew (a burst of writes) is cut back to this size when it starts over.
    await this.dataSource.query(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    const file = this.dataSource.options.database;
    if (typeof file === 'string' && file !== '' && file !== ':memory:') this.startWorker(file);
    this.timer = setInterval(() => void this.checkpoint(), WAL_CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops the timer and the worker; SQLite checkpoints the WAL itself when the DataSource closes. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    const killer = setTimeout(() => void worker.terminate(), 5_000);
    await exited;
    clearTimeout(killer);
    for (const reply of this.waiting.values()) reply({ id: -1, error: 'closed' });
    this.waiting.clear();
  }

  /** Whether checkpoints run off the main thread. */
  get inWorker(): boolean {
    return this.worker !== undefined;
  }

  /** One PASSIVE checkpoint (skipped while the previous one runs); undefined when it failed or was skipped. */
  async checkpoint(): Promise<CheckpointResult | undefined> {
    if (this.running) return undefined;
    this.running = true;
    try {
      const worker = this.worker;
      if (worker) {
        const reply = await new Promise<WorkerReply>((resolve) => {
          const id = ++this.nextId;
          this.waiting.set(id, resolve);
          worker.postMessage(id);
        });
        if (reply.error !== undefined) throw new Error(reply.error);
      }
      // On the session writer's connection (or the main one where writes run there), queued behind
      // the writes in flight (never inside another write's transaction). After the worker's pass
      // only the frames written meanwhile are left, so this is short; and it completes the
      // checkpoint, which the worker alone rarely does while uplinks keep writing: only a complete
      // checkpoint lets the next write start the WAL over. Without it the WAL grew without end
      // (344 MB after four minutes of the bench).
      return await this.sessions.checkpointWal();
    } catch (err) {
      this.logger.warn(`WAL checkpoint failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    } finally {
      this.running = false;
    }
  }

  private startWorker(file: string): void {
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { file, driver: require.resolve('better-sqlite3') },
      });
      worker.unref();
      worker.on('message', (reply: WorkerReply) => {
        const resolve = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        resolve?.(reply);
      });
      const lost = (why: string) => {
        if (this.worker !== worker) return;
        // Back to checkpoints on the main connection: slower, never absent.
        this.logger.warn(`WAL checkpoint worker ${why}: checkpointing on the main thread`);
        this.worker = undefined;
        for (const reply of this.waiting.values()) reply({ id: -1, error: why });
        this.waiting.clear();
      };
      worker.on('error', (err) => lost(`failed (${err.message})`));
      worker.on('exit', (code) => lost(`exited (${code})`));
      this.worker = worker;
    } catch (err) {
      this.logger.warn(
        `no WAL checkpoint worker (${err instanceof Error ? err.message : String(err)}): checkpointing on the main thread`,
      );
    }
  }
}
