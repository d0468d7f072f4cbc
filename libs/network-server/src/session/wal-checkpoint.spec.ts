import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { InMemorySessionStore } from './in-memory-session-store';
import { WalCheckpoint } from './wal-checkpoint';

describe('WalCheckpoint', () => {
  it('turns the automatic checkpoint off on a WAL SQLite database and checkpoints through the write queue', async () => {
    const ds = new DataSource({
      type: 'better-sqlite3',
      database: join(mkdtempSync(join(tmpdir(), 'wal-')), 'db.sqlite'),
      prepareDatabase: (db: { pragma(s: string): unknown }) => void db.pragma('journal_mode = WAL'),
    });
    await ds.initialize();
    const queued: string[] = [];
    const store = {
      serialize: <T>(write: () => Promise<T>) => {
        queued.push('write');
        return write();
      },
    } as unknown as InMemorySessionStore;
    const wal = new WalCheckpoint(ds, store);
    await wal.onModuleInit();
    expect(await ds.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 0 }]);
    await ds.query('CREATE TABLE t (x integer)');
    for (let i = 0; i < 50; i++) await ds.query('INSERT INTO t VALUES (?)', [i]);
    await wal.checkpoint();
    expect(queued).toEqual(['write']);
    wal.onModuleDestroy();
    await ds.destroy();
  });

  it('leaves a database not in WAL mode alone', async () => {
    const ds = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await ds.initialize();
    const wal = new WalCheckpoint(ds, {} as InMemorySessionStore);
    await wal.onModuleInit();
    expect(await ds.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 1000 }]);
    wal.onModuleDestroy();
    await ds.destroy();
  });
});
