import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DataUpFrame,
  decodeMacCommands,
  isFCntGapAllowed,
  isRetransmission,
  MacCommand,
  MType,
} from '@lns/lorawan';
import { GatewayService, IntakeGuard } from '@lns/gateway-bridge';
import { ClassADownlink } from '../downlink/class-a-downlink';
import { ClassCDownlink, isClassC } from '../downlink/class-c-downlink';
import { MacEffect, MacLayer, MacUplinkContext, MacUplinkResult } from '../mac/mac-layer';
import { DeviceQueueService } from '../queue/device-queue.service';
import { DeviceContext, DeviceRegistry } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
import { reserveFCntDown } from '../session/fcnt-down-reservation';
import { SessionStore } from '../session/session-store';
import { ApplicationPublisher } from './application-publisher';
import { DeduplicatedUplink } from './deduplicated-uplink';
import { MAC_LAYER } from './mac-layer.token';
import { NetworkCounters } from './network-counters';
import { Authenticated, Candidate, matchSession } from './session-matcher';
import { buildStatusEvent, buildUpEvent } from './up-event';
import { macUplinkContext, recordHeard, uplinkMacBytes } from './uplink-frame';

const MAX_FCNT = 0xffffffff;

/**
 * A data uplink after deduplication (ARCHITECTURE.md "An uplink's way", step 4-6): the session
 * by DevAddr and MIC, the 32-bit FCnt and its checks, MAC commands, the ACK of a confirmed
 * downlink, the session committed, then the `up` event, then the downlink decision.
 */
@Injectable()
export class DataUplinkHandler {
  private readonly logger = new Logger('Uplink');

  constructor(
    private readonly sessions: SessionStore,
    private readonly registry: DeviceRegistry,
    private readonly queue: DeviceQueueService,
    private readonly publisher: ApplicationPublisher,
    private readonly counters: NetworkCounters,
    private readonly classA: ClassADownlink,
    private readonly classC: ClassCDownlink,
    private readonly gateways: GatewayService,
    private readonly intake: IntakeGuard,
    @Inject(MAC_LAYER) private readonly macLayer: MacLayer,
  ) {}

  async handle(uplink: DeduplicatedUplink, frame: DataUpFrame): Promise<void> {
    const c = this.counters.uplink;
    const found = this.sessions.byDevAddr(frame.devAddr);
    if (found.length === 0) {
      c.unknownDevAddr++;
      return;
    }
    const candidates: Candidate[] = [];
    for (const session of found) {
      const ctx = this.registry.get(session.devEui);
      if (ctx) candidates.push({ session, ctx });
    }
    const best = uplink.copies[0];
    const m = matchSession(frame, uplink.phyPayload, best.tx, best.rx.frequency, candidates);
    c.micAttempts += m.attempts;
    if (m.limited) c.micAttemptLimit++;
    if (m.kind === 'none') {
      c.micFailures++;
      // With one candidate the device is known, and its owner may want to know (wrong keys, counters).
      if (candidates.length === 1) {
        const { ctx, session } = candidates[0];
        this.publisher.log(
          ctx,
          'WARNING',
          'UPLINK_MIC',
          'an uplink with this DevAddr failed the MIC check',
          {
            deduplicationId: uplink.deduplicationId,
          },
          session,
        );
      }
      return;
    }
    const { session, ctx, fCnt } = m;
    if (m.kind === 'replay') {
      c.replays++;
      return this.drop(
        m,
        uplink,
        'UPLINK_F_CNT_REPLAY',
        `frame counter ${fCnt} is behind the next expected ${session.fCntUp}: replay dropped`,
      );
    }
    const confirmed = frame.mType === MType.ConfirmedDataUp;
    if (isRetransmission(session.fCntUp, fCnt)) {
      // NbTrans, or a confirmed uplink whose ACK was lost: not handed to the application twice,
      // but a confirmed one is acknowledged again (L1.0.4 §4.3.1.2; L11 §4.3.1.5).
      c.retransmissions++;
      this.drop(
        m,
        uplink,
        'UPLINK_F_CNT_RETRANSMISSION',
        `frame counter ${fCnt} repeats the last one: retransmission not forwarded`,
      );
      recordHeard(session, uplink, m, confirmed);
      this.sessions.markDirty(session);
      if (confirmed)
        await this.classA.answer({
          ...this.radio(m, uplink),
          uplink,
          session,
          ctx,
          fCnt,
          ack: true,
          mustAnswer: false,
        });
      return;
    }
    // L1.0.2 §4.3.1.5: before 1.0.4 a frame further ahead than MAX_FCNT_GAP is not accepted.
    if (!isFCntGapAllowed(session.macVersion, fCnt - session.fCntUp + 1)) {
      c.fCntGapRefused++;
      return this.drop(
        m,
        uplink,
        'UPLINK_F_CNT_GAP',
        `frame counter ${fCnt} is too far ahead of ${session.fCntUp} (MAX_FCNT_GAP, LoRaWAN ${session.macVersion})`,
      );
    }

    session.fCntUp = Math.min(fCnt + 1, MAX_FCNT);
    recordHeard(session, uplink, m, confirmed);
    const commands = this.macCommands(frame, session, ctx, fCnt);
    const macCtx = macUplinkContext(uplink, frame, m);
    const macResult = this.handleMac(ctx, session, commands, macCtx);

    // Persist before publish: the event goes out only once its FCntUp is on disk. When an answer
    // is due (ACK, a MAC answer, ADRACKReq, a queued payload), the same commit reserves its FCntDown.
    // An answer due in RX1 also makes the commit urgent: it goes at once, without gathering.
    const mustAnswer = frame.fCtrl.adrAckReq || macResult.needsDownlink;
    const answerDue = confirmed || mustAnswer || this.queue.head(session.devEui) !== undefined;
    if (answerDue) reserveFCntDown(session);
    this.sessions.markDirty(session);
    const markedAt = Date.now();
    try {
      await this.sessions.flushBeforePublish(answerDue);
    } catch (err) {
      c.persistFailures++;
      this.logger.error(
        `uplink ${uplink.deduplicationId} of ${session.devEui} dropped: session not committed: ${String(err)}`,
      );
      return;
    }
    c.accepted++;
    this.publisher.up(
      ctx,
      buildUpEvent(
        uplink,
        frame,
        m,
        confirmed,
        this.publisher.deviceInfo(ctx, session),
        (id) => this.gateways.get(id)?.location,
      ),
    );
    const now = Date.now();
    this.counters.publishDelay.observe(now - uplink.windowDueAt);
    this.counters.windowCloseDelay.observe(uplink.windowClosedAt - uplink.windowDueAt);
    this.counters.commitWait.observe(now - markedAt);
    this.intake.published(now - uplink.windowDueAt, now);
    for (const effect of macResult.effects) this.effect(effect, ctx, session, uplink);

    await this.classA.answer({
      ...this.radio(m, uplink),
      uplink,
      session,
      ctx,
      fCnt,
      ack: confirmed,
      ackBit: frame.fCtrl.ack,
      mustAnswer,
      mac: macCtx,
    });
    if (isClassC(ctx, session) && this.queue.head(session.devEui)) this.classC.schedule(session.devEui, true);
  }

  /**
   * The MAC layer's reading of the commands. A failure there must not cost the uplink: it is
   * logged (server log and a `log` event) and the uplink goes on without MAC handling.
   */
  private handleMac(
    ctx: DeviceContext,
    session: DeviceSession,
    commands: MacCommand[],
    macCtx: MacUplinkContext,
  ): MacUplinkResult {
    try {
      return this.macLayer.handleUplink(session.mac, commands, macCtx);
    } catch (err) {
      this.logger.error(
        `MAC layer failed on an uplink of ${session.devEui}: ${err instanceof Error ? err.stack : String(err)}`,
      );
      this.publisher.log(
        ctx,
        'ERROR',
        'MAC_COMMAND',
        'the MAC commands of this uplink could not be handled',
        {},
        session,
      );
      return { effects: [], needsDownlink: false };
    }
  }

  private radio(m: Authenticated, uplink: DeduplicatedUplink) {
    return { dataRate: m.dataRate, frequency: uplink.copies[0].rx.frequency, channel: m.channel };
  }

  /** The uplink's MAC commands; bytes that do not decode are reported in a `log` event. */
  private macCommands(
    frame: DataUpFrame,
    session: DeviceSession,
    ctx: DeviceContext,
    fCnt: number,
  ): MacCommand[] {
    const bytes = uplinkMacBytes(frame, session, fCnt);
    if (bytes.length === 0) return [];
    const decoded = decodeMacCommands(bytes, 'uplink');
    if (decoded.rest) {
      this.publisher.log(
        ctx,
        'WARNING',
        'MAC_COMMAND',
        `MAC commands not understood from byte ${bytes.length - decoded.rest.length} (${decoded.stop}): ${decoded.rest.toString('hex')}`,
        {},
        session,
      );
    }
    return decoded.commands;
  }

  private effect(
    effect: MacEffect,
    ctx: DeviceContext,
    session: DeviceSession,
    uplink: DeduplicatedUplink,
  ): void {
    switch (effect.kind) {
      case 'status':
        this.publisher.status(
          ctx,
          buildStatusEvent(
            uplink.deduplicationId,
            this.publisher.deviceInfo(ctx, session),
            effect.battery,
            effect.margin,
          ),
        );
        return;
      case 'log':
        this.publisher.log(
          ctx,
          effect.level,
          'MAC_COMMAND',
          effect.description,
          effect.cid ? { cid: effect.cid } : {},
          session,
        );
        return;
      case 'deviceClass':
        session.mac.deviceClass = effect.deviceClass;
        return;
      case 'rekeyed':
        return;
    }
  }

  private drop(
    m: Authenticated,
    uplink: DeduplicatedUplink,
    code: 'UPLINK_F_CNT_REPLAY' | 'UPLINK_F_CNT_RETRANSMISSION' | 'UPLINK_F_CNT_GAP',
    description: string,
  ): void {
    this.publisher.log(
      m.ctx,
      code === 'UPLINK_F_CNT_RETRANSMISSION' ? 'INFO' : 'WARNING',
      code,
      description,
      { deduplicationId: uplink.deduplicationId, fCnt: String(m.fCnt) },
      m.session,
    );
  }
}
