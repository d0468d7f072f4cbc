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
import { DeduplicatedUplink, FirstCopy } from './deduplicated-uplink';
import { MAC_LAYER } from './mac-layer.token';
import { NetworkCounters } from './network-counters';
import { Authenticated, Candidate, matchSession } from './session-matcher';
import { buildStatusEvent, buildUpEvent } from './up-event';
import { macUplinkContext, recordHeard, uplinkMacBytes } from './uplink-frame';

const MAX_FCNT = 0xffffffff;
/** An early check whose uplink never came (its gateways removed, a shutdown) is forgotten after this. */
export const EARLY_CHECK_TTL_MS = 60_000;

/** A frame verified and committed on its first copy (checkEarly), for its window's end (handle). */
interface EarlyCheck {
  m: Authenticated;
  /** The commit of its FCntUp (with the FCntDown of a foreseeable answer reserved); its failure is seen when the window closes. */
  committed: Promise<void>;
  checkedAt: number;
}

/**
 * A data uplink after deduplication (ARCHITECTURE.md "An uplink's way", step 4-6): the session
 * by DevAddr and MIC, the 32-bit FCnt and its checks, MAC commands, the ACK of a confirmed
 * downlink, the session committed, then the `up` event, then the downlink decision.
 *
 * Verified and committed on the first copy: the MIC and the frame counter do not depend on
 * which gateway heard the frame, so `checkEarly` runs them on the first copy and starts the
 * commit of the new FCntUp while the dedup window still collects the other copies. When the
 * window closes, `handle` takes that result: the commit is done by then (it overlapped the
 * window) and the `up` event leaves at once, with every copy. What needs every copy (where the
 * device was heard, ADR's best SNR and gateway count, the Class A answer) runs at the window's
 * end. A frame the early check does not accept (unknown, MIC failure, replay, retransmission,
 * gap) changes nothing there and is handled in full at the window's end, with its log event.
 */
@Injectable()
export class DataUplinkHandler {
  private readonly logger = new Logger('Uplink');
  /** By deduplicationId: frames checked on their first copy, waiting for their window to close. */
  private readonly early = new Map<string, EarlyCheck>();

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

  /**
   * The first copy of a data uplink, as its dedup window opens: when the frame verifies and its
   * counter is new, FCntUp advances and its commit starts now (reserving the FCntDown of an
   * answer that is already foreseeable), for `handle` to find when the window closes.
   */
  checkEarly(first: FirstCopy, frame: DataUpFrame): void {
    const now = Date.now();
    this.forgetStale(now);
    const { copy } = first;
    const m = matchSession(
      frame,
      copy.phyPayload,
      copy.tx,
      copy.rx.frequency,
      this.candidates(this.sessions.byDevAddr(frame.devAddr)),
    );
    if (m.kind !== 'match') return;
    const { session, fCnt } = m;
    if (isRetransmission(session.fCntUp, fCnt)) return;
    if (!isFCntGapAllowed(session.macVersion, fCnt - session.fCntUp + 1)) return;
    const c = this.counters.uplink;
    c.micAttempts += m.attempts;
    if (m.limited) c.micAttemptLimit++;
    session.fCntUp = Math.min(fCnt + 1, MAX_FCNT);
    const confirmed = frame.mType === MType.ConfirmedDataUp;
    // An answer already foreseeable: an ACK, ADRACKReq, MAC commands (which may ask one), a queued downlink.
    const reserved =
      confirmed ||
      frame.fCtrl.adrAckReq ||
      frame.fOpts.length > 0 ||
      frame.fPort === 0 ||
      this.queue.head(session.devEui) !== undefined;
    if (reserved) reserveFCntDown(session);
    this.sessions.markDirty(session);
    const committed = this.sessions.flushBeforePublish(reserved);
    committed.catch(() => undefined); // seen by handle, when the window closes
    this.early.set(first.deduplicationId, { m, committed, checkedAt: now });
  }

  /** Early checks waiting for their window to close. */
  get earlyChecks(): number {
    return this.early.size;
  }

  async handle(uplink: DeduplicatedUplink, frame: DataUpFrame): Promise<void> {
    const early = this.early.get(uplink.deduplicationId);
    if (early) {
      this.early.delete(uplink.deduplicationId);
      return this.accept(uplink, frame, early.m, early);
    }
    const c = this.counters.uplink;
    const found = this.sessions.byDevAddr(frame.devAddr);
    if (found.length === 0) {
      c.unknownDevAddr++;
      return;
    }
    const candidates = this.candidates(found);
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
    const { session, fCnt } = m;
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
      if (confirmed) await this.classA.answer({ ...this.answered(m, uplink), ack: true, mustAnswer: false });
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
    return this.accept(uplink, frame, m);
  }

  /**
   * A new frame: where it was heard, its MAC commands, the commit of its FCntUp (started by
   * checkEarly, or here), the `up` event, then the downlink decision.
   */
  private async accept(
    uplink: DeduplicatedUplink,
    frame: DataUpFrame,
    m: Authenticated,
    early?: EarlyCheck,
  ): Promise<void> {
    const c = this.counters.uplink;
    const { session, ctx, fCnt } = m;
    const confirmed = frame.mType === MType.ConfirmedDataUp;
    recordHeard(session, uplink, m, confirmed);
    const commands = this.macCommands(frame, session, ctx, fCnt);
    const macCtx = macUplinkContext(uplink, frame, m);
    const macResult = this.handleMac(ctx, session, commands, macCtx);

    // Persist before publish: the event goes out only once its FCntUp is on disk. When an answer
    // is due (ACK, a MAC answer, ADRACKReq, a queued payload), the same commit reserves its FCntDown.
    // An answer due in RX1 also makes the commit urgent: it goes at once, without gathering.
    // Checked early, that commit is under way (or done) already. An answer it did not foresee (an
    // ADR or status request the MAC layer plans) commits its own FCntDown before it leaves
    // (ClassADownlink), with the MAC state. So do MAC commands and their effects. What is left,
    // the ADR history entry and the last-seen time, is written with the device's next commit: a
    // crash can lose them for the last uplink, not a counter (docs/decisions.md).
    const mustAnswer = frame.fCtrl.adrAckReq || macResult.needsDownlink;
    const answerDue = confirmed || mustAnswer || this.queue.head(session.devEui) !== undefined;
    if (!early) {
      if (answerDue) reserveFCntDown(session);
      this.sessions.markDirty(session);
    } else if (commands.length > 0 || macResult.effects.length > 0) {
      this.sessions.markDirty(session);
    }
    const markedAt = Date.now();
    try {
      await (early ? early.committed : this.sessions.flushBeforePublish(answerDue));
    } catch (err) {
      c.persistFailures++;
      this.logger.error(
        `uplink ${uplink.deduplicationId} of ${session.devEui} dropped: session not committed: ${String(err)}`,
      );
      return;
    }
    c.accepted++;
    if (early) c.checkedEarly++;
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

    // A downlink decision only where something may go down: an ACK, what the MAC layer has to
    // send (mustAnswer: its answers and planned requests, MacUplinkResult.needsDownlink), a queued
    // item (also one waiting for this uplink's ACK bit). Otherwise it would find nothing, under the
    // device's lock, for most uplinks.
    if (confirmed || mustAnswer || this.queue.head(session.devEui) !== undefined) {
      await this.classA.answer({
        ...this.answered(m, uplink),
        ack: confirmed,
        ackBit: frame.fCtrl.ack,
        mustAnswer,
        mac: macCtx,
      });
    }
    if (isClassC(ctx, session) && this.queue.head(session.devEui)) this.classC.schedule(session.devEui, true);
  }

  /** The sessions (of one DevAddr) whose device is registered. */
  private candidates(sessions: readonly DeviceSession[]): Candidate[] {
    const candidates: Candidate[] = [];
    for (const session of sessions) {
      const ctx = this.registry.get(session.devEui);
      if (ctx) candidates.push({ session, ctx });
    }
    return candidates;
  }

  /** Forgets early checks whose uplink never came (oldest first: the map keeps insertion order). */
  private forgetStale(now: number): void {
    for (const [id, check] of this.early) {
      if (now - check.checkedAt < EARLY_CHECK_TTL_MS) return;
      this.early.delete(id);
    }
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

  /** What every Class A answer is told of its uplink: the device, its session and the radio. */
  private answered(m: Authenticated, uplink: DeduplicatedUplink) {
    const { session, ctx, fCnt } = m;
    return {
      uplink,
      session,
      ctx,
      fCnt,
      dataRate: m.dataRate,
      frequency: uplink.copies[0].rx.frequency,
      channel: m.channel,
    };
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
