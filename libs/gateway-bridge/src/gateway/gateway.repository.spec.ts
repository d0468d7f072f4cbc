import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { MIGRATIONS, sqliteConnection } from '@lns/storage';
import { GatewayEntity } from './gateway.entity';
import { newGatewayState } from './gateway-registry';
import { GatewayState } from './gateway-state';
import { GatewayRepository } from './gateway.repository';

describe('GatewayRepository on SQLite', () => {
  let dir: string;
  let ds: DataSource;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lns-gw-repo-'));
    ds = new DataSource({
      type: 'better-sqlite3',
      database: join(dir, 'lns.sqlite'),
      entities: [GatewayEntity],
      migrations: MIGRATIONS,
      migrationsRun: true,
    });
    await ds.initialize();
  });

  afterEach(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  function changed(id: string, i: number): GatewayState {
    const gw = newGatewayState(id, `gw ${i}`, 'EU868', new Date(Date.UTC(2026, 10, 1, 12, 0, i)), true);
    gw.lastSeenAt = Date.UTC(2026, 10, 22, 2, 0, i, 123);
    gw.location = { latitude: 50.5 + i, longitude: 4.25, altitude: i === 0 ? 0 : 12.5 };
    gw.protocolVersion = 2;
    gw.counters.pushData = 100 + i;
    gw.counters.txErrors = { TOO_LATE: i };
    return gw;
  }

  /** Writes the same changes through the prepared statement or TypeORM's update(); returns what loads back. */
  async function roundTrip(prepared: boolean): Promise<GatewayState[]> {
    const repo = new GatewayRepository(ds.getRepository(GatewayEntity));
    if (!prepared) (repo as unknown as { batch: null }).batch = null;
    const ids = ['0016c001ff10a235', '0016c001ff10a236'];
    for (const [i, id] of ids.entries())
      await repo.insert(
        newGatewayState(id, `gw ${i}`, 'EU868', new Date(Date.UTC(2026, 10, 1, 12, 0, i)), true),
      );
    await repo.saveStates(ids.map((id, i) => changed(id, i)));
    return (await repo.loadAll()).sort((a, b) => a.gatewayId.localeCompare(b.gatewayId));
  }

  it('writes the state behind in one prepared transaction, read back exactly as TypeORM wrote it', async () => {
    const fast = await roundTrip(true);
    expect(
      fast.map((g) => [
        g.lastSeenAt,
        g.location,
        g.protocolVersion,
        g.counters.pushData,
        g.counters.txErrors,
      ]),
    ).toEqual([
      [
        Date.UTC(2026, 10, 22, 2, 0, 0, 123),
        { latitude: 50.5, longitude: 4.25, altitude: 0 },
        2,
        100,
        { TOO_LATE: 0 },
      ],
      [
        Date.UTC(2026, 10, 22, 2, 0, 1, 123),
        { latitude: 51.5, longitude: 4.25, altitude: 12.5 },
        2,
        101,
        { TOO_LATE: 1 },
      ],
    ]);
    const rowsFast = await ds.query('SELECT * FROM gateways ORDER BY gateway_id');
    await ds.query('DELETE FROM gateways');
    const slow = await roundTrip(false);
    expect(slow).toEqual(fast);
    // Byte for byte the same columns as TypeORM's own update().
    expect(await ds.query('SELECT * FROM gateways ORDER BY gateway_id')).toEqual(rowsFast);
  });

  it('keeps a gateway without state (never seen, no location) null', async () => {
    const repo = new GatewayRepository(ds.getRepository(GatewayEntity));
    const gw = newGatewayState('0016c001ff10a237', 'quiet', null, new Date(0), true);
    await repo.insert(gw);
    await repo.saveStates([gw]);
    const [back] = await repo.loadAll();
    expect(back.lastSeenAt).toBeNull();
    expect(back.location ?? null).toBeNull();
    expect(back.protocolVersion).toBeNull();
  });

  it('gives up at once, and resolves false, when another connection holds the write lock (the periodic write-behind)', async () => {
    const repo = new GatewayRepository(ds.getRepository(GatewayEntity));
    const gw = changed('0016c001ff10a238', 3);
    await repo.insert(newGatewayState(gw.gatewayId, 'gw', 'EU868', new Date(0), true));
    const db = sqliteConnection(ds)!;
    const before = [db.pragma('busy_timeout', { simple: true }), db.pragma('synchronous', { simple: true })];
    // The session writer's connection, in the middle of a commit.
    const other = new Database(join(dir, 'lns.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const t0 = performance.now();
      expect(await repo.saveStates([gw], false)).toBe(false);
      expect(performance.now() - t0).toBeLessThan(1_000); // not busy_timeout's 5 s
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect([db.pragma('busy_timeout', { simple: true }), db.pragma('synchronous', { simple: true })]).toEqual(
      before,
    );
    expect((await repo.loadAll())[0].lastSeenAt).toBeNull();
    expect(await repo.saveStates([gw], false)).toBe(true);
    expect((await repo.loadAll())[0].lastSeenAt).toBe(gw.lastSeenAt);
  });
});
