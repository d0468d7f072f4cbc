import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { EventBus, JoinEvent, LogCode, LogLevel } from '@lns/event-bus';
import { JoinAnswerSuccess, JoinRequest, JoinServerService, KeyWrapping } from '@lns/join-server';
import {
  computeRejoinRequestMic,
  JoinRequestFrame,
  micEquals,
  micInput,
  RejoinRequestFrame,
} from '@lns/lorawan';
import { DownlinkScheduler } from '../downlink/downlink-scheduler';
import { DefaultMacLayer } from '../mac/default-mac-layer';
import { MacLayer } from '../mac/mac-layer';
import { MacState } from '../mac/mac-state';
import { DeviceContext, DeviceRegistry } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
import { SessionStore } from '../session/session-store';
import { ApplicationPublisher } from '../uplink/application-publisher';
import { DeduplicatedUplink } from '../uplink/deduplicated-uplink';
import { MAC_LAYER } from '../uplink/mac-layer.token';
import { AppSKeyKekProvider } from './app-s-key-kek';
import { DevAddrAllocator, DevAddrExhaustedError } from './dev-addr-allocator';
import { ExternalJoinServers } from './external/external-join-servers';
import { isExternalJoinFailure, JoinOutcome, JoinServerPort } from './external/join-server-port';
import { joinSettings, JoinSettings, settingsInForce } from './join-settings';
import { JoinRequestHandler } from './join-request-handler';
import { RejoinCounters } from './rejoin-counters';
import { sessionFromAnswer } from './session-from-answer';

/** What a (re)join asks of the join server, and how the new session's MAC state starts. */
interface JoinPlan {
  kind: 'join' | 'rejoin';
  ctx: DeviceContext;
  uplink: DeduplicatedUplink;
  settings: JoinSettings;
  /** A fresh state from the settings, or (rejoin type 2) the radio state in force. */
  mac: (settings: JoinSettings) => MacState;
  ask: (js: JoinServerPort, req: JoinRequest) => Promise<JoinOutcome>;
  /** For log contexts: DevNonce or RJcount. */
  nonce: Record<string, string>;
  /** The DevNonce or RJcount itself. */
  nonceValue: number;
}

/**
 * Join- and rejoin-requests of the network server (L104 §6.2, L11 §6.2): finds the device in the
 * registry, routes it to its join server (`joinServer: 'local'`, the embedded one, in-process; any other
 * id, that external join server over the Backend Interfaces, join/external), allocates a DevAddr in the
 * NetID's range, asks for the join-accept with the profile's DLSettings/RxDelay and the region's CFList,
 * activates the new session,
 * schedules the join-accept at JOIN_ACCEPT_DELAY1 (then 2) and tells the application: a `join` event,
 * or a `log` event (code OTAA) saying why not. Never throws: the uplink pipeline goes on.
 */
@Injectable()
export class LocalJoinRequestHandler extends JoinRequestHandler {
  private readonly logger = new Logger('Join');
  private readonly macLayer: MacLayer;
  private readonly netId: number;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly sessions: SessionStore,
    private readonly scheduler: DownlinkScheduler,
    private readonly publisher: ApplicationPublisher,
    private readonly bus: EventBus,
    private readonly devAddrs: DevAddrAllocator,
    private readonly rejoinCounters: RejoinCounters,
    @Inject(LNS_CONFIG) config: LnsConfig,
    @Optional() private readonly joinServer?: JoinServerService,
    @Optional() @Inject(MAC_LAYER) macLayer?: MacLayer,
    @Optional() private readonly keks?: AppSKeyKekProvider,
    @Optional() private readonly external?: ExternalJoinServers,
  ) {
    super();
    this.netId = parseInt(config.netId, 16);
    this.macLayer = macLayer ?? new DefaultMacLayer();
  }

  async handleJoinRequest(uplink: DeduplicatedUplink, frame: JoinRequestFrame): Promise<void> {
    const devEui = frame.devEui.toString('hex');
    const joinEui = frame.joinEui.toString('hex');
    const ctx = this.registry.getByJoin(joinEui, devEui);
    if (!ctx) {
      const other = this.registry.get(devEui);
      if (other) {
        this.log(
          other,
          'ERROR',
          'OTAA',
          `join-request with JoinEUI ${joinEui}, the device's is ${other.device.joinEui}`,
          {
            joinEui,
          },
        );
      } else {
        this.logger.debug(`join-request of unknown device ${devEui} (JoinEUI ${joinEui}): dropped`);
      }
      return;
    }
    const settings = joinSettings(ctx.profile, ctx.region);
    await this.run({
      kind: 'join',
      ctx,
      uplink,
      settings,
      mac: (s) => this.freshMacState(ctx, s),
      ask: (js, req) => js.handleJoinRequest(req),
      nonce: { devNonce: String(frame.devNonce) },
      nonceValue: frame.devNonce,
    });
  }

  async handleRejoinRequest(uplink: DeduplicatedUplink, frame: RejoinRequestFrame): Promise<void> {
    const devEui = frame.devEui.toString('hex');
    const ctx =
      frame.rejoinType === 1
        ? this.registry.getByJoin(frame.joinEui.toString('hex'), devEui)
        : this.registry.get(devEui);
    if (!ctx) {
      this.logger.debug(`rejoin-request type ${frame.rejoinType} of unknown device ${devEui}: dropped`);
      return;
    }
    if (ctx.profile.macVersion !== '1.1.0') {
      this.log(
        ctx,
        'WARNING',
        'OTAA',
        `rejoin-request from a LoRaWAN ${ctx.profile.macVersion} device: ignored (1.1 only)`,
      );
      return;
    }
    let plan: JoinPlan;
    if (frame.rejoinType === 1) {
      // Type 1 is verified by the join server (MIC under JSIntKey, RJcount1) (L11 §6.2.4.2).
      const settings = joinSettings(ctx.profile, ctx.region);
      plan = {
        kind: 'rejoin',
        ctx,
        uplink,
        settings,
        mac: (s) => this.freshMacState(ctx, s),
        ask: (js, req) => js.handleRejoinRequest(req),
        nonce: { rejoinType: '1', rjCount1: String(frame.rjCount1) },
        nonceValue: frame.rjCount1,
      };
    } else {
      const session = this.verifyRejoin02(ctx, uplink, frame);
      if (!session) return;
      const type2 = frame.rejoinType === 2;
      const settings = type2 ? settingsInForce(session.mac, true) : joinSettings(ctx.profile, ctx.region);
      plan = {
        kind: 'rejoin',
        ctx,
        uplink,
        settings,
        // Type 2 keeps the radio parameters (L11 §6.2.4.1); type 0 resets them like a join.
        mac: (s) => (type2 ? keptMacState(session.mac) : this.freshMacState(ctx, s)),
        ask: (js, req) => js.handleRejoinRequest(req),
        nonce: { rejoinType: String(frame.rejoinType), rjCount0: String(frame.rjCount0) },
        nonceValue: frame.rjCount0,
      };
    }
    await this.run(plan);
  }

  /**
   * Rejoin type 0/2 (L11 §6.2.4.1): only the network server can check it. The NetID must be ours, the MIC
   * must verify under the current session's SNwkSIntKey, and RJcount0 must exceed the last one seen in
   * this session.
   */
  private verifyRejoin02(
    ctx: DeviceContext,
    uplink: DeduplicatedUplink,
    frame: Extract<RejoinRequestFrame, { rejoinType: 0 | 2 }>,
  ): DeviceSession | undefined {
    const session = this.sessions.byDevEui(ctx.device.devEui);
    const type = frame.rejoinType;
    if (!session) {
      this.log(ctx, 'WARNING', 'OTAA', `rejoin-request type ${type} without an active session: ignored`);
      return undefined;
    }
    if (frame.netId !== this.netId) {
      const netId = frame.netId.toString(16).padStart(6, '0');
      this.log(
        ctx,
        'WARNING',
        'OTAA',
        `rejoin-request type ${type} for NetID ${netId}, not this network's: ignored`,
      );
      return undefined;
    }
    const mic = computeRejoinRequestMic({ key: session.sNwkSIntKey, msg: micInput(uplink.phyPayload) });
    if (!micEquals(mic, frame.mic)) {
      this.log(
        ctx,
        'ERROR',
        'OTAA',
        `rejoin-request type ${type}: MIC does not verify with the session's SNwkSIntKey`,
      );
      return undefined;
    }
    if (!this.rejoinCounters.accept(session, frame.rjCount0)) {
      this.log(
        ctx,
        'WARNING',
        'OTAA',
        `rejoin-request type ${type}: RJcount0 ${frame.rjCount0} not incremented (replay?)`,
        { rjCount0: String(frame.rjCount0) },
      );
      return undefined;
    }
    return session;
  }

  private async run(plan: JoinPlan): Promise<void> {
    const { ctx, kind } = plan;
    let devAddr: number | undefined;
    try {
      const joinServerId = ctx.device.joinServer ?? 'local';
      const local = joinServerId === 'local';
      const port = this.joinServerPort(plan, joinServerId);
      if (!port) return;
      if (ctx.device.activation !== 'OTAA') {
        this.log(ctx, 'WARNING', 'OTAA', `${kind}-request from an ABP device: ignored`);
        return;
      }
      let appSKeyWrapping: KeyWrapping | undefined;
      // An external join server wraps the AppSKey for the application server itself (TS002 §22); the
      // answer is checked for it (join/external/external-join-answer.ts).
      if (local && ctx.application.endToEnd) {
        appSKeyWrapping = this.keks?.kekFor(ctx.application.id);
        if (!appSKeyWrapping) {
          this.log(
            ctx,
            'ERROR',
            'OTAA',
            `${kind} refused: the end-to-end application has no AS transport key (ASTK) to wrap the AppSKey under`,
          );
          return;
        }
      }
      devAddr = this.devAddrs.allocate();
      const answer = await plan.ask(port, {
        phyPayload: plan.uplink.phyPayload,
        macVersion: ctx.profile.macVersion,
        devEui: ctx.device.devEui,
        devAddr,
        dlSettings: plan.settings.dlSettings,
        rxDelay: plan.settings.rxDelay,
        cfList: plan.settings.cfList,
        netId: this.netId,
        appSKeyWrapping,
      });
      if (isExternalJoinFailure(answer)) {
        this.log(ctx, answer.level, answer.code, answer.description, {
          result: answer.result,
          joinServer: joinServerId,
          ...plan.nonce,
        });
        return;
      }
      if (answer.result !== 'Success') {
        const level: LogLevel = answer.result === 'JoinReqFailed' ? 'WARNING' : 'ERROR';
        this.log(ctx, level, 'OTAA', `${kind}-request refused by the join server: ${answer.description}`, {
          result: answer.result,
          ...plan.nonce,
        });
        return;
      }
      await this.activate(plan, answer, devAddr);
    } catch (err) {
      if (err instanceof DevAddrExhaustedError) {
        this.log(ctx, 'ERROR', 'OTAA', `${kind} refused: ${err.message}`);
        return;
      }
      this.logger.error(
        `${kind} of ${ctx.device.devEui} failed: ${err instanceof Error ? err.stack : String(err)}`,
      );
      this.log(ctx, 'ERROR', 'OTAA', `${kind} failed: internal error`);
    } finally {
      if (devAddr !== undefined) this.devAddrs.release(devAddr);
    }
  }

  /**
   * The device's join server: the embedded one (in-process, the root keys never leave it) or the external
   * one its `joinServer` names. Undefined, after a log event, when that one does not run here.
   */
  private joinServerPort(plan: JoinPlan, joinServerId: string): JoinServerPort | undefined {
    const { ctx } = plan;
    if (joinServerId === 'local') {
      if (!this.joinServer)
        this.log(ctx, 'ERROR', 'JOIN_SERVER', 'no local join server runs in this process');
      return this.joinServer;
    }
    if (!this.external) {
      this.log(
        ctx,
        'ERROR',
        'JOIN_SERVER',
        `no Backend Interfaces client runs in this process (join server ${joinServerId})`,
      );
      return undefined;
    }
    return this.external.port(joinServerId, {
      uplink: plan.uplink,
      region: ctx.region,
      joinEui: ctx.device.joinEui ?? '',
      endToEnd: ctx.application.endToEnd,
      devNonce: plan.nonceValue,
    });
  }

  private async activate(plan: JoinPlan, answer: JoinAnswerSuccess, devAddr: number): Promise<void> {
    const { ctx } = plan;
    const lorawan11 = ctx.profile.macVersion === '1.1.0';
    if (lorawan11 !== answer.optNeg) {
      // The join server holds the device with another major version than its profile says.
      this.log(
        ctx,
        'ERROR',
        'OTAA',
        `the join server answered with LoRaWAN ${answer.optNeg ? '1.1' : '1.0'} session keys; the device profile says ${ctx.profile.macVersion}`,
      );
      return;
    }
    const session = sessionFromAnswer({
      devEui: ctx.device.devEui,
      devAddr,
      macVersion: ctx.profile.macVersion,
      applicationId: ctx.application.id,
      deviceProfileId: ctx.profile.id,
      answer,
      mac: plan.mac(plan.settings),
      now: Date.now(),
    });
    // Active before the join-accept leaves: the device's first uplink may follow it within a second.
    await this.sessions.activate(session);
    const sent = await this.scheduler.scheduleJoinAccept({
      uplink: plan.uplink,
      devEui: ctx.device.devEui,
      phyPayload: answer.phyPayload,
      session,
    });
    if (!sent.sent) {
      this.log(ctx, 'WARNING', 'OTAA', 'join-accept not sent: no gateway could transmit it in RX1 or RX2', {
        devAddr: hex8(devAddr),
      });
      return;
    }
    this.emitJoin(ctx, session, plan.uplink);
  }

  /** The `join` event (ChirpStack v4 shape); end-to-end applications get the wrapped AppSKey with it. */
  private emitJoin(ctx: DeviceContext, session: DeviceSession, uplink: DeduplicatedUplink): void {
    const payload: JoinEvent = {
      deduplicationId: uplink.deduplicationId,
      time: new Date(uplink.firstReceivedAt).toISOString(),
      deviceInfo: this.publisher.deviceInfo(ctx, session),
      devAddr: hex8(session.devAddr),
    };
    if (session.appSKeyEnvelope && session.sessionKeyId) {
      payload.joinServerContext = {
        sessionKeyId: session.sessionKeyId,
        appSKey: { ...session.appSKeyEnvelope },
      };
    }
    this.bus.emit('application.event', {
      type: 'join',
      applicationId: ctx.application.id,
      devEui: ctx.device.devEui,
      payload,
    });
  }

  private freshMacState(ctx: DeviceContext, s: JoinSettings): MacState {
    return this.macLayer.initialState(ctx.region, {
      rx1DrOffset: s.dlSettings.rx1DrOffset,
      rx2DataRate: s.dlSettings.rx2DataRate,
      // The join-accept does not carry the RX2 frequency: the device keeps the region's default.
      rx2Frequency: ctx.region.rx2.frequency,
      rxDelay: s.rxDelay,
      cfList: s.cfList,
      deviceClass: initialClass(ctx),
    });
  }

  private log(
    ctx: DeviceContext,
    level: LogLevel,
    code: LogCode,
    description: string,
    context: Record<string, string> = {},
  ): void {
    this.logger.debug(`${ctx.device.devEui}: ${description}`);
    this.publisher.log(ctx, level, code, description, context);
  }
}

/**
 * 1.0.x has no class negotiation: a Class C device listens continuously once joined. A 1.1 device starts
 * in Class A and switches with DeviceModeInd (L11 Class C chapter).
 */
function initialClass(ctx: DeviceContext): 'A' | 'C' {
  return ctx.profile.supportsClassC && ctx.profile.macVersion !== '1.1.0' ? 'C' : 'A';
}

/** The radio state in force, without the MAC dialogue of the old session (its requests die with it). */
function keptMacState(mac: MacState): MacState {
  const copy = JSON.parse(JSON.stringify(mac)) as MacState;
  return { ...copy, pending: [], answers: [], uplinkHistory: [], rejections: {}, rekeyed: undefined };
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
