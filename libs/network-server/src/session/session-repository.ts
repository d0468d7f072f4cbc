import type { Database } from 'better-sqlite3';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, MoreThan } from 'typeorm';
import { DeviceEntity, DeviceSessionEntity } from '@lns/storage';
import { DeviceSession } from './device-session';

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

/**
 * Sessions read per query at start-up. Reading 100,000 rows at once held every entity and its
 * strings alive together and left the heap (and RSS) grown by the peak after they were dropped;
 * in chunks, each is decoded and dropped before the next is read (`npm run bench`, fleet).
 */
export const LOAD_CHUNK_ROWS = 5_000;

/** All database I/O of the session store. Never called per packet except through the group commit. */
@Injectable()
export class SessionRepository {
  private batch: ((rows: unknown[][]) => void) | null | undefined;
  private upsert: ((rows: readonly DeviceSessionEntity[]) => Array<unknown | undefined>) | null | undefined;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
    const sessions = this.dataSource.getRepository(DeviceSessionEntity);
    const devices = this.dataSource.getRepository(DeviceEntity);
    const interned = new Map<string, string>();
    const intern = (s: string) => {
      const known = interned.get(s);
      if (known !== undefined) return known;
      interned.set(s, s);
      return s;
    };
    let after: string | undefined;
    for (;;) {
      const rows = await sessions.find({
        where: after === undefined ? {} : { devEui: MoreThan(after) },
        order: { devEui: 'ASC' },
        take: size,
      });
      if (rows.length === 0) return;
      after = rows[rows.length - 1].devEui;
      const owners = await devices.find({
        select: { devEui: true, applicationId: true, deviceProfileId: true },
        where: { devEui: In(rows.map((r) => r.devEui)) },
      });
      const byEui = new Map(owners.map((d) => [d.devEui, d]));
      const out: StoredSessionRow[] = [];
      for (const row of rows) {
        const owner = byEui.get(row.devEui);
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
    await this.dataSource.getRepository(DeviceSessionEntity).delete({ devEui });
  }

  /**
   * One group commit: raw UPDATE statements of the changing columns in a single transaction
   * (the query builder halves the rate, docs/decisions.md). On better-sqlite3 the statement is
   * prepared once and the batch runs as one native transaction: TypeORM's per-statement work
   * (parameter escaping, a promise and a logger call per row) was a third of the group commit's
   * CPU at 2,000 uplinks/s (`npm run bench`). Elsewhere (PostgreSQL) parameters go through the
   * driver's own escaping.
   */
  async updateCounters(sessions: readonly DeviceSession[]): Promise<void> {
    if (sessions.length === 0) return;
    const metadata = this.dataSource.getMetadata(DeviceSessionEntity);
    const lastSeenColumn = metadata.findColumnWithPropertyName('lastSeenAt')!;
    const driver = this.dataSource.driver;
    const lastSeen = (s: DeviceSession) =>
      driver.preparePersistentValue(
        s.lastSeenAt === undefined ? null : new Date(s.lastSeenAt),
        lastSeenColumn,
      );
    const sqlite = this.sqliteBatch();
    if (sqlite) {
      sqlite(
        sessions.map((s) => [
          s.fCntUp,
          s.nFCntDown,
          s.aFCntDown,
          JSON.stringify(s.mac),
          lastSeen(s),
          s.devEui,
        ]),
      );
      return;
    }
    await this.dataSource.transaction(async (em) => {
      for (const s of sessions) {
        const [sql, params] = driver.escapeQueryWithParameters(UPDATE_COUNTERS, {
          fCntUp: s.fCntUp,
          nFCntDown: s.nFCntDown,
          aFCntDown: s.aFCntDown,
          macState: JSON.stringify(s.mac),
          lastSeenAt: lastSeen(s),
          devEui: s.devEui,
        });
        await em.query(sql, params);
      }
    });
  }

  /** better-sqlite3: a prepared UPSERT of whole rows, values converted as TypeORM would; null on other drivers. */
  private sqliteUpsert(): ((rows: readonly DeviceSessionEntity[]) => Array<unknown | undefined>) | null {
    if (this.upsert !== undefined) return this.upsert;
    this.upsert = null;
    if (this.dataSource.options.type === 'better-sqlite3') {
      const db = (this.dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
      const driver = this.dataSource.driver;
      const columns = this.dataSource.getMetadata(DeviceSessionEntity).columns;
      const names = columns.map((c) => `"${c.databaseName}"`);
      const key = columns.find((c) => c.propertyName === 'devEui')!.databaseName;
      const statement = db.prepare(
        `INSERT INTO device_sessions (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ` +
          `ON CONFLICT("${key}") DO UPDATE SET ${names.map((n) => `${n} = excluded.${n}`).join(', ')}`,
      );
      const one = db.transaction((values: unknown[]) => statement.run(...values));
      this.upsert = db.transaction((rows: readonly DeviceSessionEntity[]) =>
        rows.map((row) => {
          try {
            // Nested in the batch's transaction: a savepoint, rolled back alone if the row is refused.
            one(columns.map((c) => driver.preparePersistentValue(c.getEntityValue(row), c)));
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
    if (this.dataSource.options.type === 'better-sqlite3') {
      const db = (this.dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
      const update = db.prepare(UPDATE_COUNTERS_SQLITE);
      this.batch = db.transaction((rows: unknown[][]) => {
        for (const r of rows) update.run(...r);
      });
    }
    return this.batch;
  }
}
