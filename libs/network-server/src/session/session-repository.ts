import type { Database } from 'better-sqlite3';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, MoreThan } from 'typeorm';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { DeviceEntity, DeviceSessionEntity, sqliteConnection } from '@lns/storage';
import { DeviceSession } from './device-session';
import { FCntDownOnDisk } from './fcnt-down-reservation';
import { SessionWriter } from './session-writer';
import { CheckpointResult, WAL_SIZE_LIMIT_BYTES } from './wal-settings';

export interface StoredSessionRow {
  row: DeviceSessionEntity;
  applicationId: string;
  deviceProfileId: string;
}

/** The columns that change on the uplink and downlink paths (the group commit's UPDATE). */
const UPDATE_COUNTERS =
  'UPDATE device_sessions SET f_cnt_up = :fCntUp, n_f_cnt_down = :nFCntDown, a_f_cnt_down = :aFCntDown, ' +
  'mac_state = :macState, last_seen_at = :lastSeenAt WHERE dev_eui = :devEui';
/** The same UPDATE with positional parameters, prepared once on better-sqlite3. */
const UPDATE_COUNTERS_SQLITE =
  'UPDATE device_sessions SET f_cnt_up = ?, n_f_cnt_down = ?, a_f_cnt_down = ?, ' +
  'mac_state = ?, last_seen_at = ? WHERE dev_eui = ?';
/** A device's session row (the writer thread's delete; TypeORM's elsewhere). */
const DELETE_SESSION_SQLITE = 'DELETE FROM device_sessions WHERE dev_eui = ?';

/**
 * Sessions read per query at start-up. Reading 100,000 rows at once held every entity and its
 * strings alive together and left the heap (and RSS) grown by the peak after they were dropped;
 * in chunks, each is decoded and dropped before the next is read (`npm run bench`, fleet).
 */
export const LOAD_CHUNK_ROWS = 5_000;

/** A session row read at start-up and its device's ids (undefined: the device is gone). */
interface SessionPageRow {
  row: DeviceSessionEntity;
  owner: { applicationId: string; deviceProfileId: string } | undefined;
}
/** Aliases of the device columns in the start-up SELECT (no session column is named so). */
const OWNER_APPLICATION = '__owner_application_id';
const OWNER_PROFILE = '__owner_device_profile_id';

/**
 * All database I/O of the session store. Never called per packet except through the group commit.
 * On a SQLite file in WAL mode its writes run on a SessionWriter thread once `startWriter()` has
 * started it (unless `database.sessionWriter` is `inline`); until then, while the thread is being
 * restarted, and everywhere else, on the main connection. The session store runs them one at a
 * time, so the two never write at once.
 */
@Injectable()
export class SessionRepository {
  private readonly logger = new Logger('SessionStore');
  private batch: ((rows: unknown[][]) => void) | null | undefined;
  private upsert: ((rows: readonly DeviceSessionEntity[]) => Array<unknown | undefined>) | null | undefined;
  private writer: SessionWriter | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(LNS_CONFIG) private readonly config?: LnsConfig,
  ) {}

  /**
   * Starts the writer thread where it applies: better-sqlite3 on a file (a second connection to
   * ':memory:' would open another database) in WAL mode (where readers and the one writer do not
   * block each other), `database.sessionWriter` not `inline`. True when writes now run there.
   *
   * Its connection gets the main connection's per-connection settings (synchronous, so durability
   * is the same; foreign_keys, which refuse the session of a device deleted meanwhile;
   * busy_timeout), no automatic checkpoint (WalCheckpoint takes them, so no commit ever carries
   * one) and the same journal_size_limit, since this connection is the one that restarts the WAL.
   */
  async startWriter(): Promise<boolean> {
    if (this.writer || (this.config?.database.sessionWriter ?? 'worker') !== 'worker') return false;
    const db = this.sqliteHandle();
    const file = this.dataSource.options.database;
    if (!db || typeof file !== 'string' || file === '' || file === ':memory:') return false;
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') return false;
    const setting = (name: string) => Number(db.pragma(name, { simple: true }));
    try {
      this.writer = await SessionWriter.open({
        file,
        pragmas: [
          `synchronous = ${setting('synchronous')}`,
          `foreign_keys = ${setting('foreign_keys')}`,
          `busy_timeout = ${setting('busy_timeout')}`,
          'wal_autocheckpoint = 0',
          `journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`,
        ],
        statements: {
          updateCounters: UPDATE_COUNTERS_SQLITE,
          upsert: this.upsertSql(),
          delete: DELETE_SESSION_SQLITE,
        },
      });
    } catch (err) {
      this.logger.warn(
        `${err instanceof Error ? err.message : String(err)}: session writes stay on the main thread`,
      );
      return false;
    }
    return true;
  }

  /** Ends the writer thread after what it was given; later writes run on the main connection. */
  async stopWriter(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    await writer?.close();
  }

  /** The writer thread, when it is up to take a write now. */
  private liveWriter(): SessionWriter | undefined {
    return this.writer?.available ? this.writer : undefined;
  }

  /** Every session with the ids of its device's application and profile (start-up only). */
  async loadAll(): Promise<StoredSessionRow[]> {
    const out: StoredSessionRow[] = [];
    for await (const chunk of this.loadInChunks()) out.push(...chunk);
    return out;
  }

  /**
   * Every session in chunks of `size` rows, in DevEUI order (keyset pagination on the primary key),
   * each with its device's application and profile ids. The ids are interned: every session of
   * an application holds the same string, not one copy per row.
   */
  async *loadInChunks(size = LOAD_CHUNK_ROWS): AsyncGenerator<StoredSessionRow[]> {
    const page = this.sqlitePage() ?? ((after, n) => this.typeormPage(after, n));
    const interned = new Map<string, string>();
    const intern = (s: string) => {
      const known = interned.get(s);
      if (known !== undefined) return known;
      interned.set(s, s);
      return s;
    };
    let after: string | undefined;
    for (;;) {
      const rows = await page(after, size);
      if (rows.length === 0) return;
      after = rows[rows.length - 1].row.devEui;
      const out: StoredSessionRow[] = [];
      for (const { row, owner } of rows) {
        // The foreign key cascades deletes; a session without its device cannot exist, but is skipped if it does.
        if (owner) {
          out.push({
            row,
            applicationId: intern(owner.applicationId),
            deviceProfileId: intern(owner.deviceProfileId),
          });
        }
      }
      yield out;
      if (rows.length < size) return;
    }
  }

  /** One page of sessions after `after`, each with its device's ids (none for an orphan), through TypeORM. */
  private async typeormPage(after: string | undefined, size: number): Promise<SessionPageRow[]> {
    const rows = await this.dataSource.getRepository(DeviceSessionEntity).find({
      where: after === undefined ? {} : { devEui: MoreThan(after) },
      order: { devEui: 'ASC' },
      take: size,
    });
    if (rows.length === 0) return [];
    const owners = await this.dataSource.getRepository(DeviceEntity).find({
      select: { devEui: true, applicationId: true, deviceProfileId: true },
      where: { devEui: In(rows.map((r) => r.devEui)) },
    });
    const byEui = new Map(
      owners.map((d) => [d.devEui, { applicationId: d.applicationId, deviceProfileId: d.deviceProfileId }]),
    );
    return rows.map((row) => ({ row, owner: byEui.get(row.devEui) }));
  }

  /**
   * better-sqlite3: the same page in one prepared statement (sessions LEFT JOIN devices), each
   * column converted by the driver as TypeORM's `find` converts it. TypeORM's query building
   * and entity transformer were a third of the start-up's main-thread time with 100,000
   * sessions (`npm run bench`, fleet, --cpu-prof); a spec checks both give equal entities.
   * Null on other drivers.
   */
  private sqlitePage(): ((after: string | undefined, size: number) => Promise<SessionPageRow[]>) | null {
    const db = this.sqliteHandle();
    if (!db) return null;
    const sessions = this.dataSource.getMetadata(DeviceSessionEntity);
    const devices = this.dataSource.getMetadata(DeviceEntity);
    const name = (m: typeof sessions, property: string) =>
      m.findColumnWithPropertyName(property)!.databaseName;
    const devEui = name(sessions, 'devEui');
    const select =
      `SELECT s.*, d."${name(devices, 'applicationId')}" AS "${OWNER_APPLICATION}", ` +
      `d."${name(devices, 'deviceProfileId')}" AS "${OWNER_PROFILE}" ` +
      `FROM "${sessions.tableName}" s LEFT JOIN "${devices.tableName}" d ON d."${name(devices, 'devEui')}" = s."${devEui}"`;
    const first = db.prepare(`${select} ORDER BY s."${devEui}" LIMIT ?`);
    const next = db.prepare(`${select} WHERE s."${devEui}" > ? ORDER BY s."${devEui}" LIMIT ?`);
    const driver = this.dataSource.driver;
    const columns = sessions.columns;
    return async (after, size) => {
      const raws = (after === undefined ? first.all(size) : next.all(after, size)) as Array<
        Record<string, unknown>
      >;
      return raws.map((raw) => {
        const row = sessions.create() as DeviceSessionEntity;
        for (const c of columns) c.setEntityValue(row, driver.prepareHydratedValue(raw[c.databaseName], c));
        const applicationId = raw[OWNER_APPLICATION];
        const owner =
          typeof applicationId === 'string'
            ? { applicationId, deviceProfileId: String(raw[OWNER_PROFILE]) }
            : undefined;
        return { row, owner };
      });
    };
  }

  /** Inserts or replaces a device's session row. */
  async save(row: DeviceSessionEntity): Promise<void> {
    await this.dataSource.getRepository(DeviceSessionEntity).upsert(row, ['devEui']);
  }

  /**
   * Inserts or replaces several session rows (activations gathered by the session store); resolves
   * with each row's error, undefined when it was written. On better-sqlite3 they share one
   * transaction, each row in its own savepoint so that one refused row (its device deleted
   * meanwhile) does not cost the others: during a join storm one commit, and one fsync, serves
   * many activations (`npm run bench`, join storm). Elsewhere each row is its own upsert.
   */
  async saveMany(rows: readonly DeviceSessionEntity[]): Promise<Array<unknown | undefined>> {
    const writer = this.liveWriter();
    if (writer) return writer.upsertMany(rows.map((row) => this.upsertValues(row)));
    const sqlite = this.sqliteUpsert();
    if (sqlite) return sqlite(rows);
    const errors: Array<unknown | undefined> = [];
    for (const row of rows) {
      try {
        await this.save(row);
        errors.push(undefined);
      } catch (err) {
        errors.push(err);
      }
    }
    return errors;
  }

  async delete(devEui: string): Promise<void> {
    const writer = this.liveWriter();
    if (writer) return writer.delete(devEui);
    await this.dataSource.getRepository(DeviceSessionEntity).delete({ devEui });
  }

  /**
   * One group commit: raw UPDATE statements of the changing columns in a single transaction
   * (the query builder halves the rate, docs/decisions.md). On better-sqlite3 the statement is
   * prepared once and the batch runs as one native transaction: TypeORM's per-statement work
   * (parameter escaping, a promise and a logger call per row) was a third of the group commit's
   * CPU at 2,000 uplinks/s (`npm run bench`). Elsewhere (PostgreSQL) parameters go through the
   * driver's own escaping. The downlink counters are `fCntDown`'s (fcnt-down-reservation.ts),
   * by default the sessions' own.
   */
  async updateCounters(
    sessions: readonly DeviceSession[],
    fCntDown: readonly FCntDownOnDisk[] = sessions.map((s) => [s.nFCntDown, s.aFCntDown]),
  ): Promise<void> {
    if (sessions.length === 0) return;
    const metadata = this.dataSource.getMetadata(DeviceSessionEntity);
    const lastSeenColumn = metadata.findColumnWithPropertyName('lastSeenAt')!;
    const driver = this.dataSource.driver;
    const lastSeen = (s: DeviceSession) =>
      driver.preparePersistentValue(
        s.lastSeenAt === undefined ? null : new Date(s.lastSeenAt),
        lastSeenColumn,
      );
    const writer = this.liveWriter();
    const sqlite = writer ? undefined : this.sqliteBatch();
    if (writer || sqlite) {
      const rows = sessions.map((s, i) => [
        s.fCntUp,
        fCntDown[i][0],
        fCntDown[i][1],
        JSON.stringify(s.mac),
        lastSeen(s),
        s.devEui,
      ]);
      if (writer) await writer.updateCounters(rows);
      else sqlite!(rows);
      return;
    }
    await this.dataSource.transaction(async (em) => {
      for (const [i, s] of sessions.entries()) {
        const [sql, params] = driver.escapeQueryWithParameters(UPDATE_COUNTERS, {
          fCntUp: s.fCntUp,
          nFCntDown: fCntDown[i][0],
          aFCntDown: fCntDown[i][1],
          macState: JSON.stringify(s.mac),
          lastSeenAt: lastSeen(s),
          devEui: s.devEui,
        });
        await em.query(sql, params);
      }
    });
  }

  /**
   * A PASSIVE WAL checkpoint between the session store's writes: on the writer thread's
   * connection when it runs, else on the main one (WalCheckpoint completes its worker's pass so).
   */
  async checkpointWal(): Promise<CheckpointResult> {
    const writer = this.liveWriter();
    if (writer) return writer.checkpoint();
    const rows = (await this.dataSource.query('PRAGMA wal_checkpoint(PASSIVE)')) as CheckpointResult[];
    return { log: rows[0].log, checkpointed: rows[0].checkpointed };
  }

  /** The UPSERT of a whole row, every column in metadata order (the order of `upsertValues`). */
  private upsertSql(): string {
    const columns = this.dataSource.getMetadata(DeviceSessionEntity).columns;
    const names = columns.map((c) => `"${c.databaseName}"`);
    const key = columns.find((c) => c.propertyName === 'devEui')!.databaseName;
    return (
      `INSERT INTO device_sessions (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ` +
      `ON CONFLICT("${key}") DO UPDATE SET ${names.map((n) => `${n} = excluded.${n}`).join(', ')}`
    );
  }

  /** A row's values for `upsertSql`, converted as TypeORM would. */
  private upsertValues(row: DeviceSessionEntity): unknown[] {
    const driver = this.dataSource.driver;
    return this.dataSource
      .getMetadata(DeviceSessionEntity)
      .columns.map((c) => driver.preparePersistentValue(c.getEntityValue(row), c));
  }

  /** better-sqlite3's own handle on the main connection; undefined on other drivers. */
  private sqliteHandle(): Database | undefined {
    return sqliteConnection(this.dataSource);
  }

  /** better-sqlite3: a prepared UPSERT of whole rows, values converted as TypeORM would; null on other drivers. */
  private sqliteUpsert(): ((rows: readonly DeviceSessionEntity[]) => Array<unknown | undefined>) | null {
    if (this.upsert !== undefined) return this.upsert;
    this.upsert = null;
    const db = this.sqliteHandle();
    if (db) {
      const statement = db.prepare(this.upsertSql());
      const one = db.transaction((values: unknown[]) => statement.run(...values));
      this.upsert = db.transaction((rows: readonly DeviceSessionEntity[]) =>
        rows.map((row) => {
          try {
            // Nested in the batch's transaction: a savepoint, rolled back alone if the row is refused.
            one(this.upsertValues(row));
            return undefined;
          } catch (err) {
            return err;
          }
        }),
      );
    }
    return this.upsert;
  }

  /** better-sqlite3's connection: the prepared UPDATE in a native transaction; null on other drivers. */
  private sqliteBatch(): ((rows: unknown[][]) => void) | null {
    if (this.batch !== undefined) return this.batch;
    this.batch = null;
    const db = this.sqliteHandle();
    if (db) {
      const update = db.prepare(UPDATE_COUNTERS_SQLITE);
      this.batch = db.transaction((rows: unknown[][]) => {
        for (const r of rows) update.run(...r);
      });
    }
    return this.batch;
  }
}
