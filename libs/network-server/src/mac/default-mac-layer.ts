/**
 * The network server's MAC layer: reads the commands of each uplink through the per-command files, and
 * decides the commands of each downlink — answers first, then the requests that bring the device to the
 * wanted settings, within the space the frame leaves. Pure: no I/O, no clock but `ctx.now`.
 */
import { encodeMacCommand, LorawanError, MacCommand, Region } from '@lns/lorawan';
import { adr, DEFAULT_INSTALLATION_MARGIN } from './adr';
import { adrParamSetup } from './adr-param-setup';
import { AnyMacRequester, MacCommandModule, MacDevice, MacSettings, RequestName, UplinkEnv } from './command';
import { devStatus, DEFAULT_DEV_STATUS_INTERVAL_MS } from './dev-status';
import { deviceMode } from './device-mode';
import { deviceTime } from './device-time';
import { dlChannel } from './dl-channel';
import { dutyCycle } from './duty-cycle';
import { MacLayerError } from './errors';
import { forceRejoin } from './force-rejoin';
import { buildInitialState, MacStateInit } from './initial-state';
import { linkAdr } from './link-adr';
import { linkCheck } from './link-check';
import { MacEffect, MacLayer, MacUplinkContext, MacUplinkResult } from './mac-layer';
import { MacState } from './mac-state';
import { newChannel } from './new-channel';
import { dequeue, isBlocked, isPending, judgeUnanswered, queuedFor, recordSent } from './pending-requests';
import { rejoinParamSetup } from './rejoin-param-setup';
import { rekey } from './rekey';
import { reset } from './reset';
import { rxParamSetup } from './rx-param-setup';
import { rxTimingSetup } from './rx-timing-setup';
import { txParamSetup } from './tx-param-setup';
import { recordUplink, trackDataRate } from './uplink-history';

export type DefaultMacLayerOptions = Partial<MacSettings>;

export const DEFAULT_MAX_REJECTIONS = 3;
/** Longer than an uplink's airtime plus the dedup window: an uplink handled sooner may predate the downlink. */
export const DEFAULT_ANSWER_GRACE_MS = 2000;

/**
 * Request order within a downlink: channels are defined (NewChannelReq, DlChannelReq) before a LinkADRReq
 * mask may enable them; ForceRejoinReq goes last since the device leaves the session when it acts on it.
 */
const MODULES: readonly MacCommandModule[] = [
  reset,
  rekey,
  deviceMode,
  linkCheck,
  deviceTime,
  newChannel,
  dlChannel,
  linkAdr,
  rxParamSetup,
  rxTimingSetup,
  txParamSetup,
  dutyCycle,
  adrParamSetup,
  rejoinParamSetup,
  devStatus,
  forceRejoin,
];

const REQUESTERS: readonly AnyMacRequester[] = MODULES.flatMap((m) => (m.request ? [m.request] : []));
const REQUESTER_BY_NAME = new Map<string, AnyMacRequester>(REQUESTERS.map((r) => [r.name, r]));

type AnyHandler = (env: UplinkEnv, cmd: MacCommand, following: readonly MacCommand[]) => number | void;
const HANDLERS = new Map<string, AnyHandler>(
  MODULES.flatMap((m) => Object.entries(m.uplink) as [string, AnyHandler][]),
);

/** Class B is not offered: its uplink commands are noted and left unanswered. */
const CLASS_B = new Set(['PingSlotInfoReq', 'PingSlotChannelAns', 'BeaconTimingReq', 'BeaconFreqAns']);

interface PlannedRequest {
  requester: AnyMacRequester;
  commands: MacCommand[];
}

function encodedLength(cmd: MacCommand): number {
  return encodeMacCommand(cmd).length;
}

function checkOption(ok: boolean, field: string, value: unknown): void {
  if (!ok) throw new MacLayerError('BAD_SETTING', `${field}: ${String(value)} is out of range`, field);
}

export class DefaultMacLayer implements MacLayer {
  private readonly settings: MacSettings;

  constructor(options: DefaultMacLayerOptions = {}) {
    this.settings = {
      ...options,
      adr: options.adr ?? adr,
      installationMargin: options.installationMargin ?? DEFAULT_INSTALLATION_MARGIN,
      devStatusIntervalMs: options.devStatusIntervalMs ?? DEFAULT_DEV_STATUS_INTERVAL_MS,
      maxRejections: options.maxRejections ?? DEFAULT_MAX_REJECTIONS,
      answerGraceMs: options.answerGraceMs ?? DEFAULT_ANSWER_GRACE_MS,
    };
    const s = this.settings;
    checkOption(Number.isFinite(s.installationMargin), 'installationMargin', s.installationMargin);
    checkOption(s.devStatusIntervalMs > 0, 'devStatusIntervalMs', s.devStatusIntervalMs);
    checkOption(Number.isInteger(s.maxRejections) && s.maxRejections >= 1, 'maxRejections', s.maxRejections);
    checkOption(s.answerGraceMs >= 0, 'answerGraceMs', s.answerGraceMs);
  }

  handleUplink(state: MacState, commands: MacCommand[], ctx: MacUplinkContext): MacUplinkResult {
    const effects: MacEffect[] = [];
    const sticky = new Set<string>();
    let needsDownlink = false;
    const env: UplinkEnv = {
      state,
      ctx,
      settings: this.settings,
      effects,
      answer: (cmd) => {
        state.answers.push(cmd);
        needsDownlink = true;
      },
      needDownlink: () => {
        needsDownlink = true;
      },
      sticky: (name) => {
        sticky.add(name);
        // The device repeats a sticky answer until it receives a downlink: send one (L11 §5.5, §5.7.2, §5.8).
        needsDownlink = true;
      },
      log: (level, description, cid) => effects.push({ kind: 'log', level, description, cid }),
    };

    // Answers are for the downlink right after the uplink that asked; older ones are stale (DeviceTimeAns).
    state.answers = [];
    trackDataRate(state, ctx);
    for (let i = 0; i < commands.length; i++) {
      const cmd = commands[i];
      const handler = HANDLERS.get(cmd.cid);
      if (handler === undefined) {
        env.log(
          'INFO',
          CLASS_B.has(cmd.cid)
            ? `${cmd.cid}: Class B is not supported`
            : `${cmd.cid} is not an uplink command`,
          cmd.cid,
        );
        continue;
      }
      i += handler(env, cmd, commands.slice(i + 1)) ?? 0;
    }
    judgeUnanswered(env);
    recordUplink(state, ctx);
    if (sticky.size > 0) state.stickyAnswers = [...sticky];
    else delete state.stickyAnswers;

    // L11 §4.3.1.1: ADRACKReq asks for any downlink within ADR_ACK_DELAY uplinks.
    if (ctx.adrAckReq) needsDownlink = true;
    if (!needsDownlink && this.plan(state, ctx).length > 0) needsDownlink = true;
    return { effects, needsDownlink };
  }

  nextDownlinkCommands(
    state: MacState,
    ctx: MacUplinkContext,
    maxBytes: number,
    fCntDown: number,
  ): MacCommand[] {
    let budget = Number.isFinite(maxBytes) ? Math.max(0, Math.floor(maxBytes)) : 0;
    const out: MacCommand[] = [];
    for (const answer of state.answers) {
      const n = encodedLength(answer);
      if (n > budget) continue;
      out.push(answer);
      budget -= n;
    }
    state.answers = [];
    for (const { requester, commands } of this.plan(state, ctx)) {
      const n = commands.reduce((sum, c) => sum + encodedLength(c), 0);
      if (n > budget) continue;
      out.push(...commands);
      budget -= n;
      if (requester.answered) recordSent(state, commands, fCntDown, ctx.now);
      else dequeue(state, commands);
      requester.onSent?.(state, commands as never[], ctx);
    }
    return out;
  }

  initialState(region: Region, init: MacStateInit): MacState {
    return buildInitialState(region, init);
  }

  /**
   * Queues a request an operator wants sent (e.g. DevStatusReq now, a DlChannelReq, a ForceRejoinReq). It
   * goes out with the next downlinks until the device answers it, or refuses it `maxRejections` times.
   * With `device`, a command that device's version or region does not know is refused at once. Note that a
   * setting the profile also manages (RX parameters, ADR) is brought back to the profile's value afterwards.
   */
  requestCommand(state: MacState, cmd: MacCommand, device?: MacDevice): void {
    const name = (cmd as { cid?: unknown } | null)?.cid;
    const requester = typeof name === 'string' ? REQUESTER_BY_NAME.get(name) : undefined;
    if (requester === undefined) {
      throw new MacLayerError('NOT_A_REQUEST', `${String(name)} is not a request the network sends`, 'cid');
    }
    try {
      encodeMacCommand(cmd);
    } catch (e) {
      if (!(e instanceof LorawanError)) throw e;
      // The codec's message reads "<Command>: <field> <value> is not …".
      const field = /^\w+: (\w+) /.exec(e.message)?.[1];
      throw new MacLayerError('BAD_COMMAND', e.message, field);
    }
    if (device !== undefined && !requester.supported(device)) {
      throw new MacLayerError(
        'UNSUPPORTED_COMMAND',
        `${requester.name} is not known to a LoRaWAN ${device.macVersion} device in ${device.region.name}`,
        'cid',
      );
    }
    (state.queued ??= []).push({ ...cmd });
    // An explicit request gets a fresh count of refusals.
    delete state.rejections[requester.name];
    if (state.refused !== undefined) delete state.refused[requester.name];
  }

  /** The requests the network would send now, in downlink order, each unit all-or-nothing. */
  private plan(state: MacState, ctx: MacUplinkContext): PlannedRequest[] {
    const planned: PlannedRequest[] = [];
    const sticky = new Set(state.stickyAnswers ?? []);
    for (const requester of REQUESTERS) {
      const name: RequestName = requester.name;
      // TTS sticky.go: a new request could not be told apart from the sticky repeats of the old answer.
      if (!requester.supported(ctx) || isPending(state, name) || sticky.has(name)) continue;
      const queued = queuedFor(state, name);
      let commands: MacCommand[];
      try {
        commands = queued.length > 0 ? queued : requester.wanted(state, ctx, this.settings);
      } catch (e) {
        // A setting the region cannot express is skipped, never a crash on the uplink path.
        if (e instanceof LorawanError) continue;
        throw e;
      }
      const units = requester.block && queued.length === 0 ? [commands] : commands.map((c) => [c]);
      for (const unit of units) {
        if (unit.length > 0 && !isBlocked(state, name, unit, this.settings.maxRejections)) {
          planned.push({ requester, commands: unit });
        }
      }
    }
    return planned;
  }
}
