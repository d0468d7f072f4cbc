import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import { CheckpointResult } from './wal-settings';

/**
 * A crashed writer that had run at least this long is restarted at once; one that died sooner
 * (it cannot open the database, say) this much later, so that a writer that cannot start does
 * not spin. Meanwhile the session store writes on the main connection.
 */
export const SESSION_WRITER_RESTART_DELAY_MS = 1_000;

/** How long close() waits for the writer to finish what it was given before it is terminated. */
export const SESSION_WRITER_CLOSE_TIMEOUT_MS = 5_000;

/** The statements the writer prepares, positional parameters, built from the entity metadata. */
export interface SessionWriterStatements {
  /** f_cnt_up, n_f_cnt_down, a_f_cnt_down, mac_state, last_seen_at, dev_eui. */
  updateCounters: string;
  /** Every column of device_sessions, in the order the rows' values come in. */
  upsert: string;
  /** dev_eui. */
  delete: string;
}

export interface SessionWriterOptions {
  /** The database file (never ':memory:': a second connection would open another database). */
  file: string;
  /** Per-connection pragmas, as the main connection has them (synchronous, foreign_keys, busy_timeout…). */
  pragmas: string[];
  statements: SessionWriterStatements;
}

/** A row refused by SQLite, as it crosses the thread boundary. */
export class SessionWriteError extends Error {
  constructor(
    message: string,
    /** SQLite's extended result code, e.g. SQLITE_CONSTRAINT_FOREIGNKEY. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SessionWriteError';
  }
}

/**
 * The writer thread: its own better-sqlite3 connection to the database file, the session store's
 * statements prepared once, one native transaction per request, requests in the order they come.
 * Plain JavaScript evaluated by the Worker, needing only better-sqlite3, so it runs the same under
 * ts-jest and from dist. Structured cloning hands a Buffer over as a plain Uint8Array; it is
 * wrapped back so that SQLite binds it as a BLOB whatever the driver accepts.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
for (const pragma of workerData.pragmas) db.pragma(pragma);
const update = db.prepare(workerData.statements.updateCounters);
const upsert = db.prepare(workerData.statements.upsert);
const remove = db.prepare(workerData.statements.delete);
const blobs = (values) =>
  values.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
const failure = (err) => ({
  message: err instanceof Error ? err.message : String(err),
  code: err && typeof err.code === 'string' ? err.code : undefined,
});
const updateAll = db.transaction((rows) => {
  for (const r of rows) update.run(r);
});
const upsertOne = db.transaction((values) => upsert.run(values));
// Each row in a savepoint of the batch's transaction: a refused row is rolled back alone.
const upsertAll = db.transaction((rows) =>
  rows.map((values) => {
    try {
      upsertOne(blobs(values));
      return null;
    } catch (err) {
      return failure(err);
    }
  }),
);
parentPort.on('message', (m) => {
  if (m.op === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    let result = null;
    if (m.op === 'update') updateAll(m.rows);
    else if (m.op === 'upsert') result = upsertAll(m.rows);
    else if (m.op === 'delete') remove.run(m.devEui);
    else if (m.op === 'checkpoint') {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)');
      result = { log: row.log, checkpointed: row.checkpointed };
    } else throw new Error('unknown request ' + m.op);
    parentPort.postMessage({ id: m.id, result });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: failure(err) });
  }
});
parentPort.postMessage({ ready: true });
`;

type Request =
  | { op: 'update'; rows: unknown[][] }
  | { op: 'upsert'; rows: unknown[][] }
  | { op: 'delete'; devEui: string }
  | { op: 'checkpoint' };

interface WireError {
  message: string;
  code?: string;
}

type Reply = { ready: true } | { id: number; result?: unknown; error?: WireError };

interface Pending {
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
}

/**
 * The session store's writes on a worker thread (docs/decisions.md, "Session writes on a worker
 * thread"): the commit and its fsync (synchronous=FULL) block that thread, not the event loop.
 * Each request resolves once its transaction has committed, or rejects with SQLite's error. If the
 * thread dies, the requests it held reject (nothing says whether their transaction committed, so
 * the callers write again: the group commit retries, an activation fails) and a new thread is
 * started; `available` is false until it is up.
 */
export class SessionWriter {
  private readonly logger = new Logger('SessionStore');
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closing = false;
  private restartTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: SessionWriterOptions) {}

  /** Starts the thread; rejects if it cannot open the database. */
  static async open(options: SessionWriterOptions): Promise<SessionWriter> {
    const writer = new SessionWriter(options);
    await writer.spawn();
    return writer;
  }

  /** Whether a thread is up to take requests (false while one is being restarted, and after close()). */
  get available(): boolean {
    return this.worker !== undefined;
  }

  /** Rows of [fCntUp, nFCntDown, aFCntDown, macState, lastSeenAt, devEui], in one transaction. */
  async updateCounters(rows: unknown[][]): Promise<void> {
    await this.request({ op: 'update', rows });
  }

  /** Rows of every column's value; each row's error (undefined when it was written), in order. */
  async upsertMany(rows: unknown[][]): Promise<Array<SessionWriteError | undefined>> {
    const errors = (await this.request({ op: 'upsert', rows })) as Array<WireError | null>;
    return errors.map((e) => (e === null ? undefined : new SessionWriteError(e.message, e.code)));
  }

  async delete(devEui: string): Promise<void> {
    await this.request({ op: 'delete', devEui });
  }

  /** A PASSIVE WAL checkpoint on the writer's connection, between its writes. */
  async checkpoint(): Promise<CheckpointResult> {
    return (await this.request({ op: 'checkpoint' })) as CheckpointResult;
  }

  /** Lets the thread finish what it was given, then ends it; no restart after this. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ op: 'close' });
    const killer = setTimeout(() => void worker.terminate(), SESSION_WRITER_CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(killer);
    const err = new Error('the session writer thread was closed');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private request(request: Request): Promise<unknown> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('the session writer thread is not running'));
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  /** Resolves once the thread has opened the database; rejects if it died before. */
  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { file, pragmas, statements } = this.options;
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { file, pragmas, statements, driver: require.resolve('better-sqlite3') },
      });
      // Never what keeps the process alive: the store closes it at shutdown after its last flush.
      worker.unref();
      const started = Date.now();
      let ready = false;
      let failure = '';
      worker.on('message', (reply: Reply) => {
        if ('ready' in reply) {
          ready = true;
          if (this.closing) void worker.terminate();
          else this.worker = worker;
          resolve();
          return;
        }
        const pending = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (!pending) return;
        if (reply.error) pending.reject(new SessionWriteError(reply.error.message, reply.error.code));
        else pending.resolve(reply.result);
      });
      worker.on('error', (err) => (failure = err.message));
      worker.on('exit', (code) => {
        const why = failure || `exited with code ${code}`;
        if (!ready) {
          reject(new Error(`the session writer thread could not start: ${why}`));
          return;
        }
        if (this.worker === worker) this.lost(why, Date.now() - started);
      });
    });
  }

  /** The thread died: what it held is rejected, and a new one is started. */
  private lost(why: string, livedMs: number): void {
    this.worker = undefined;
    const err = new Error(`the session writer thread died (${why}); its writes are tried again`);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.logger.error(`session writer thread died (${why}); writing on the main thread until it is back`);
    this.restart(livedMs >= SESSION_WRITER_RESTART_DELAY_MS ? 0 : SESSION_WRITER_RESTART_DELAY_MS);
  }

  private restart(delayMs: number): void {
    if (this.closing) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.closing) return;
      this.spawn().then(
        () => this.logger.log('session writer thread restarted'),
        (err: unknown) => {
          this.logger.error(err instanceof Error ? err.message : String(err));
          this.restart(SESSION_WRITER_RESTART_DELAY_MS);
        },
      );
    }, delayMs);
    this.restartTimer.unref();
  }
}
