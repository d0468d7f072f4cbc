import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { InMemorySessionStore } from './in-memory-session-store';
import { SessionRepository } from './session-repository';
import { WalCheckpoint } from './wal-checkpoint';

describe('WalCheckpoint', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const walDataSource = () => {
    const dir = mkdtempSync(join(tmpdir(), 'wal-'));
    dirs.push(dir);
    return new DataSource({
      type: 'better-sqlite3',
      database: join(dir, 'db.sqlite'),
      prepareDatabase: (db: { pragma(s: string): unknown }) => void db.pragma('journal_mode = WAL'),
    });
  };
  /** The store's checkpoint on the main connection (no writer thread), recorded. */
  const recordingStore = (queued: string[], ds: DataSource) =>
    ({
      checkpointWal: () => {
        queued.push('write');
        return new SessionRepository(ds).checkpointWal();
      },
    }) as unknown as InMemorySessionStore;

  it('turns the automatic checkpoint off and checkpoints a WAL file database from a worker thread', async () => {
    const ds = walDataSource();
    await ds.initialize();
    const queued: string[] = [];
    const wal = new WalCheckpoint(ds, recordingStore(queued, ds));
    await wal.onModuleInit();
    expect(wal.inWorker).toBe(true);
    expect(await ds.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 0 }]);
    await ds.query('CREATE TABLE t (x integer)');
    for (let i = 0; i < 50; i++) await ds.query('INSERT INTO t VALUES (?)', [i]);
    const result = await wal.checkpoint();
    expect(result!.log).toBeGreaterThan(0);
    expect(result!.checkpointed).toBe(result!.log);
    // The worker copied the frames; the main connection only completed it, through the write queue.
    expect(queued).toEqual(['write']);
    // Complete: the next write starts the WAL over instead of growing it.
    await ds.query('INSERT INTO t VALUES (?)', [50]);
    const after = (await ds.query('PRAGMA wal_checkpoint(PASSIVE)')) as Array<{ log: number }>;
    expect(after[0].log).toBeLessThan(result!.log);
    expect(await ds.query('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 51 }]);
    expect(await ds.query('PRAGMA journal_size_limit')).toEqual([{ journal_size_limit: 64 * 1024 * 1024 }]);
    await wal.onModuleDestroy();
    expect(wal.inWorker).toBe(false);
    await ds.destroy();
  });

  it('checkpoints on the main connection, through the write queue, when the worker is gone', async () => {
    const ds = walDataSource();
    await ds.initialize();
    const queued: string[] = [];
    const wal = new WalCheckpoint(ds, recordingStore(queued, ds));
    await wal.onModuleInit();
    await wal.onModuleDestroy();
    await ds.query('CREATE TABLE t (x integer)');
    const result = await wal.checkpoint();
    expect(queued).toEqual(['write']);
    expect(result!.checkpointed).toBe(result!.log);
    await ds.destroy();
  });

  it('leaves a database not in WAL mode alone', async () => {
    const ds = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await ds.initialize();
    const wal = new WalCheckpoint(ds, {} as InMemorySessionStore);
    await wal.onModuleInit();
    expect(wal.inWorker).toBe(false);
    expect(await ds.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 1000 }]);
    await wal.onModuleDestroy();
    await ds.destroy();
  });
});
