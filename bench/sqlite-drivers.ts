/**
 * SQLite drivers under TypeORM, on a LoRaWAN network server's workloads:
 * `sqlite3` (type 'sqlite', async on libuv's thread pool) against `better-sqlite3`
 * (type 'better-sqlite3', synchronous on the main thread).
 *
 *   npx ts-node --transpile-only bench/sqlite-drivers.ts [--runs=3] [--synchronous=NORMAL|FULL]
 *                                                      [--drivers=sqlite,better-sqlite3]
 *
 * Standalone, not run in CI. Needs typeorm, reflect-metadata and both drivers installed; a driver
 * that cannot be loaded (TypeORM 1.x has no 'sqlite' type at all) is reported and left out.
 * File databases in a fresh temporary folder, WAL journal, `synchronous=NORMAL` unless told.
 * Every workload runs --runs times on a fresh database, the drivers' order alternating between
 * runs; the table shows the median and the range.
 *
 * 1. Session write-through: 10,000 sessions, then updates of fCntUp/lastSeenAt on random devices,
 *    (a) one repository.update per uplink, each awaited; (b) group commit: batches of 100 and 500
 *    raw `UPDATE ... WHERE devEui = ?` in one manager.transaction (and 100 via the query builder).
 * 2. Start-up load: insert 100,000 sessions, reopen the database, read them all back with
 *    repository.find and with a raw SELECT.
 * 3. Downlink queue: enqueue (insert), head of queue (findOne), ack (delete) for one device at a
 *    time, each statement awaited on its own.
 * 4. Event-loop lag while 1(b) runs: setInterval drift, p99 and max. Batches are separated by
 *    setImmediate, as a server's timer-driven flushes would be.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  Column,
  DataSource,
  DataSourceOptions,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';

@Entity('device_session')
class DeviceSession {
  @PrimaryColumn({ type: 'text' })
  devEui!: string;

  @Column({ type: 'integer' })
  devAddr!: number;

  @Column({ type: 'integer' })
  fCntUp!: number;

  @Column({ type: 'integer' })
  nFCntDown!: number;

  @Column({ type: 'integer' })
  aFCntDown!: number;

  @Column({ type: 'integer' })
  lastSeenAt!: number;

  /** Session keys sealed at rest (nonce + ciphertext + tag), about 200 bytes. */
  @Column({ type: 'blob' })
  keys!: Buffer;
}

@Entity('downlink_queue_item')
@Index(['devEui', 'fCnt'])
class DownlinkQueueItem {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'text' })
  devEui!: string;

  @Column({ type: 'integer' })
  fCnt!: number;

  @Column({ type: 'integer' })
  fPort!: number;

  @Column({ type: 'boolean' })
  confirmed!: boolean;

  @Column({ type: 'blob' })
  payload!: Buffer;

  @Column({ type: 'integer' })
  createdAt!: number;
}

type DriverType = 'sqlite' | 'better-sqlite3';
const LABEL: Record<DriverType, string> = { sqlite: 'sqlite3', 'better-sqlite3': 'better-sqlite3' };
const PACKAGE: Record<DriverType, string> = { sqlite: 'sqlite3', 'better-sqlite3': 'better-sqlite3' };

const SESSIONS = 10_000;
const SINGLE_UPDATES = 5_000;
const BATCHED_UPDATES = 20_000;
const STARTUP_SESSIONS = 100_000;
const QUEUE_SEED = 1_000;
const QUEUE_CYCLES = 2_000;
const LAG_UPDATES = 20_000;
const LAG_INTERVAL_MS = 2;
const INSERT_CHUNK = 500;
const UPDATE_SQL = 'UPDATE device_session SET fCntUp = ?, lastSeenAt = ? WHERE devEui = ?';

type Metric = { key: string; label: string; unit: 'ops/s' | 'ms' };
const METRICS: Metric[] = [
  { key: 'w1a', label: '1a update per uplink (repository.update)', unit: 'ops/s' },
  { key: 'w1b100', label: '1b group commit, batch 100 (raw)', unit: 'ops/s' },
  { key: 'w1b500', label: '1b group commit, batch 500 (raw)', unit: 'ops/s' },
  { key: 'w1b100qb', label: '1b group commit, batch 100 (query builder)', unit: 'ops/s' },
  { key: 'w2insert', label: '2 insert 100k sessions (one transaction)', unit: 'ms' },
  { key: 'w2find', label: '2 load 100k, repository.find', unit: 'ms' },
  { key: 'w2raw', label: '2 load 100k, raw SELECT *', unit: 'ms' },
  { key: 'w3insert', label: '3 queue insert', unit: 'ops/s' },
  { key: 'w3select', label: '3 queue select head (findOne)', unit: 'ops/s' },
  { key: 'w3delete', label: '3 queue delete', unit: 'ops/s' },
  { key: 'w3all', label: '3 queue insert+select+delete, all ops', unit: 'ops/s' },
  { key: 'w4idle', label: '4 loop lag p99, idle (baseline)', unit: 'ms' },
  { key: 'w4p99b100', label: '4 loop lag p99 during 1b batch 100', unit: 'ms' },
  { key: 'w4maxb100', label: '4 loop lag max during 1b batch 100', unit: 'ms' },
  { key: 'w4p99b500', label: '4 loop lag p99 during 1b batch 500', unit: 'ms' },
  { key: 'w4maxb500', label: '4 loop lag max during 1b batch 500', unit: 'ms' },
];
type Sample = Record<string, number>;

function arg(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

/** Deterministic pseudo-random device picks, the same sequence for both drivers. */
function lcg(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

const eui = (i: number): string => (0x70b3d50000000000n + BigInt(i)).toString(16).padStart(16, '0');
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const perSecond = (ops: number, ms: number): number => (ops * 1000) / ms;

function packageVersion(name: string): string {
  try {
    let dir = dirname(require.resolve(name));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    while (dirname(dir) !== dir) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === name) return pkg.version ?? '?';
      dir = dirname(dir);
    }
  } catch {
    // not installed
  }
  return 'not installed';
}

let workDir = '';
let fileCounter = 0;
function freshFile(driver: DriverType, what: string): string {
  return join(workDir, `${LABEL[driver]}-${what}-${++fileCounter}.sqlite`);
}

async function open(driver: DriverType, database: string, synchronous: string): Promise<DataSource> {
  const options = {
    type: driver,
    database,
    entities: [DeviceSession, DownlinkQueueItem],
    synchronize: true,
    logging: false,
  };
  const ds = new DataSource(options as unknown as DataSourceOptions);
  await ds.initialize();
  await ds.query('PRAGMA journal_mode = WAL');
  await ds.query(`PRAGMA synchronous = ${synchronous}`);
  const [{ journal_mode }] = (await ds.query('PRAGMA journal_mode')) as { journal_mode: string }[];
  const [{ synchronous: sync }] = (await ds.query('PRAGMA synchronous')) as { synchronous: number }[];
  const expected = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 }[synchronous];
  if (journal_mode !== 'wal' || sync !== expected) {
    throw new Error(`${driver}: journal_mode=${journal_mode} synchronous=${sync}, wanted wal/${synchronous}`);
  }
  return ds;
}

async function seedSessions(ds: DataSource, count: number): Promise<string[]> {
  const euis: string[] = [];
  await ds.manager.transaction(async (manager) => {
    for (let start = 0; start < count; start += INSERT_CHUNK) {
      const rows: Partial<DeviceSession>[] = [];
      for (let i = start; i < Math.min(count, start + INSERT_CHUNK); i++) {
        euis.push(eui(i));
        rows.push({
          devEui: eui(i),
          devAddr: 0x26000000 + i,
          fCntUp: 0,
          nFCntDown: 0,
          aFCntDown: 0,
          lastSeenAt: Date.now(),
          keys: randomBytes(200),
        });
      }
      await manager.insert(DeviceSession, rows);
    }
  });
  return euis;
}

async function batchedUpdates(
  ds: DataSource,
  euis: string[],
  total: number,
  batch: number,
  mode: 'raw' | 'qb',
): Promise<number> {
  const pick = lcg(batch + total);
  const t0 = performance.now();
  for (let done = 0; done < total; done += batch) {
    await ds.manager.transaction(async (manager) => {
      for (let j = 0; j < batch; j++) {
        const devEui = euis[pick(euis.length)];
        if (mode === 'raw') {
          await manager.query(UPDATE_SQL, [done + j, Date.now(), devEui]);
        } else {
          await manager
            .createQueryBuilder()
            .update(DeviceSession)
            .set({ fCntUp: done + j, lastSeenAt: Date.now() })
            .where('devEui = :devEui', { devEui })
            .execute();
        }
      }
    });
    await yieldToLoop();
  }
  return perSecond(total, performance.now() - t0);
}

/** setInterval drift: each tick's delay beyond the interval. */
function lagMonitor(): { stop: () => { p99: number; max: number; n: number } } {
  const lags: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - last - LAG_INTERVAL_MS));
    last = now;
  }, LAG_INTERVAL_MS);
  return {
    stop: () => {
      clearInterval(timer);
      lags.sort((a, b) => a - b);
      const p99 = lags.length ? lags[Math.min(lags.length - 1, Math.ceil(lags.length * 0.99) - 1)] : NaN;
      return { p99, max: lags.length ? lags[lags.length - 1] : NaN, n: lags.length };
    },
  };
}

async function sessionWorkloads(driver: DriverType, synchronous: string, out: Sample): Promise<void> {
  const ds = await open(driver, freshFile(driver, 'sessions'), synchronous);
  try {
    const euis = await seedSessions(ds, SESSIONS);
    const repo = ds.getRepository(DeviceSession);

    const pick = lcg(1);
    let t0 = performance.now();
    for (let i = 0; i < SINGLE_UPDATES; i++) {
      await repo.update({ devEui: euis[pick(euis.length)] }, { fCntUp: i, lastSeenAt: Date.now() });
    }
    out.w1a = perSecond(SINGLE_UPDATES, performance.now() - t0);
    await yieldToLoop();

    out.w1b100 = await batchedUpdates(ds, euis, BATCHED_UPDATES, 100, 'raw');
    out.w1b500 = await batchedUpdates(ds, euis, BATCHED_UPDATES, 500, 'raw');
    out.w1b100qb = await batchedUpdates(ds, euis, BATCHED_UPDATES, 100, 'qb');

    // 4: the same group commit with a timer running beside it.
    let monitor = lagMonitor();
    t0 = performance.now();
    while (performance.now() - t0 < 1000) await new Promise((resolve) => setTimeout(resolve, 50));
    out.w4idle = monitor.stop().p99;
    for (const batch of [100, 500]) {
      monitor = lagMonitor();
      await batchedUpdates(ds, euis, LAG_UPDATES, batch, 'raw');
      const lag = monitor.stop();
      out[`w4p99b${batch}`] = lag.p99;
      out[`w4maxb${batch}`] = lag.max;
    }

    const check = (await ds.query('SELECT COUNT(*) AS n FROM device_session')) as { n: number }[];
    if (Number(check[0].n) !== SESSIONS) throw new Error(`${driver}: ${check[0].n} sessions`);
  } finally {
    await ds.destroy();
  }
}

async function startupWorkload(driver: DriverType, synchronous: string, out: Sample): Promise<void> {
  const file = freshFile(driver, 'startup');
  let ds = await open(driver, file, synchronous);
  try {
    let t0 = performance.now();
    await seedSessions(ds, STARTUP_SESSIONS);
    out.w2insert = performance.now() - t0;
    await ds.destroy();

    // A restart: a new connection, so SQLite's page cache is cold (the OS's is not).
    ds = await open(driver, file, synchronous);
    t0 = performance.now();
    const entities = await ds.getRepository(DeviceSession).find();
    out.w2find = performance.now() - t0;
    if (entities.length !== STARTUP_SESSIONS || !Buffer.isBuffer(entities[0].keys)) {
      throw new Error(`${driver}: find returned ${entities.length} sessions`);
    }
    t0 = performance.now();
    const rows = (await ds.query('SELECT * FROM device_session')) as unknown[];
    out.w2raw = performance.now() - t0;
    if (rows.length !== STARTUP_SESSIONS) throw new Error(`${driver}: raw SELECT returned ${rows.length}`);
  } finally {
    await ds.destroy();
  }
}

async function queueWorkload(driver: DriverType, synchronous: string, out: Sample): Promise<void> {
  const ds = await open(driver, freshFile(driver, 'queue'), synchronous);
  try {
    const repo = ds.getRepository(DownlinkQueueItem);
    const item = (devEui: string, fCnt: number): Partial<DownlinkQueueItem> => ({
      devEui,
      fCnt,
      fPort: 10,
      confirmed: false,
      payload: randomBytes(12),
      createdAt: Date.now(),
    });
    const seed: Partial<DownlinkQueueItem>[] = [];
    for (let i = 0; i < QUEUE_SEED; i++) seed.push(item(eui(i), 0));
    await repo.insert(seed);

    const pick = lcg(7);
    let insertMs = 0;
    let selectMs = 0;
    let deleteMs = 0;
    for (let i = 0; i < QUEUE_CYCLES; i++) {
      const devEui = eui(pick(SESSIONS));
      let t0 = performance.now();
      await repo.insert(item(devEui, i + 1));
      insertMs += performance.now() - t0;

      t0 = performance.now();
      const head = await repo.findOne({ where: { devEui }, order: { fCnt: 'ASC' } });
      selectMs += performance.now() - t0;
      if (!head) throw new Error(`${driver}: queue empty for ${devEui}`);

      t0 = performance.now();
      await repo.delete(head.id);
      deleteMs += performance.now() - t0;
    }
    out.w3insert = perSecond(QUEUE_CYCLES, insertMs);
    out.w3select = perSecond(QUEUE_CYCLES, selectMs);
    out.w3delete = perSecond(QUEUE_CYCLES, deleteMs);
    out.w3all = perSecond(3 * QUEUE_CYCLES, insertMs + selectMs + deleteMs);
  } finally {
    await ds.destroy();
  }
}

/** Whether TypeORM knows the type and the driver package loads; the reason if not. */
async function probe(driver: DriverType): Promise<{ ok: true; sqlite: string } | { ok: false; why: string }> {
  try {
    const ds = await open(driver, freshFile(driver, 'probe'), 'NORMAL');
    const [{ v }] = (await ds.query('SELECT sqlite_version() AS v')) as { v: string }[];
    await ds.destroy();
    return { ok: true, sqlite: v };
  } catch (e) {
    return { ok: false, why: (e as Error).message.split('\n')[0] };
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function fmt(value: number, unit: Metric['unit']): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'ops/s') return Math.round(value).toLocaleString('en-US');
  return value < 10 ? value.toFixed(2) : value.toFixed(0);
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '3'));
  const synchronous = arg('synchronous', 'NORMAL').toUpperCase();
  const wanted = arg('drivers', 'sqlite,better-sqlite3').split(',') as DriverType[];
  workDir = mkdtempSync(join(tmpdir(), 'sqlite-drivers-'));

  try {
    const drivers: DriverType[] = [];
    const notes: string[] = [];
    for (const driver of wanted) {
      const p = await probe(driver);
      if (p.ok) {
        drivers.push(driver);
        notes.push(`${LABEL[driver]} ${packageVersion(PACKAGE[driver])} (SQLite ${p.sqlite})`);
      } else {
        notes.push(`${LABEL[driver]}: left out (${p.why})`);
      }
    }
    console.log(
      `node ${process.version}, ${cpus().length} cores, typeorm ${packageVersion('typeorm')}, ` +
        `WAL, synchronous=${synchronous}, ${runs} runs`,
    );
    for (const note of notes) console.log(`  ${note}`);
    if (drivers.length === 0) throw new Error('no driver could be loaded');

    const samples: Record<string, Sample[]> = {};
    for (const driver of drivers) samples[driver] = [];
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? drivers : [...drivers].reverse();
      for (const driver of order) {
        const out: Sample = {};
        const t0 = performance.now();
        await sessionWorkloads(driver, synchronous, out);
        await startupWorkload(driver, synchronous, out);
        await queueWorkload(driver, synchronous, out);
        samples[driver].push(out);
        console.log(
          `  run ${run + 1}/${runs} ${LABEL[driver]}: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
      }
    }

    const header = ['workload', 'unit', ...drivers.map((d) => `${LABEL[d]} median (min–max)`)];
    const rows = METRICS.map((m) => [
      m.label,
      m.unit,
      ...drivers.map((d) => {
        const values = samples[d].map((s) => s[m.key]);
        const lo = Math.min(...values);
        const hi = Math.max(...values);
        return `${fmt(median(values), m.unit)} (${fmt(lo, m.unit)}–${fmt(hi, m.unit)})`;
      }),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]): string =>
      `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
    console.log();
    console.log(line(header));
    console.log(`|${widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
    for (const row of rows) console.log(line(row));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
