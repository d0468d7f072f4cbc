import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { Region } from '@lns/lorawan';
import { DeviceContext, DeviceRegistry } from '../registry/device-registry';
import { DeviceSession, usesSharedFCntDown } from '../session/device-session';
import { InMemorySessionStore, SessionChange } from '../session/in-memory-session-store';
import { ApplicationPublisher } from '../uplink/application-publisher';
import { NetworkCounters } from '../uplink/network-counters';
import { DeviceQueueRepository } from './device-queue.repository';
import { awaitsAck, EnqueueRequest, QueueError, QueueItem } from './queue-item';

/** Items one device may have waiting; beyond, enqueue is refused (memory bound, and a sign of a stuck device). */
export const MAX_QUEUE_ITEMS = 100;
/** LoRaWAN 1.1 §4.3.2: FPort 1..223 carry application data; 0 is MAC, 224 the test protocol, 225..255 RFU. */
export const MIN_APP_FPORT = 1;
export const MAX_APP_FPORT = 223;

/**
 * The downlink queue of every device: persisted (device_queue_items) and held in memory, so
 * the downlink decision reads no database. Items come from REST and from the application
 * side's 'application.downlink' bus events (ApplicationDownlinkListener), and leave when sent
 * (unconfirmed), acknowledged or given up (confirmed), expired, or flushed.
 */
@Injectable()
export class DeviceQueueService implements OnModuleInit {
  private readonly logger = new Logger('DeviceQueue');
  private readonly queues = new Map<string, QueueItem[]>();
  private readonly enqueueListeners: Array<(devEui: string) => void> = [];

  constructor(
    private readonly repository: DeviceQueueRepository,
    private readonly registry: DeviceRegistry,
    private readonly sessions: InMemorySessionStore,
    private readonly publisher: ApplicationPublisher,
    private readonly counters: NetworkCounters,
    @Inject(LNS_CONFIG) private readonly config: LnsConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const item of await this.repository.loadAll()) this.push(item);
    this.sessions.onChange((change) => this.onSessionChange(change));
  }

  /** The retry limit of confirmed downlinks (config downlink.maxRetries). */
  get maxRetries(): number {
    return this.config.downlink.maxRetries;
  }

  list(devEui: string): readonly QueueItem[] {
    return this.queues.get(devEui) ?? [];
  }

  head(devEui: string): QueueItem | undefined {
    return this.queues.get(devEui)?.[0];
  }

  /** Items waiting in every device's queue (the queue-depth gauge; walks devices with a queue only). */
  depth(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Items behind `item` (FPending). */
  countAfter(item: QueueItem): number {
    const q = this.queues.get(item.devEui) ?? [];
    const i = q.indexOf(item);
    return i < 0 ? q.length : q.length - i - 1;
  }

  onEnqueued(listener: (devEui: string) => void): void {
    this.enqueueListeners.push(listener);
  }

  /** Validates, persists (awaited) and queues; throws QueueError naming the field at fault. */
  async enqueue(devEui: string, req: EnqueueRequest, now = Date.now()): Promise<QueueItem> {
    const ctx = this.registry.get(devEui);
    if (!ctx) throw new QueueError('DEVICE_NOT_FOUND', 'devEui', `no device ${devEui}`);
    const q = this.queues.get(devEui) ?? [];
    if (q.length >= MAX_QUEUE_ITEMS) {
      throw new QueueError('QUEUE_FULL', 'devEui', `the queue already holds ${MAX_QUEUE_ITEMS} items`);
    }
    if (!Number.isInteger(req.fPort) || req.fPort < MIN_APP_FPORT || req.fPort > MAX_APP_FPORT) {
      throw new QueueError('INVALID', 'fPort', `must be ${MIN_APP_FPORT}..${MAX_APP_FPORT}`);
    }
    const maxN = maxDownlinkPayload(ctx.region);
    if (req.data.length > maxN) {
      throw new QueueError(
        'INVALID',
        'data',
        `${req.data.length} bytes exceed ${maxN}, the largest downlink payload of ${ctx.region.name}`,
      );
    }
    if (req.expiresAt !== undefined && !(req.expiresAt > now)) {
      throw new QueueError('INVALID', 'expiresAt', 'must be in the future');
    }
    const isEncrypted = req.isEncrypted === true;
    let fCntDown: number | null = null;
    if (isEncrypted) {
      fCntDown = this.checkAsFCntDown(devEui, req.fCntDown);
    } else {
      if (req.fCntDown !== undefined) {
        throw new QueueError('INVALID', 'fCntDown', 'is set by the network unless isEncrypted is true');
      }
      if (ctx.application.endToEnd) {
        throw new QueueError(
          'INVALID',
          'isEncrypted',
          'the application is end-to-end: the network has no AppSKey, so data must be encrypted by the application server (isEncrypted: true with fCntDown)',
        );
      }
    }
    const last = q[q.length - 1];
    const item: QueueItem = {
      id: randomUUID(),
      devEui,
      fPort: req.fPort,
      data: Buffer.from(req.data),
      confirmed: req.confirmed === true,
      isEncrypted,
      fCntDown,
      attempts: 0,
      expiresAt: req.expiresAt ?? null,
      // Strictly increasing per device, so that the start-up load (ORDER BY created_at) keeps FIFO order.
      createdAt: last && last.createdAt >= now ? last.createdAt + 1 : now,
    };
    await this.repository.insert(item);
    this.push(item);
    for (const listener of this.enqueueListeners) listener(devEui);
    return item;
  }

  /** Removes every item of the device; returns how many. */
  async flush(devEui: string): Promise<number> {
    const q = this.queues.get(devEui) ?? [];
    this.queues.delete(devEui);
    const session = this.sessions.byDevEui(devEui);
    if (session) delete session.pendingAck;
    await this.repository.deleteDevice(devEui);
    return q.length;
  }

  /**
   * The item to send next, after dropping the expired ones at the head (`log` DOWNLINK_EXPIRED).
   * An item waiting for its ACK is returned as it is: the caller decides on its retransmission.
   */
  next(ctx: DeviceContext, session: DeviceSession | undefined, now = Date.now()): QueueItem | undefined {
    const q = this.queues.get(ctx.device.devEui);
    while (q && q.length > 0) {
      const item = q[0];
      if (item.expiresAt === null || item.expiresAt > now || awaitsAck(item)) return item;
      this.counters.downlink.expired++;
      this.publisher.log(
        ctx,
        'WARNING',
        'DOWNLINK_EXPIRED',
        `downlink ${item.id} expired before it could be sent`,
        { queueItemId: item.id },
        session,
      );
      this.remove(item);
    }
    return undefined;
  }

  /** After a transmission went out: unconfirmed items leave, confirmed ones wait for the ACK. */
  sent(item: QueueItem, fCnt: number, session: DeviceSession): void {
    // Flushed (or acknowledged) while it was on its way: nothing left to track.
    if (!this.queues.get(item.devEui)?.includes(item)) return;
    item.attempts++;
    item.fCntDown = fCnt;
    if (!item.confirmed) {
      this.remove(item);
      return;
    }
    session.pendingAck = { queueItemId: item.id, fCntDown: fCnt, sentAt: Date.now() };
    this.persist(() => this.repository.updateSent(item));
  }

  /** The device acknowledged it (acknowledged = true), or the network gave up on it (false): `ack` event. */
  acknowledge(
    ctx: DeviceContext,
    session: DeviceSession | undefined,
    item: QueueItem,
    acknowledged: boolean,
    deduplicationId?: string,
  ): void {
    if (session?.pendingAck?.queueItemId === item.id) delete session.pendingAck;
    if (acknowledged) this.counters.downlink.acknowledged++;
    else this.counters.downlink.notAcknowledged++;
    this.remove(item);
    this.publisher.ack(ctx, {
      ...(deduplicationId !== undefined && { deduplicationId }),
      time: new Date().toISOString(),
      deviceInfo: this.publisher.deviceInfo(ctx, session),
      queueItemId: item.id,
      acknowledged,
      fCntDown: item.fCntDown ?? 0,
    });
  }

  /**
   * An uplink after a confirmed downlink (L1.0.4 §4.3.1.2, L11 §4.3.1.2): its ACK bit acknowledges
   * the item; without it the item is sent again in this uplink's downlink, unless it has used up
   * downlink.maxRetries, was encrypted by the AS (its counter cannot be used twice), or expired:
   * then an `ack` event says acknowledged false and the item leaves the queue.
   */
  ackFromUplink(
    ctx: DeviceContext,
    session: DeviceSession,
    ackBit: boolean,
    deduplicationId: string,
    now = Date.now(),
  ): void {
    const head = this.head(ctx.device.devEui);
    if (!head || !awaitsAck(head)) return;
    if (ackBit) return this.acknowledge(ctx, session, head, true, deduplicationId);
    const expired = head.expiresAt !== null && head.expiresAt <= now;
    if (head.isEncrypted || expired || head.attempts > this.maxRetries) {
      this.acknowledge(ctx, session, head, false, deduplicationId);
    }
  }

  /** Removes an item from memory now and from the database behind. */
  remove(item: QueueItem): void {
    const q = this.queues.get(item.devEui);
    if (!q) return;
    const i = q.indexOf(item);
    if (i < 0) return;
    q.splice(i, 1);
    if (q.length === 0) this.queues.delete(item.devEui);
    this.persist(() => this.repository.delete([item.id]));
  }

  /** The next AFCntDown (1.1) or FCntDown (1.0.x) an end-to-end application must encrypt with. */
  nextAsFCntDown(devEui: string): number {
    const session = this.sessions.byDevEui(devEui);
    let next = session ? (usesSharedFCntDown(session.macVersion) ? session.nFCntDown : session.aFCntDown) : 0;
    for (const item of this.list(devEui)) {
      if (item.isEncrypted && item.fCntDown !== null && item.fCntDown >= next) next = item.fCntDown + 1;
    }
    return next;
  }

  private checkAsFCntDown(devEui: string, fCntDown: number | undefined): number {
    if (fCntDown === undefined) {
      throw new QueueError(
        'INVALID',
        'fCntDown',
        'is required with isEncrypted: the counter the payload was encrypted with',
      );
    }
    if (!Number.isInteger(fCntDown) || fCntDown < 0 || fCntDown > 0xffffffff) {
      throw new QueueError('INVALID', 'fCntDown', 'must be a 32-bit unsigned integer');
    }
    const next = this.nextAsFCntDown(devEui);
    if (fCntDown < next) {
      throw new QueueError(
        'INVALID',
        'fCntDown',
        `${fCntDown} is already used: the next downlink counter is ${next}`,
      );
    }
    return fCntDown;
  }

  private push(item: QueueItem): void {
    const q = this.queues.get(item.devEui);
    if (q) q.push(item);
    else this.queues.set(item.devEui, [item]);
  }

  /**
   * A new session: plain items will be encrypted again with its keys and counters; items the
   * AS encrypted for the old session cannot be sent under the new one and are dropped.
   * A removed session (the device is deleted, or deactivated) takes the queue with it: a device
   * created again with the same DevEUI must not inherit old downlinks.
   */
  private onSessionChange(change: SessionChange): void {
    const devEui = change.kind === 'activated' ? change.session.devEui : change.devEui;
    const q = this.queues.get(devEui);
    if (!q) return;
    if (change.kind === 'removed') {
      this.queues.delete(devEui);
      this.persist(() => this.repository.deleteDevice(devEui));
      return;
    }
    const ctx = this.registry.get(devEui);
    for (const item of [...q]) {
      if (item.isEncrypted) {
        this.remove(item);
        if (ctx) {
          this.publisher.log(
            ctx,
            'WARNING',
            'DOWNLINK_F_CNT',
            `downlink ${item.id} dropped: it was encrypted for the previous session`,
            { queueItemId: item.id },
            change.session,
          );
        }
      } else {
        item.attempts = 0;
        item.fCntDown = null;
      }
    }
    this.persist(() => this.repository.resetCounters(devEui));
  }

  private persist(write: () => Promise<void>): void {
    write().catch((err: unknown) =>
      this.logger.error(`queue write failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
}

/** The largest FRMPayload (N) any downlink data rate of the region carries (RP002 tables). */
export function maxDownlinkPayload(region: Region): number {
  let max = 0;
  for (const [dr, rate] of Object.entries(region.dataRates)) {
    if (!rate.downlink) continue;
    const p = region.getMaxPayload(Number(dr));
    if (p && p.n > max) max = p.n;
  }
  return max;
}
