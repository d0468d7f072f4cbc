import { BeforeApplicationShutdown, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { KeyCipher } from '@lns/storage';
import { DeviceSession } from './device-session';
import { GroupCommit } from './group-commit';
import { fromSessionRow, SessionDecodeError, toSessionRow } from './session-codec';
import { SessionRepository } from './session-repository';
import { SessionStore } from './session-store';
import { WriteQueue } from './write-queue';

export type SessionChange =
  { kind: 'activated'; session: DeviceSession } | { kind: 'removed'; devEui: string };

const EMPTY: readonly DeviceSession[] = Object.freeze([]);

/**
 * SessionStore of one process: every session in memory, indexed by DevAddr and DevEUI, loaded
 * once at start (keys unsealed with the KeyCipher context `session:<devEui>`), so the uplink
 * path never reads the database. Counter and MAC-state changes go to the database in group
 * commits (GroupCommit); activations and removals are awaited writes through the same queue,
 * so a late group commit can never overwrite a newer session with an older one's counters.
 */
@Injectable()
export class InMemorySessionStore
  extends SessionStore
  implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown
{
  private readonly logger = new Logger('SessionStore');
  private readonly byEui = new Map<string, DeviceSession>();
  private readonly byAddr = new Map<number, DeviceSession[]>();
  private readonly queue = new WriteQueue();
  private readonly commits: GroupCommit<DeviceSession>;
  private readonly listeners: Array<(change: SessionChange) => void> = [];

  constructor(
    private readonly repository: SessionRepository,
    private readonly cipher: KeyCipher,
  ) {
    super();
    this.commits = new GroupCommit(this.queue, (batch) => this.writeBatch(batch), {
      onError: (err) => this.logger.error(`group commit failed, retrying: ${describe(err)}`),
    });
  }

  async onModuleInit(): Promise<void> {
    const rows = await this.repository.loadAll();
    let failed = 0;
    for (const { row, applicationId, deviceProfileId } of rows) {
      try {
        this.index(fromSessionRow(this.cipher, row, { applicationId, deviceProfileId }));
      } catch (err) {
        if (!(err instanceof SessionDecodeError)) throw err;
        failed++;
        this.logger.error(`${err.message}; the device must be activated again`);
      }
    }
    this.logger.log(`${this.byEui.size} device sessions loaded${failed ? `, ${failed} unreadable` : ''}`);
  }

  onModuleDestroy(): void {
    this.commits.stop();
  }

  /** The last group commit: the DataSource closes only in the shutdown hooks after this one. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flushAll();
  }

  byDevAddr(devAddr: number): readonly DeviceSession[] {
    return this.byAddr.get(devAddr >>> 0) ?? EMPTY;
  }

  byDevEui(devEui: string): DeviceSession | undefined {
    return this.byEui.get(devEui);
  }

  async activate(session: DeviceSession): Promise<void> {
    const row = toSessionRow(this.cipher, session);
    await this.queue.run(() => this.repository.save(row));
    this.unindex(session.devEui);
    this.commits.forget(session.devEui);
    this.index(session);
    this.notify({ kind: 'activated', session });
  }

  async remove(devEui: string): Promise<void> {
    this.unindex(devEui);
    this.commits.forget(devEui);
    await this.queue.run(() => this.repository.delete(devEui));
    this.notify({ kind: 'removed', devEui });
  }

  markDirty(session: DeviceSession): void {
    this.commits.mark(session.devEui, session);
  }

  flushBeforePublish(): Promise<void> {
    return this.commits.committed();
  }

  /** Writes every pending change now (shutdown, tests). */
  flushAll(): Promise<void> {
    return this.commits.flush();
  }

  size(): number {
    return this.byEui.size;
  }

  devAddrInUse(devAddr: number): boolean {
    return this.byAddr.has(devAddr >>> 0);
  }

  /** Runs a database write in order with the store's own (activations, group commits). */
  serialize<T>(write: () => Promise<T>): Promise<T> {
    return this.queue.run(write);
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
    const list = this.byAddr.get(addr);
    if (list) list.push(session);
    else this.byAddr.set(addr, [session]);
  }

  private unindex(devEui: string): void {
    const old = this.byEui.get(devEui);
    if (!old) return;
    this.byEui.delete(devEui);
    const addr = old.devAddr >>> 0;
    const list = this.byAddr.get(addr)?.filter((s) => s !== old) ?? [];
    if (list.length === 0) this.byAddr.delete(addr);
    else this.byAddr.set(addr, list);
  }

  /** Only the session object still current for its device is written: a replaced one is stale. */
  private writeBatch(batch: DeviceSession[]): Promise<void> {
    return this.repository.updateCounters(batch.filter((s) => this.byEui.get(s.devEui) === s));
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
