import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
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

/** All database I/O of the session store. Never called per packet except through the group commit. */
@Injectable()
export class SessionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every session with the ids of its device's application and profile (start-up only). */
  async loadAll(): Promise<StoredSessionRow[]> {
    const rows = await this.dataSource.getRepository(DeviceSessionEntity).find();
    if (rows.length === 0) return [];
    const devices = await this.dataSource
      .getRepository(DeviceEntity)
      .find({ select: { devEui: true, applicationId: true, deviceProfileId: true } });
    const owners = new Map(devices.map((d) => [d.devEui, d]));
    const out: StoredSessionRow[] = [];
    for (const row of rows) {
      const owner = owners.get(row.devEui);
      // The foreign key cascades deletes; a session without its device cannot exist, but is skipped if it does.
      if (owner)
        out.push({ row, applicationId: owner.applicationId, deviceProfileId: owner.deviceProfileId });
    }
    return out;
  }

  /** Inserts or replaces a device's session row. */
  async save(row: DeviceSessionEntity): Promise<void> {
    await this.dataSource.getRepository(DeviceSessionEntity).upsert(row, ['devEui']);
  }

  async delete(devEui: string): Promise<void> {
    await this.dataSource.getRepository(DeviceSessionEntity).delete({ devEui });
  }

  /**
   * One group commit: raw UPDATE statements of the changing columns in a single transaction
   * (the query builder halves the rate, docs/decisions.md). Parameters go through the driver's
   * own escaping, so the statement is the same on SQLite and PostgreSQL.
   */
  async updateCounters(sessions: readonly DeviceSession[]): Promise<void> {
    if (sessions.length === 0) return;
    const metadata = this.dataSource.getMetadata(DeviceSessionEntity);
    const lastSeenColumn = metadata.findColumnWithPropertyName('lastSeenAt')!;
    const driver = this.dataSource.driver;
    await this.dataSource.transaction(async (em) => {
      for (const s of sessions) {
        const [sql, params] = driver.escapeQueryWithParameters(UPDATE_COUNTERS, {
          fCntUp: s.fCntUp,
          nFCntDown: s.nFCntDown,
          aFCntDown: s.aFCntDown,
          macState: JSON.stringify(s.mac),
          lastSeenAt: driver.preparePersistentValue(
            s.lastSeenAt === undefined ? null : new Date(s.lastSeenAt),
            lastSeenColumn,
          ),
          devEui: s.devEui,
        });
        await em.query(sql, params);
      }
    });
  }
}
