import { DataSource } from 'typeorm';
import {
  ApplicationEntity,
  DeviceEntity,
  DeviceProfileEntity,
  KeyCipher,
  MIGRATIONS,
  REGISTRY_ENTITIES,
} from '@lns/storage';
import { contextFor, sessionFor } from '../uplink/ns-test-support';
import { DeviceSession } from './device-session';
import { reserveFCntDown } from './fcnt-down-reservation';
import { GROUP_COMMIT_DELAY_MS, GroupCommit } from './group-commit';
import {
  ACTIVATION_BATCH_DELAY_MS,
  InMemorySessionStore,
  SessionChange,
  WRITER_COMMIT_SPACING,
} from './in-memory-session-store';
import { toSessionRow } from './session-codec';
import { SessionRepository, StoredSessionRow } from './session-repository';

const cipher = new KeyCipher(Buffer.alloc(32, 1));

/** The repository's I/O, in memory, with a log of what was written. */
class FakeRepository {
  rows: StoredSessionRow[] = [];
  readonly log: string[] = [];
  async *loadInChunks() {
    // Two chunks, as the repository pages through a large table.
    yield this.rows.slice(0, 1);
    yield this.rows.slice(1);
  }
  /** DevEUIs whose next save is refused (e.g. the device was deleted meanwhile). */
  readonly refuse = new Set<string>();
  readonly batches: number[] = [];
  async saveMany(rows: Array<{ devEui: string; fCntUp: number }>) {
    this.batches.push(rows.length);
    return rows.map((row) => {
      if (this.refuse.delete(row.devEui)) return new Error(`FOREIGN KEY constraint failed`);
      this.log.push(`save ${row.devEui} ${row.fCntUp}`);
      return undefined;
    });
  }
  async delete(devEui: string) {
    this.log.push(`delete ${devEui}`);
  }
  async updateCounters(sessions: readonly DeviceSession[]) {
    this.log.push(`update ${sessions.map((s) => `${s.devEui}:${s.fCntUp}`).join(',')}`);
  }
  /** Writes stay on the main thread (no SQLite file here). */
  async startWriter() {
    return false;
  }
  async stopWriter() {
    this.log.push('writer stopped');
  }
}

function store(repo: FakeRepository): InMemorySessionStore {
  return new InMemorySessionStore(repo as unknown as SessionRepository, cipher);
}

const ctxA = contextFor({ devEui: '000000000000000a' });
const ctxB = contextFor({ devEui: '000000000000000b' });

describe('InMemorySessionStore', () => {
  it('loads every session at start, unsealing its keys, and indexes them by DevAddr and DevEUI', async () => {
    const repo = new FakeRepository();
    const a = sessionFor(ctxA, { fCntUp: 7 });
    const b = sessionFor(ctxB); // same DevAddr: reuse is legal
    const broken = toSessionRow(cipher, sessionFor(contextFor({ devEui: '000000000000000c' })));
    broken.keys = Buffer.from(broken.keys).fill(0, 20, 30);
    repo.rows = [
      { row: toSessionRow(cipher, a), applicationId: 'app-1', deviceProfileId: 'prof-1' },
      { row: toSessionRow(cipher, b), applicationId: 'app-1', deviceProfileId: 'prof-1' },
      { row: broken, applicationId: 'app-1', deviceProfileId: 'prof-1' },
    ];
    const s = store(repo);
    await s.onModuleInit();
    expect(s.size()).toBe(2);
    expect(s.byDevAddr(0x26011bda).map((x) => x.devEui)).toEqual([ctxA.device.devEui, ctxB.device.devEui]);
    expect(s.byDevEui(ctxA.device.devEui)).toMatchObject({ fCntUp: 7, fNwkSIntKey: a.fNwkSIntKey });
    expect(s.devAddrInUse(0x26011bda)).toBe(true);
    expect(s.devAddrInUse(1)).toBe(false);
  });

  it('activate() writes before indexing, replaces the previous session (and its DevAddr) and tells listeners', async () => {
    const repo = new FakeRepository();
    const s = store(repo);
    const changes: SessionChange['kind'][] = [];
    s.onChange((c) => changes.push(c.kind));
    await s.activate(sessionFor(ctxA, { devAddr: 1 }));
    await s.activate(sessionFor(ctxA, { devAddr: 2 }));
    expect(s.byDevAddr(1)).toHaveLength(0);
    expect(s.byDevAddr(2)).toHaveLength(1);
    await s.remove(ctxA.device.devEui);
    expect(s.size()).toBe(0);
    expect(changes).toEqual(['activated', 'activated', 'removed']);
    expect(repo.log).toEqual([
      `save ${ctxA.device.devEui} 0`,
      `save ${ctxA.device.devEui} 0`,
      `delete ${ctxA.device.devEui}`,
    ]);
  });

  it('commits marked sessions in a group; flushBeforePublish resolves after the commit', async () => {
    const repo = new FakeRepository();
    const s = store(repo);
    const a = sessionFor(ctxA);
    const b = sessionFor(ctxB);
    await s.activate(a);
    await s.activate(b);
    a.fCntUp = 1;
    b.fCntUp = 5;
    s.markDirty(a);
    s.markDirty(b);
    await s.flushBeforePublish();
    expect(repo.log.slice(2)).toEqual([`update ${a.devEui}:1,${b.devEui}:5`]);
    s.onModuleDestroy();
  });

  // What pipelining and spacing do is GroupCommit's own spec ('pipelined with spacing: …').
  it('with the writer thread, commits are pipelined and spaced by one write duration (WRITER_COMMIT_SPACING)', async () => {
    const repo = new FakeRepository();
    repo.startWriter = async () => true;
    const retime = jest.spyOn(GroupCommit.prototype, 'retime');
    try {
      const s = store(repo);
      await s.onModuleInit();
      expect(retime).toHaveBeenLastCalledWith({ pipelined: true, spacing: WRITER_COMMIT_SPACING });
      s.onModuleDestroy();
    } finally {
      retime.mockRestore();
    }
  });

  it('writes a reserved FCntDown one ahead and remembers what a successful commit wrote', async () => {
    const repo = new FakeRepository();
    const s = store(repo);
    const a = sessionFor(ctxA, { nFCntDown: 3, aFCntDown: 7 });
    await s.activate(a);
    const written: unknown[] = [];
    let fail = true;
    repo.updateCounters = async (_sessions: readonly DeviceSession[], fCntDown?: unknown) => {
      written.push(fCntDown);
      if (fail) throw new Error('disk full');
    };
    reserveFCntDown(a);
    s.markDirty(a);
    await expect(s.flushBeforePublish()).rejects.toThrow('disk full');
    expect(written).toEqual([[[4, 8]]]);
    expect(a.fCntDownOnDisk).toBeUndefined(); // a failed commit covers nothing
    fail = false;
    reserveFCntDown(a);
    s.markDirty(a);
    await s.flushBeforePublish();
    expect(written[1]).toEqual([[4, 8]]);
    expect(a.fCntDownOnDisk).toEqual([4, 8]);
    s.onModuleDestroy();
  });

  it('never writes a session that was replaced meanwhile over its successor', async () => {
    const repo = new FakeRepository();
    const s = store(repo);
    const old = sessionFor(ctxA, { fCntUp: 100 });
    await s.activate(old);
    s.markDirty(old);
    await s.activate(sessionFor(ctxA, { fCntUp: 0 }));
    s.markDirty(old); // a late mark from an uplink still in flight
    await s.flushAll();
    expect(repo.log.filter((l) => l.startsWith('update')).every((l) => !l.includes(':100'))).toBe(true);
  });

  it('activations asked for together share one write; a refused row fails its own activation only', async () => {
    const repo = new FakeRepository();
    const s = store(repo);
    repo.refuse.add(ctxB.device.devEui);
    const a = s.activate(sessionFor(ctxA));
    const b = s.activate(sessionFor(ctxB));
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toThrow('FOREIGN KEY');
    expect(repo.batches).toEqual([2]);
    expect(s.byDevEui(ctxA.device.devEui)).toBeDefined();
    expect(s.byDevEui(ctxB.device.devEui)).toBeUndefined();
  });

  it('a group commit skips the old session of a device whose activation is being written', async () => {
    jest.useFakeTimers();
    try {
      const repo = new FakeRepository();
      const s = store(repo);
      const old = sessionFor(ctxA, { fCntUp: 100 });
      const first = s.activate(old);
      await jest.advanceTimersByTimeAsync(ACTIVATION_BATCH_DELAY_MS);
      await first;
      old.fCntUp = 101;
      s.markDirty(old);
      await jest.advanceTimersByTimeAsync(GROUP_COMMIT_DELAY_MS - 1);
      // The re-activation's batch falls due after the group commit holding the old counters,
      // which is written while the activation is under way: without the old counters.
      const next = s.activate(sessionFor(ctxA, { fCntUp: 0 }));
      await jest.advanceTimersByTimeAsync(1);
      expect(repo.log).toEqual([`save ${old.devEui} 100`]);
      await jest.advanceTimersByTimeAsync(ACTIVATION_BATCH_DELAY_MS);
      await next;
      await s.flushAll();
      expect(repo.log).toEqual([`save ${old.devEui} 100`, `save ${old.devEui} 0`]);
      expect(s.byDevEui(old.devEui)!.fCntUp).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('flushes what is pending at shutdown', async () => {
    const repo = new FakeRepository();
    const s = store(repo);
    const a = sessionFor(ctxA);
    await s.activate(a);
    s.onModuleDestroy();
    a.fCntUp = 3;
    s.markDirty(a);
    await s.beforeApplicationShutdown();
    expect(repo.log.slice(-2)).toEqual([`update ${a.devEui}:3`, 'writer stopped']);
  });
});

describe('SessionRepository on SQLite', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: REGISTRY_ENTITIES,
      migrations: MIGRATIONS,
    });
    await ds.initialize();
    await ds.runMigrations();
    await ds.getRepository(DeviceProfileEntity).insert({ ...ctxA.profile });
    await ds.getRepository(ApplicationEntity).insert({ ...ctxA.application });
    await ds.getRepository(DeviceEntity).insert([{ ...ctxA.device }, { ...ctxB.device }]);
  });
  afterAll(() => ds.destroy());

  it('saves, group-updates the changing columns with raw statements, loads back, deletes', async () => {
    const repo = new SessionRepository(ds);
    const a = sessionFor(ctxA, { devAddr: 0xfedcba98 });
    const b = sessionFor(ctxB);
    await repo.save(toSessionRow(cipher, a));
    await repo.save(toSessionRow(cipher, b));
    a.fCntUp = 0xfffffffe;
    a.nFCntDown = 3;
    a.aFCntDown = 4;
    a.lastSeenAt = Date.UTC(2026, 10, 21, 10, 0, 0, 123);
    a.mac.dataRate = 2;
    await repo.updateCounters([a, b]);
    const loaded = await repo.loadAll();
    const row = loaded.find((r) => r.row.devEui === a.devEui)!;
    expect(row).toMatchObject({ applicationId: 'app-1', deviceProfileId: 'prof-1' });
    expect(row.row).toMatchObject({ devAddr: 0xfedcba98, fCntUp: 0xfffffffe, nFCntDown: 3, aFCntDown: 4 });
    expect(row.row.lastSeenAt?.getTime()).toBe(a.lastSeenAt);
    expect(JSON.parse(row.row.macState).dataRate).toBe(2);
    await repo.save(toSessionRow(cipher, { ...a, fCntUp: 0 }));
    expect((await repo.loadAll()).find((r) => r.row.devEui === a.devEui)!.row.fCntUp).toBe(0);
    await repo.delete(a.devEui);
    expect((await repo.loadAll()).map((r) => r.row.devEui)).toEqual([b.devEui]);
  });

  it("loads through one prepared statement entities equal to what TypeORM's find gives, page by page", async () => {
    const repo = new SessionRepository(ds);
    const a = sessionFor(ctxA, { devAddr: 0x01020304, lastSeenAt: Date.UTC(2026, 10, 22, 9, 0, 0, 7) });
    const b = sessionFor(ctxB);
    b.appSKeyEnvelope = { kekLabel: 'as-1', aesKey: '00'.repeat(24) };
    b.sessionKeyId = 'sk-1';
    await repo.save(toSessionRow(cipher, a));
    await repo.save(toSessionRow(cipher, b));
    type Page = (after: string | undefined, size: number) => Promise<unknown[]>;
    const internals = repo as unknown as { sqlitePage(): Page | null; typeormPage: Page };
    const raw = internals.sqlitePage()!;
    expect(raw).not.toBeNull();
    const viaTypeorm = await internals.typeormPage.call(repo, undefined, 10);
    expect(viaTypeorm).toHaveLength(2);
    expect(await raw(undefined, 10)).toStrictEqual(viaTypeorm);
    const [first] = viaTypeorm as Array<{ row: { devEui: string } }>;
    expect(await raw(first.row.devEui, 10)).toStrictEqual(
      await internals.typeormPage.call(repo, first.row.devEui, 10),
    );
    // In chunks: each page starts after the last DevEUI of the one before.
    const chunks: string[][] = [];
    for await (const chunk of repo.loadInChunks(1)) chunks.push(chunk.map((r) => r.row.devEui));
    expect(chunks).toEqual([[a.devEui], [b.devEui]].sort());
    await repo.delete(a.devEui);
    await repo.delete(b.devEui);
  });
});
