import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { LnsConfig } from '@lns/config';
import {
  ApplicationEntity,
  DeviceEntity,
  DeviceProfileEntity,
  KeyCipher,
  MIGRATIONS,
  REGISTRY_ENTITIES,
} from '@lns/storage';
import { contextFor, sessionFor } from '../uplink/ns-test-support';
import { InMemorySessionStore } from './in-memory-session-store';
import { toSessionRow } from './session-codec';
import { SessionRepository } from './session-repository';
import { SessionWriteError } from './session-writer';

// Worker threads start in ~100 ms each on 2 shared cores; the crash test waits out a restart.
jest.setTimeout(20_000);

const cipher = new KeyCipher(Buffer.alloc(32, 1));
const ctxA = contextFor({ devEui: '00000000000000a1' });
const ctxB = contextFor({ devEui: '00000000000000b2' });
/** A device with no row: its session is refused by the foreign key. */
const ctxGone = contextFor({ devEui: '00000000000000ff' });

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A database file set up as StorageModule does (WAL, synchronous=FULL, foreign keys), with two devices. */
async function fileDatabase(): Promise<DataSource> {
  const dir = mkdtempSync(join(tmpdir(), 'session-writer-'));
  dirs.push(dir);
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: join(dir, 'lns.sqlite'),
    entities: REGISTRY_ENTITIES,
    migrations: MIGRATIONS,
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
    },
  });
  await ds.initialize();
  await ds.runMigrations();
  await ds.getRepository(DeviceProfileEntity).insert({ ...ctxA.profile });
  await ds.getRepository(ApplicationEntity).insert({ ...ctxA.application });
  await ds.getRepository(DeviceEntity).insert([{ ...ctxA.device }, { ...ctxB.device }]);
  return ds;
}

/** The rows as the main connection reads them: what another process would find after a crash. */
async function stored(ds: DataSource): Promise<Record<string, { fCntUp: number; nFCntDown: number }>> {
  const rows = (await ds.query(
    'SELECT dev_eui, f_cnt_up, n_f_cnt_down FROM device_sessions ORDER BY dev_eui',
  )) as Array<{ dev_eui: string; f_cnt_up: number; n_f_cnt_down: number }>;
  return Object.fromEntries(rows.map((r) => [r.dev_eui, { fCntUp: r.f_cnt_up, nFCntDown: r.n_f_cnt_down }]));
}

/** The writer's thread, to kill it as a crash would. */
function writerThread(repo: SessionRepository): Worker {
  return (repo as unknown as { writer: { worker: Worker } }).writer.worker;
}

function writerUp(repo: SessionRepository): boolean {
  return (repo as unknown as { writer?: { available: boolean } }).writer?.available ?? false;
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `database.sessionWriter: worker` (the default is inline). */
const WORKER = { database: { url: '', sessionWriter: 'worker' } } as LnsConfig;

describe('SessionRepository with its writer thread', () => {
  it('writes activations, counters and deletes on the writer thread; a refused row fails alone', async () => {
    const ds = await fileDatabase();
    const repo = new SessionRepository(ds, WORKER);
    expect(await repo.startWriter()).toBe(true);
    try {
      const a = sessionFor(ctxA, { fCntUp: 10 });
      const b = sessionFor(ctxB);
      const rowA = toSessionRow(cipher, a);
      const errors = await repo.saveMany([
        rowA,
        toSessionRow(cipher, sessionFor(ctxGone)),
        toSessionRow(cipher, b),
      ]);
      expect(errors[0]).toBeUndefined();
      expect(errors[1]).toBeInstanceOf(SessionWriteError);
      expect(errors[1]).toMatchObject({
        message: 'FOREIGN KEY constraint failed',
        code: 'SQLITE_CONSTRAINT_FOREIGNKEY',
      });
      expect(errors[2]).toBeUndefined();

      a.fCntUp = 11;
      a.nFCntDown = 4;
      a.lastSeenAt = Date.UTC(2026, 10, 21, 10, 0, 0, 123);
      a.mac.dataRate = 3;
      await repo.updateCounters([a]);
      expect(await stored(ds)).toEqual({
        [a.devEui]: { fCntUp: 11, nFCntDown: 4 },
        [b.devEui]: { fCntUp: 0, nFCntDown: 0 },
      });
      // Every column as TypeORM reads it back: keys (a BLOB across the thread boundary), dates, MAC state.
      const loaded = (await repo.loadAll()).find((r) => r.row.devEui === a.devEui)!.row;
      expect(loaded.keys).toEqual(rowA.keys);
      expect(loaded.lastSeenAt?.getTime()).toBe(a.lastSeenAt);
      expect(JSON.parse(loaded.macState).dataRate).toBe(3);
      // The downlink counters the store hands in (one ahead when reserved) are the ones written.
      await repo.updateCounters([a], [[5, 9]]);
      expect((await repo.loadAll()).find((r) => r.row.devEui === a.devEui)!.row).toMatchObject({
        fCntUp: 11,
        nFCntDown: 5,
        aFCntDown: 9,
      });

      await repo.delete(b.devEui);
      expect(Object.keys(await stored(ds))).toEqual([a.devEui]);

      const checkpoint = await repo.checkpointWal();
      expect(checkpoint.log).toBeGreaterThan(0);
      expect(checkpoint.checkpointed).toBe(checkpoint.log);
    } finally {
      await repo.stopWriter();
    }
    // Stopped: writes are back on the main connection.
    await repo.delete(ctxA.device.devEui);
    expect(await stored(ds)).toEqual({});
    await ds.destroy();
  });

  it('stays on the main connection when configured inline, or for a database in memory', async () => {
    const ds = await fileDatabase();
    const inline = { database: { url: '', sessionWriter: 'inline' } } as LnsConfig;
    expect(await new SessionRepository(ds, inline).startWriter()).toBe(false);
    await ds.destroy();
    const memory = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await memory.initialize();
    expect(await new SessionRepository(memory).startWriter()).toBe(false);
    await memory.destroy();
  });
});

describe('InMemorySessionStore with the writer thread', () => {
  let ds: DataSource;
  let repo: SessionRepository;
  let store: InMemorySessionStore;

  beforeEach(async () => {
    ds = await fileDatabase();
    repo = new SessionRepository(ds, WORKER);
    store = new InMemorySessionStore(repo, cipher);
    await store.onModuleInit();
    expect(writerUp(repo)).toBe(true);
  });
  afterEach(async () => {
    store.onModuleDestroy();
    await store.beforeApplicationShutdown();
    expect(writerUp(repo)).toBe(false);
    await ds.destroy();
  });

  it('keeps the order of activations, group commits and removals across the thread boundary', async () => {
    const first = sessionFor(ctxA, { fCntUp: 100 });
    await store.activate(first);
    first.fCntUp = 101;
    store.markDirty(first);
    // Asked for in this order without waiting: the removal must not be overtaken by the counters,
    // nor the new session by the removal.
    const removed = store.remove(ctxA.device.devEui);
    const second = sessionFor(ctxA, { fCntUp: 5 });
    const activated = store.activate(second);
    const b = sessionFor(ctxB, { fCntUp: 1 });
    const activatedB = store.activate(b);
    await Promise.all([removed, activated, activatedB]);
    second.fCntUp = 6;
    store.markDirty(second);
    b.fCntUp = 2;
    store.markDirty(b);
    await store.flushBeforePublish();
    expect(await stored(ds)).toEqual({
      [ctxA.device.devEui]: { fCntUp: 6, nFCntDown: 0 },
      [ctxB.device.devEui]: { fCntUp: 2, nFCntDown: 0 },
    });
  });

  it('refuses the activation of a deleted device with its own error, others go through', async () => {
    const ok = store.activate(sessionFor(ctxA));
    const gone = store.activate(sessionFor(ctxGone));
    await expect(ok).resolves.toBeUndefined();
    await expect(gone).rejects.toThrow('FOREIGN KEY constraint failed');
    expect(store.byDevEui(ctxGone.device.devEui)).toBeUndefined();
  });

  it('a crashed writer rejects the commit it held; the group commit writes it again, the thread comes back', async () => {
    const a = sessionFor(ctxA);
    await store.activate(a);
    a.fCntUp = 42;
    store.markDirty(a);
    const published = store.flushBeforePublish();
    // A message the thread chokes on, queued ahead of the commit: it dies holding the commit.
    const dead = writerThread(repo);
    dead.postMessage(null);
    void store.flushAll();
    await expect(published).rejects.toThrow(/session writer thread died/);
    expect(store['commits'].pending).toBe(1);
    // Tried again a second later (on the main connection while the thread restarts), never lost.
    await until(() => store['commits'].pending === 0);
    await store.flushAll();
    expect(await stored(ds)).toEqual({ [a.devEui]: { fCntUp: 42, nFCntDown: 0 } });
    // And a new thread takes the next commits.
    await until(() => writerUp(repo));
    expect(writerThread(repo)).not.toBe(dead);
    a.fCntUp = 43;
    store.markDirty(a);
    await store.flushBeforePublish();
    expect(await stored(ds)).toEqual({ [a.devEui]: { fCntUp: 43, nFCntDown: 0 } });
  });
});
