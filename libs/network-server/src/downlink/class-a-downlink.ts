import { Inject, Injectable, Logger } from '@nestjs/common';
import { encodeMacCommands, FOPTS_MAX_LENGTH, LorawanError, MacCommand, Region } from '@lns/lorawan';
import { MacLayer, MacUplinkContext } from '../mac/mac-layer';
import { DeviceQueueService } from '../queue/device-queue.service';
import { awaitsAck, QueueItem } from '../queue/queue-item';
import { DeviceContext } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
import { isFCntDownOnDisk } from '../session/fcnt-down-reservation';
import { SessionStore } from '../session/session-store';
import { DeduplicatedUplink } from '../uplink/deduplicated-uplink';
import { MAC_LAYER } from '../uplink/mac-layer.token';
import { NetworkCounters } from '../uplink/network-counters';
import { gatewayRx } from '../uplink/radio';
import { buildDataDownlink, downlinkCounterOf } from './data-downlink-frame';
import { DownlinkNotifier } from './downlink-notifier';
import { DownlinkSender } from './downlink-sender';
import { KeyedMutex } from './keyed-mutex';
import { TxWindow } from './txpk';

/** FHDR without FOpts (7) and FPort (1): what a MACPayload holds besides FOpts and FRMPayload (L11 §4.3). */
export const MAC_PAYLOAD_OVERHEAD = 8;

/** One authenticated uplink, as the downlink decision needs it. */
export interface AnsweredUplink {
  uplink: DeduplicatedUplink;
  session: DeviceSession;
  ctx: DeviceContext;
  /** Region data-rate index, frequency (Hz) and channel index of the uplink. */
  dataRate: number;
  frequency: number;
  channel: number | undefined;
  /** The full FCntUp (ConfFCnt of a 1.1 ACK). */
  fCnt: number;
  /** A confirmed uplink: the downlink carries ACK. */
  ack: boolean;
  /** The device needs an answer even without content: ADRACKReq, or a MAC request (LinkCheckReq …). */
  mustAnswer: boolean;
  /**
   * The uplink's ACK bit, which settles the confirmed downlink waiting for it (DeviceQueueService.
   * ackFromUplink) before this downlink is decided; absent for a retransmission, already settled.
   */
  ackBit?: boolean;
  /** Absent for a retransmission: its MAC commands were handled the first time. */
  mac?: MacUplinkContext;
}

/**
 * The one downlink decision of a Class A uplink (L1.0.4 §3.3, L11 §3.3): ACK for a confirmed
 * uplink, MAC answers and requests (MacLayer.nextDownlinkCommands), and the next queued payload
 * with FPending when more waits, sized for the window's data rate; then RX1, or RX2.
 *
 * Sizing: the frame must fit both windows to keep RX2 as a fallback. A queued payload that fits
 * RX1 only goes out in RX1 alone (RX2 at SF12 would block it forever); one that does not fit RX1's
 * data rate at all is dropped with a `log` DOWNLINK_PAYLOAD_SIZE, rather than blocking the queue
 * behind it until ADR, if ever, raises the data rate (ChirpStack drops it too).
 */
@Injectable()
export class ClassADownlink {
  private readonly logger = new Logger('Downlink');

  constructor(
    private readonly sessions: SessionStore,
    private readonly queue: DeviceQueueService,
    private readonly sender: DownlinkSender,
    private readonly notifier: DownlinkNotifier,
    private readonly counters: NetworkCounters,
    private readonly mutex: KeyedMutex,
    @Inject(MAC_LAYER) private readonly macLayer: MacLayer,
  ) {}

  answer(u: AnsweredUplink): Promise<void> {
    return this.mutex.run(u.session.devEui, () => this.decide(u));
  }

  private async decide(u: AnsweredUplink): Promise<void> {
    const { session, ctx } = u;
    // Under the device's lock: a Class C transmission of the same item cannot be half-way.
    if (u.ackBit !== undefined) this.queue.ackFromUplink(ctx, session, u.ackBit, u.uplink.deduplicationId);
    const region = ctx.region;
    const mac = session.mac;
    const rxDelay = Math.max(1, mac.rxDelay);
    const windows: TxWindow[] = [];
    const rx1 = this.rx1Window(region, u, rxDelay);
    if (rx1) windows.push(rx1);
    windows.push({ name: 'RX2', frequency: mac.rx2Frequency, dataRate: mac.rx2DataRate, delay: rxDelay + 1 });
    const maxM = (w: TxWindow) => region.getMaxPayload(w.dataRate, mac.downlinkDwellTime)?.m ?? 0;
    const rx1M = rx1 ? maxM(rx1) : 0;
    const rx2M = maxM(windows[windows.length - 1]);

    let item: QueueItem | undefined;
    let limit = Math.min(...windows.map(maxM));
    let use = windows;
    for (;;) {
      item = this.queue.next(ctx, session);
      if (!item) break;
      if (awaitsAck(item) && item.isEncrypted) {
        // Sent once under the counter the AS chose; it cannot be sent again, only acknowledged or not.
        item = undefined;
        break;
      }
      if (!this.counterUsable(ctx, session, item)) continue;
      const need = MAC_PAYLOAD_OVERHEAD + item.data.length;
      if (need <= limit) break;
      if (rx1 && need <= rx1M) {
        // Fits RX1's data rate only: RX1 alone, no fallback.
        use = [rx1];
        limit = rx1M;
        break;
      }
      this.dropTooLarge(ctx, session, item, rx1 ? rx1M : rx2M);
    }

    let commands: MacCommand[] = [];
    if (u.mac) {
      const room = item
        ? Math.min(FOPTS_MAX_LENGTH, limit - MAC_PAYLOAD_OVERHEAD - item.data.length)
        : limit - MAC_PAYLOAD_OVERHEAD;
      if (room > 0) commands = this.macCommands(u, room);
    }
    const macBytes = encodeMacCommands(commands);
    if (!item && macBytes.length === 0 && !u.ack && !u.mustAnswer) return;

    const inFOpts = item !== undefined || macBytes.length <= FOPTS_MAX_LENGTH;
    const fPort = item ? item.fPort : inFOpts ? undefined : 0;
    const counter = downlinkCounterOf(session, fPort);
    let fCnt: number;
    if (item?.isEncrypted) {
      fCnt = item.fCntDown!;
      if (counter === 'AFCntDown') session.aFCntDown = fCnt + 1;
      else session.nFCntDown = fCnt + 1;
    } else if (counter === 'AFCntDown') {
      fCnt = session.aFCntDown++;
    } else {
      fCnt = session.nFCntDown++;
    }
    const phyPayload = buildDataDownlink(session, {
      confirmed: item?.confirmed ?? false,
      ack: u.ack,
      adr: ctx.profile.adrEnabled,
      fPending: item !== undefined && this.queue.countAfter(item) > 0,
      fOpts: inFOpts ? macBytes : Buffer.alloc(0),
      fPort,
      frmPayload: item ? item.data : fPort === 0 ? macBytes : undefined,
      preEncrypted: item?.isEncrypted,
      fCnt,
      confFCnt: u.fCnt,
    });
    this.counters.downlink.frames++;

    // The counters this frame used are on disk before the PULL_RESP leaves: a restart can never
    // send another frame with the same FCntDown (the device would drop it as a replay). The
    // uplink's commit usually reserved it already (fcnt-down-reservation.ts): no second commit.
    this.sessions.markDirty(session);
    const onDisk = isFCntDownOnDisk(session, counter === 'AFCntDown' ? 'AFCntDown' : 'NFCntDown', fCnt);
    if (!onDisk) this.counters.downlink.fCntDownCommits++;
    try {
      if (!onDisk) await this.sessions.flushBeforePublish(true);
    } catch (err) {
      this.logger.error(
        `downlink to ${session.devEui} not sent: its counters could not be committed: ${String(err)}`,
      );
      return;
    }
    const result = await this.sender.send({
      region,
      gateways: u.uplink.copies.map(gatewayRx),
      windows: use,
      phyPayload,
    });
    this.notifier.result(ctx, session, result, item, fCnt);
  }

  /** The MAC layer's commands for this downlink; its failure costs the MAC commands, not the downlink. */
  private macCommands(u: AnsweredUplink, room: number): MacCommand[] {
    try {
      return this.macLayer.nextDownlinkCommands(u.session.mac, u.mac!, room, u.session.nFCntDown);
    } catch (err) {
      this.logger.error(
        `MAC layer failed on a downlink to ${u.session.devEui}: ${err instanceof Error ? err.stack : String(err)}`,
      );
      return [];
    }
  }

  private rx1Window(region: Region, u: AnsweredUplink, rxDelay: number): TxWindow | undefined {
    try {
      return {
        name: 'RX1',
        // RP002: the RX1 channel follows the uplink's (same frequency, or channel mod 8 in US915/AU915).
        frequency: region.rx1Frequency(u.frequency, u.channel),
        dataRate: region.rx1DataRate(u.dataRate, u.session.mac.rx1DrOffset, u.session.mac.downlinkDwellTime),
        delay: rxDelay,
      };
    } catch (err) {
      if (!(err instanceof LorawanError)) throw err;
      return undefined;
    }
  }

  /** An AS-encrypted item must use the counter it was encrypted with; one already passed is stale. */
  private counterUsable(ctx: DeviceContext, session: DeviceSession, item: QueueItem): boolean {
    if (!item.isEncrypted) return true;
    const counter = downlinkCounterOf(session, item.fPort);
    const next = counter === 'AFCntDown' ? session.aFCntDown : session.nFCntDown;
    if (item.fCntDown !== null && item.fCntDown >= next) return true;
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
    return false;
  }

  private dropTooLarge(ctx: DeviceContext, session: DeviceSession, item: QueueItem, maxM: number): void {
    this.counters.downlink.payloadTooLarge++;
    this.queue.remove(item);
    this.notifier.log(
      ctx,
      session,
      'ERROR',
      'DOWNLINK_PAYLOAD_SIZE',
      `downlink ${item.id} dropped: ${item.data.length} bytes exceed the ${Math.max(0, maxM - MAC_PAYLOAD_OVERHEAD)} the device's data rate carries`,
      item,
    );
  }
}
