import { BeforeApplicationShutdown, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DeviceSessionEntity, KeyCipher } from '@lns/storage';
import { DeviceSession } from './device-session';
import { DelayHistogram } from '../delay-histogram';
import { fCntDownCommitted, fCntDownToCommit } from './fcnt-down-reservation';
import { GroupCommit } from './group-commit';
import { fromSessionRow, SessionDecodeError, toSessionRow } from './session-codec';
import { SessionRepository } from './session-repository';
import { SessionStore } from './session-store';
import { CheckpointResult } from './wal-settings';
import { WriteBatcher } from './write-batcher';
import { WriteQueue } from './write-queue';

export type SessionChange =
  { kind: 'activated'; session: DeviceSession } | { kind: 'removed'; devEui: string };

const EMPTY: readonly DeviceSession[] = Object.freeze([]);

/**
 * Activations gathered this long share one transaction. A join-accept leaves seconds before its
 * RX1 window (JOIN_ACCEPT_DELAY1 = 5 s), so the wait costs nothing; one commit per activation
 * (an fsync each, on the main thread) bounded the join storm (`npm run bench`).
 */
export const ACTIVATION_BATCH_DELAY_MS = 2;
/**
 * With the writer thread, a due generation goes one write's duration after the last write ended
 * (GroupCommit `spacing`), not four: the spacing protects the event loop from fsyncs it runs
 * itself, and off the loop it mostly made each uplink wait. At 5,000 uplinks/s with full ADR
 * histories (`npm run bench`, alternated runs), p99 latency at 4,000/5,000/6,000 uplinks/s:
 * spacing 4: 293-355 / 479-645 / 875-1,740 ms; 1: 265 / 391 / 1,007 ms; 0 (back to back):
 * 419 / 873 / 2,090 ms, its more and smaller commits costing 10-15 % more server CPU.
 */
export const WRITER_COMMIT_SPACING = 1;
export const ACTIVATION_BATCH_MAX = 256;

/**
 * SessionStore of one process: every session in memory, indexed by DevAddr and DevEUI, loaded
 * once at start (keys unsealed with the KeyCipher context `session:<devEui>`), so the uplink
 * path never reads the database. Counter and MAC-state changes go to the database in group
 * commits (GroupCommit); activations (batched, WriteBatcher) and removals are awaited writes
 * through the same queue, and a group commit skips a device whose activation is under way, so a
 * late group commit can never overwrite a newer session with an older one's counters.
 *
 * On a SQLite file the writes run on a worker thread (SessionRepository.startWriter), one at a
 * time as on the main thread, and each resolves only once committed there; group commits are then
 * pipelined (a due generation gathers while the previous one is written).
 */
@Injectable()
export class InMemorySessionStore
  extends SessionStore
  implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown
{
  private readonly logger = new Logger('SessionStore');
  private readonly byEui = new Map<string, DeviceSession>();
  /** DevAddr → its session, or an array when several share it (rare: an array each would cost ~60 B a session). */
  private readonly byAddr = new Map<number, DeviceSession | DeviceSession[]>();
  private readonly queue = new WriteQueue();
  private readonly commits: GroupCommit<DeviceSession>;
  private readonly activations: WriteBatcher<DeviceSessionEntity>;
  /** Devices with an activation written or being written and not yet in the index: DevEUI → how many. */
  private readonly activating = new Map<string, number>();
  private readonly listeners: Array<(change: SessionChange) => void> = [];

  constructor(
    private readonly repository: SessionRepository,
    private readonly cipher: KeyCipher,
  ) {
    super();
    this.commits = new GroupCommit(this.queue, (batch) => this.writeBatch(batch), {
      onError: (err) => this.logger.error(`group commit failed, retrying: ${describe(err)}`),
    });
    this.activations = new WriteBatcher(this.queue, (rows) => this.repository.saveMany(rows), {
      delayMs: ACTIVATION_BATCH_DELAY_MS,
      maxItems: ACTIVATION_BATCH_MAX,
    });
  }

  async onModuleInit(): Promise<void> {
    let failed = 0;
    // Chunk by chunk: a chunk's rows are garbage before the next is read (memory at start-up).
    for await (const rows of this.repository.loadInChunks()) {
      for (const { row, applicationId, deviceProfileId } of rows) {
        try {
          this.index(fromSessionRow(this.cipher, row, { applicationId, deviceProfileId }));
        } catch (err) {
          if (!(err instanceof SessionDecodeError)) throw err;
          failed++;
          this.logger.error(`${err.message}; the device must be activated again`);
        }
      }
    }
    this.logger.log(`${this.byEui.size} device sessions loaded${failed ? `, ${failed} unreadable` : ''}`);
    if (await this.repository.startWriter()) {
      // Pipelined, and spaced by one write's duration only (WRITER_COMMIT_SPACING).
      this.commits.retime({ pipelined: true, spacing: WRITER_COMMIT_SPACING });
      this.logger.log('session writes run on a worker thread');
    }
  }

  onModuleDestroy(): void {
    this.commits.stop();
  }

  /**
   * The last group commit, through the writer thread, which then ends: the DataSource closes only
   * in the shutdown hooks after this one. Writes asked for later run on the main connection.
   */
  async beforeApplicationShutdown(): Promise<void> {
    try {
      await this.flushAll();
    } finally {
      await this.repository.stopWriter();
    }
  }

  byDevAddr(devAddr: number): readonly DeviceSession[] {
    const found = this.byAddr.get(devAddr >>> 0);
    if (found === undefined) return EMPTY;
    return Array.isArray(found) ? found : [found];
  }

  byDevEui(devEui: string): DeviceSession | undefined {
    return this.byEui.get(devEui);
  }

  async activate(session: DeviceSession): Promise<void> {
    const { devEui } = session;
    const row = toSessionRow(this.cipher, session);
    this.activating.set(devEui, (this.activating.get(devEui) ?? 0) + 1);
    try {
      await this.activations.add(row);
    } catch (err) {
      // The old session stays; counters of it a group commit skipped meanwhile are written again.
      const old = this.byEui.get(devEui);
      if (old) this.markDirty(old);
      throw err;
    } finally {
      const n = this.activating.get(devEui)! - 1;
      if (n === 0) this.activating.delete(devEui);
      else this.activating.set(devEui, n);
    }
    this.unindex(devEui);
    this.commits.forget(devEui);
    this.index(session);
    this.notify({ kind: 'activated', session });
  }

  async remove(devEui: string): Promise<void> {
    // An activation asked for before the removal is written before it, as it was asked.
    this.activations.seal();
    this.unindex(devEui);
    this.commits.forget(devEui);
    await this.queue.run(() => this.repository.delete(devEui));
    this.notify({ kind: 'removed', devEui });
  }

  markDirty(session: DeviceSession): void {
    this.commits.mark(session.devEui, session);
  }

  flushBeforePublish(urgent = false): Promise<void> {
    return this.commits.committed(urgent);
  }

  /** Writes every pending change now (shutdown, tests). */
  flushAll(): Promise<void> {
    this.activations.seal();
    return this.commits.flush();
  }

  size(): number {
    return this.byEui.size;
  }

  override get commitTimes(): DelayHistogram {
    return this.commits.writeTimes;
  }

  devAddrInUse(devAddr: number): boolean {
    return this.byAddr.has(devAddr >>> 0);
  }

  /** Runs a database write in order with the store's own (activations, group commits). */
  serialize<T>(write: () => Promise<T>): Promise<T> {
    return this.queue.run(write);
  }

  /** A PASSIVE WAL checkpoint in order with the store's writes, on the connection they run on (WalCheckpoint). */
  checkpointWal(): Promise<CheckpointResult> {
    return this.queue.run(() => this.repository.checkpointWal());
  }

  /** Every session (device-state views, Class C scans); no copy. */
  all(): IterableIterator<DeviceSession> {
    return this.byEui.values();
  }

  /** Called on every activation and removal, after the write. */
  onChange(listener: (change: SessionChange) => void): void {
    this.listeners.push(listener);
  }

  private index(session: DeviceSession): void {
    const addr = session.devAddr >>> 0;
    this.byEui.set(session.devEui, session);
    const found = this.byAddr.get(addr);
    if (found === undefined) this.byAddr.set(addr, session);
    else if (Array.isArray(found)) found.push(session);
    else this.byAddr.set(addr, [found, session]);
  }

  private unindex(devEui: string): void {
    const old = this.byEui.get(devEui);
    if (!old) return;
    this.byEui.delete(devEui);
    const addr = old.devAddr >>> 0;
    const found = this.byAddr.get(addr);
    let rest: DeviceSession[] = [];
    if (Array.isArray(found)) rest = found.filter((s) => s !== old);
    else if (found && found !== old) rest = [found];
    if (rest.length === 0) this.byAddr.delete(addr);
    else this.byAddr.set(addr, rest.length === 1 ? rest[0] : rest);
  }

  /** Only the session object still current for its device is written: a replaced one is stale. */
  private async writeBatch(batch: DeviceSession[]): Promise<void> {
    const current = batch.filter((s) => this.byEui.get(s.devEui) === s && !this.activating.has(s.devEui));
    if (current.length === 0) return;
    const fCntDown = current.map(fCntDownToCommit);
    await this.repository.updateCounters(current, fCntDown);
    current.forEach((s, i) => fCntDownCommitted(s, fCntDown[i]));
  }

  private notify(change: SessionChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.logger.error(`session listener failed: ${describe(err)}`);
      }
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
