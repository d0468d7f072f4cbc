import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InMemorySessionStore } from './in-memory-session-store';

/** How often the WAL is folded back into the database file. */
export const WAL_CHECKPOINT_INTERVAL_MS = 1_000;

/**
 * SQLite's automatic WAL checkpoint runs inside whichever write crosses 1000 WAL pages, and
 * better-sqlite3 runs it on the main thread: a group commit on the uplink path then takes
 * ~10 ms instead of ~1 ms (docs/decisions.md, event-loop lag p99). The network server turns the
 * automatic checkpoint off and takes a PASSIVE checkpoint itself every second, between writes
 * (through the session store's write queue), where no uplink waits on it. PostgreSQL: nothing.
 */
@Injectable()
export class WalCheckpoint implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SessionStore');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: InMemorySessionStore,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type !== 'better-sqlite3') return;
    const mode = (await this.dataSource.query('PRAGMA journal_mode')) as Array<{ journal_mode: string }>;
    if (mode[0]?.journal_mode !== 'wal') return;
    await this.dataSource.query('PRAGMA wal_autocheckpoint = 0');
    this.timer = setInterval(() => void this.checkpoint(), WAL_CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops the timer; SQLite checkpoints the WAL itself when the DataSource closes. */
  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One PASSIVE checkpoint, queued behind the writes in flight. */
  async checkpoint(): Promise<void> {
    try {
      await this.sessions.serialize(() => this.dataSource.query('PRAGMA wal_checkpoint(PASSIVE)'));
    } catch (err) {
      this.logger.warn(`WAL checkpoint failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
