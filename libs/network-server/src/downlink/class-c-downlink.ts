import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { timeOnAir } from '@lns/lorawan';
import { DeviceQueueService } from '../queue/device-queue.service';
import { awaitsAck, QueueItem } from '../queue/queue-item';
import { DeviceContext, DeviceRegistry } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
import { SessionStore } from '../session/session-store';
import { NetworkCounters } from '../uplink/network-counters';
import { MAC_PAYLOAD_OVERHEAD } from './class-a-downlink';
import { buildDataDownlink, downlinkCounterOf } from './data-downlink-frame';
import { DownlinkNotifier } from './downlink-notifier';
import { DownlinkSender } from './downlink-sender';
import { KeyedMutex } from './keyed-mutex';
import { TxWindow } from './txpk';

/** Pause after a Class C transmission's airtime before the next, so the gateway's TX is free again. */
export const CLASS_C_GAP_MS = 50;
/** A transmission no gateway took (busy, collision, offline) is tried again this much later … */
export const CLASS_C_RETRY_MS = 1_000;
/** … this many times in a row; then the item waits for the device's next uplink. */
export const CLASS_C_MAX_SEND_FAILURES = 3;

/** Class C is used when the profile says so, or the device switched to it (1.1 DeviceModeInd). */
export function isClassC(ctx: DeviceContext, session: DeviceSession): boolean {
  return ctx.profile.supportsClassC || session.mac.deviceClass === 'C';
}

/**
 * Class C downlinks (L1.0.4 §6, L11 §17): a Class C device listens on its RX2 frequency and
 * data rate whenever it is not sending, so a queued item goes out at once (txpk `imme`) through
 * the gateway that heard the device last (the best of its last uplink's receptions, load
 * considered). Items leave one at a time, each after the previous one's airtime; a confirmed
 * one waits for the device's ACK up to downlink.classC.ackTimeoutMs and is then sent again, up
 * to downlink.maxRetries times.
 */
@Injectable()
export class ClassCDownlink implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Downlink');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Per device: when its last transmission is off the air, and failed attempts in a row. */
  private readonly busyUntil = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly sessions: SessionStore,
    private readonly queue: DeviceQueueService,
    private readonly sender: DownlinkSender,
    private readonly notifier: DownlinkNotifier,
    private readonly counters: NetworkCounters,
    private readonly mutex: KeyedMutex,
    @Inject(LNS_CONFIG) private readonly config: LnsConfig,
  ) {}

  onModuleInit(): void {
    this.queue.onEnqueued((devEui) => this.schedule(devEui));
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Sends what the device's queue holds, if it is a Class C device the network has heard. */
  schedule(devEui: string, heardAgain = false): void {
    if (this.stopped) return;
    if (heardAgain) this.failures.delete(devEui);
    this.clearTimer(devEui);
    this.mutex
      .run(devEui, () => this.sendNext(devEui))
      .catch((err: unknown) =>
        this.logger.error(`Class C downlink to ${devEui}: ${err instanceof Error ? err.stack : String(err)}`),
      );
  }

  private async sendNext(devEui: string): Promise<void> {
    const ctx = this.registry.get(devEui);
    const session = this.sessions.byDevEui(devEui);
    if (!ctx || !session || !isClassC(ctx, session) || !session.lastUplink?.gateways.length) return;
    const wait = (this.busyUntil.get(devEui) ?? 0) - Date.now();
    if (wait > 0) return this.arm(devEui, wait);
    this.busyUntil.delete(devEui);
    const region = ctx.region;
    const window: TxWindow = {
      name: 'RXC',
      frequency: session.mac.rx2Frequency,
      dataRate: session.mac.rx2DataRate,
    };
    const maxM = region.getMaxPayload(window.dataRate, session.mac.downlinkDwellTime)?.m ?? 0;
    let item: QueueItem | undefined;
    for (;;) {
      item = this.queue.next(ctx, session);
      if (!item) return;
      if (awaitsAck(item)) {
        const verdict = this.ackVerdict(ctx, session, item);
        if (verdict === 'wait') return;
        if (verdict === 'given-up') continue;
      }
      if (item.isEncrypted) {
        const counter = downlinkCounterOf(session, item.fPort);
        const next = counter === 'AFCntDown' ? session.aFCntDown : session.nFCntDown;
        if (item.fCntDown === null || item.fCntDown < next) {
          this.counters.downlink.staleFCntDown++;
          this.queue.remove(item);
          this.notifier.log(
            ctx,
            session,
            'WARNING',
            'DOWNLINK_F_CNT',
            `downlink ${item.id} dropped: its fCntDown ${item.fCntDown} is below the next ${counter} ${next}`,
            item,
          );
          continue;
        }
      }
      if (MAC_PAYLOAD_OVERHEAD + item.data.length <= maxM) break;
      this.counters.downlink.payloadTooLarge++;
      this.queue.remove(item);
      this.notifier.log(
        ctx,
        session,
        'ERROR',
        'DOWNLINK_PAYLOAD_SIZE',
        `downlink ${item.id} dropped: ${item.data.length} bytes exceed the ${Math.max(0, maxM - MAC_PAYLOAD_OVERHEAD)} of the Class C data rate DR${window.dataRate}`,
        item,
      );
    }

    const counter = downlinkCounterOf(session, item.fPort);
    let fCnt: number;
    if (item.isEncrypted) {
      fCnt = item.fCntDown!;
      if (counter === 'AFCntDown') session.aFCntDown = fCnt + 1;
      else session.nFCntDown = fCnt + 1;
    } else if (counter === 'AFCntDown') {
      fCnt = session.aFCntDown++;
    } else {
      fCnt = session.nFCntDown++;
    }
    const phyPayload = buildDataDownlink(session, {
      confirmed: item.confirmed,
      ack: false,
      adr: ctx.profile.adrEnabled,
      fPending: this.queue.countAfter(item) > 0,
      fOpts: Buffer.alloc(0),
      fPort: item.fPort,
      frmPayload: item.data,
      preEncrypted: item.isEncrypted,
      fCnt,
    });
    this.counters.downlink.frames++;
    this.sessions.markDirty(session);
    try {
      await this.sessions.flushBeforePublish();
    } catch (err) {
      this.logger.error(
        `Class C downlink to ${devEui} not sent: its counters could not be committed: ${String(err)}`,
      );
      return;
    }
    const result = await this.sender.send({
      region,
      // A copy: an uplink during the send writes the session's last uplink over (recordHeard).
      gateways: session.lastUplink.gateways.map((g) => ({ ...g })),
      windows: [window],
      phyPayload,
    });
    this.notifier.result(ctx, session, result, item, fCnt);
    if (!result.sent) {
      // Stays queued; tried again shortly, then at the device's next uplink (fresh gateways).
      const failures = (this.failures.get(devEui) ?? 0) + 1;
      this.failures.set(devEui, failures);
      if (failures < CLASS_C_MAX_SEND_FAILURES) this.arm(devEui, CLASS_C_RETRY_MS);
      return;
    }
    this.failures.delete(devEui);
    const airtime = timeOnAir(region.getDataRate(window.dataRate), phyPayload.length, 'downlink');
    this.busyUntil.set(devEui, Date.now() + Math.ceil(airtime) + CLASS_C_GAP_MS);
    if (item.confirmed) this.arm(devEui, this.config.downlink.classC.ackTimeoutMs);
    else if (this.queue.head(devEui)) this.arm(devEui, Math.ceil(airtime) + CLASS_C_GAP_MS);
  }

  /**
   * A confirmed item sent and not acknowledged: 'wait' while its ACK may still come (the timer is
   * armed for the rest), 'retry' when it must be sent again; past the retry limit (or when the AS
   * encrypted it, whose counter cannot be used twice) it is 'given-up' with an `ack` event saying false.
   */
  private ackVerdict(
    ctx: DeviceContext,
    session: DeviceSession,
    item: QueueItem,
  ): 'wait' | 'retry' | 'given-up' {
    // After a restart the send time is unknown: the wait counts as over.
    const sentAt = session.pendingAck?.queueItemId === item.id ? session.pendingAck.sentAt : 0;
    const waited = Date.now() - sentAt;
    const timeout = this.config.downlink.classC.ackTimeoutMs;
    if (waited < timeout) {
      this.arm(session.devEui, timeout - waited);
      return 'wait';
    }
    const expired = item.expiresAt !== null && item.expiresAt <= Date.now();
    if (item.isEncrypted || expired || item.attempts > this.queue.maxRetries) {
      this.queue.acknowledge(ctx, session, item, false);
      return 'given-up';
    }
    return 'retry';
  }

  private arm(devEui: string, delayMs: number): void {
    if (this.stopped) return;
    this.clearTimer(devEui);
    const t = setTimeout(() => {
      this.timers.delete(devEui);
      this.schedule(devEui);
    }, delayMs);
    t.unref();
    this.timers.set(devEui, t);
  }

  private clearTimer(devEui: string): void {
    const t = this.timers.get(devEui);
    if (t) clearTimeout(t);
    this.timers.delete(devEui);
  }
}
