import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { sqliteConnection } from '@lns/storage';
import { ProtocolVersion } from '../semtech-udp';
import { GatewayEntity } from './gateway.entity';
import { newGatewayState } from './gateway-registry';
import { GatewayState } from './gateway-state';

/** The write-behind's columns, in UPDATE_STATE's order (gateway_id last). */
const STATE_COLUMNS = [
  'lastSeenAt',
  'latitude',
  'longitude',
  'altitude',
  'protocolVersion',
  'counters',
] as const satisfies ReadonlyArray<keyof GatewayEntity>;

const UPDATE_STATE = `UPDATE gateways SET last_seen_at = ?, latitude = ?, longitude = ?, altitude = ?,
  protocol_version = ?, counters = ? WHERE gateway_id = ?`;

/** All database I/O of the bridge: gateway rows in and out. Never on the datagram path. */
@Injectable()
export class GatewayRepository {
  /** better-sqlite3: the write-behind as one prepared statement in one transaction; null elsewhere. */
  private batch: ((states: GatewayState[], wait: boolean) => boolean) | null | undefined;

  constructor(@InjectRepository(GatewayEntity) private readonly rows: Repository<GatewayEntity>) {}

  async loadAll(): Promise<GatewayState[]> {
    const rows = await this.rows.find();
    return rows.map(toState);
  }

  async insert(gw: GatewayState): Promise<void> {
    await this.rows.insert(toRow(gw));
  }

  /** True when a row was deleted. */
  async delete(gatewayId: string): Promise<boolean> {
    const result = await this.rows.delete({ gatewayId });
    return (result.affected ?? 0) > 0;
  }

  /**
   * The write-behind: the changing columns of several gateways in one transaction. With
   * `wait: false` (the periodic write-behind, on SQLite) it never holds up the event loop: when the
   * session writer has the database locked it gives up at once and resolves false (the caller
   * tries again later), and its commit is not fsynced (synchronous=NORMAL: the WAL is synced by the
   * next full commit or checkpoint; these are counters and last-seen times written behind anyway).
   */
  async saveStates(states: GatewayState[], wait = true): Promise<boolean> {
    if (states.length === 0) return true;
    const batch = this.sqliteBatch();
    if (batch) return batch(states, wait);
    await this.rows.manager.transaction(async (em) => {
      for (const gw of states) {
        const { gatewayId: _id, name: _n, region: _r, createdAt: _c, ...changing } = toRow(gw);
        await em.update(GatewayEntity, { gatewayId: gw.gatewayId }, changing);
      }
    });
    return true;
  }

  /**
   * TypeORM's update() built each statement anew: 99 gateways blocked the event loop for 9-28 ms
   * every 5 s at 5,000 uplinks/s (bench). Values are converted as TypeORM would.
   */
  private sqliteBatch(): ((states: GatewayState[], wait: boolean) => boolean) | null {
    if (this.batch !== undefined) return this.batch;
    this.batch = null;
    const db = sqliteConnection(this.rows.manager.connection);
    if (db) {
      const update = db.prepare(UPDATE_STATE);
      const driver = this.rows.manager.connection.driver;
      const columns = STATE_COLUMNS.map((p) => this.rows.metadata.findColumnWithPropertyName(p)!);
      const write = db.transaction((states: GatewayState[]) => {
        for (const gw of states) {
          const row = toRow(gw);
          const values = columns.map((c) =>
            driver.preparePersistentValue(row[c.propertyName as keyof GatewayEntity], c),
          );
          update.run(...values, gw.gatewayId);
        }
      });
      this.batch = (states, wait) => {
        if (wait) {
          write(states);
          return true;
        }
        // Synchronous code: no other statement of this connection runs before the pragmas are back.
        const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
        const synchronous = db.pragma('synchronous', { simple: true }) as number;
        db.pragma('busy_timeout = 0');
        db.pragma('synchronous = NORMAL');
        try {
          write(states);
          return true;
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_BUSY') return false;
          throw err;
        } finally {
          db.pragma(`busy_timeout = ${busyTimeout}`);
          db.pragma(`synchronous = ${synchronous}`);
        }
      };
    }
    return this.batch;
  }
}

function toRow(gw: GatewayState): GatewayEntity {
  const row = new GatewayEntity();
  row.gatewayId = gw.gatewayId;
  row.name = gw.name;
  row.region = gw.region;
  row.createdAt = gw.createdAt;
  row.lastSeenAt = gw.lastSeenAt === null ? null : new Date(gw.lastSeenAt);
  row.latitude = gw.location?.latitude ?? null;
  row.longitude = gw.location?.longitude ?? null;
  row.altitude = gw.location?.altitude ?? null;
  row.protocolVersion = gw.protocolVersion;
  row.counters = gw.counters;
  return row;
}

function toState(row: GatewayEntity): GatewayState {
  const gw = newGatewayState(row.gatewayId, row.name, row.region, row.createdAt, true);
  gw.lastSeenAt = row.lastSeenAt ? row.lastSeenAt.getTime() : null;
  if (row.latitude !== null && row.longitude !== null) {
    gw.location =
      row.altitude === null
        ? { latitude: row.latitude, longitude: row.longitude }
        : { latitude: row.latitude, longitude: row.longitude, altitude: row.altitude };
  }
  gw.protocolVersion =
    row.protocolVersion === 1 || row.protocolVersion === 2 ? (row.protocolVersion as ProtocolVersion) : null;
  // Counters added in later versions start at 0 for rows written before them.
  gw.counters = { ...gw.counters, ...row.counters, txErrors: { ...row.counters?.txErrors } };
  return gw;
}
