/**
 * A simulated LoRaWAN end-device (Class A, or C), LoRaWAN 1.0.2-1.0.4 and 1.1, OTAA or ABP — the device side
 * of the protocol for end-to-end tests and benchmarks. No sockets and no clock: the radio is abstracted
 * (frames out with frequency/DR/channel, frames in), and time is the caller's (`rxWindows` works in the
 * gateway's concentrator microseconds).
 *
 * Behaviour follows the specification and LoRaMac-node (the reference device stack): DevNonce rules, join-accept
 * checks, FCnt handling, MAC command answers (sticky ones included), ADR_ACK back-off, 1.1 RekeyInd/ResetInd.
 * All protocol code (frames, MICs, encryption, keys, MAC codecs, regions) is `@lns/lorawan`'s; everything
 * random comes from the seeded `Rng`, so a device is deterministic under its seed.
 */
import {
  decodeCFList,
  decodeMacCommands,
  decodePhyPayload,
  DownlinkMacCommand,
  encodeMacCommands,
  FOPTS_MAX_LENGTH,
  getRegion,
  isFCntGapAllowed,
  LorawanError,
  MType,
  PhyPayload,
  reconstructFCnt,
  Region,
  UplinkMacCommand,
} from '@lns/lorawan';
import { ChannelPlan } from './device/channels';
import { DeviceError } from './device/errors';
import {
  decryptDownlink,
  downlinkCounter,
  encodeUplink,
  Session,
  signUplink,
  verifyDownlinkMic,
} from './device/frames';
import { buildJoinRequest, JoinKeys, openJoinAccept } from './device/join';
import { defaultMacParams, MacHost, MacParams, processMacCommands } from './device/mac-answers';
import type {
  AbpActivation10,
  AbpActivation11,
  Bytes,
  DeviceClass,
  DeviceCounters,
  DeviceEvent,
  DeviceSessionKeys,
  DeviceState,
  DownlinkMeta,
  DownlinkRejectReason,
  DownlinkResult,
  JoinRequestResult,
  LoggedEvent,
  MacVersion,
  RxWindow,
  RxWindows,
  ScheduledDownlink,
  UplinkOptions,
  UplinkResult,
  VirtualDeviceConfig,
} from './device/types';
import { Rng } from './rng';

const MAC_VERSIONS: readonly MacVersion[] = ['1.0.2', '1.0.3', '1.0.4', '1.1.0'];
const FHDR_LENGTH = 7;
const MAX_FCNT = 0xffffffff;

/** Radio parameters of the last transmission and the receive windows it opens. */
interface LastTx {
  kind: 'join-accept' | 'data';
  rx1: Omit<RxWindow, 'tmst'>;
  rx2: Omit<RxWindow, 'tmst'>;
}

/** The last data frame, kept so `repeat()` can send it again with the same FCnt. */
interface LastFrame {
  template: Buffer;
  fCnt: number;
  confFCnt?: number;
  dataRate: number;
  result: UplinkResult;
}

export class VirtualDevice {
  readonly devEui: Buffer;
  readonly joinEui: Buffer;
  readonly region: Region;
  readonly macVersion: MacVersion;

  private classOfDevice: DeviceClass;
  private readonly rng: Rng;
  private readonly channels: ChannelPlan;
  private params: MacParams;
  private session?: Session;
  private readonly otaaKeys?: JoinKeys;
  private readonly bootDataRate: number;
  private readonly bootTxPower: number;
  private readonly joinDataRate?: number;
  private readonly adr: boolean;
  private battery: number;

  private nextDevNonce: number;
  private readonly usedDevNonces: number[];
  private readonly usedDevNonceSet: Set<number>;
  private lastJoinNonce?: number;
  private pendingJoin?: { devNonce: number };

  private lastTx?: LastTx;
  private lastFrame?: LastFrame;
  private lastUplinkFCnt?: number;
  private lastUplinkConfirmed = false;
  /** Non-sticky answers for the next uplink only. */
  private answers: UplinkMacCommand[] = [];
  /** Sticky answers: in every uplink until a downlink arrives. */
  private sticky: UplinkMacCommand[] = [];
  private rekeyPending = false;
  private rekeyUplinks = 0;
  private resetPending = false;
  private deviceModeInd?: UplinkMacCommand;
  /** Counter of the confirmed downlink the next uplink acknowledges. */
  private ackPending?: { fCnt: number };
  private adrAckCnt = 0;
  private lastSnr = 0;

  private linkCheck?: { margin: number; gwCnt: number };
  private deviceTime?: { gpsEpochSeconds: number; fractionalSecond: number };
  private rejoinParams?: { maxTimeN: number; maxCountN: number };
  private forceRejoin?: { period: number; maxRetries: number; rejoinType: number; dataRate: number };

  private readonly stats: DeviceCounters = {
    joinRequests: 0,
    joinAccepts: 0,
    joinAcceptsRejected: 0,
    uplinks: 0,
    transmissions: 0,
    downlinks: 0,
    downlinksAccepted: 0,
    downlinksRejected: 0,
    micFailures: 0,
    replays: 0,
    acksReceived: 0,
    macCommandsReceived: 0,
    macCommandsAnswered: 0,
  };
  private readonly events: LoggedEvent[] = [];
  private seq = 0;
  private readonly logLimit: number;

  constructor(config: VirtualDeviceConfig) {
    if (!MAC_VERSIONS.includes(config.macVersion)) {
      throw new DeviceError('BAD_CONFIG', `unsupported MAC version ${String(config.macVersion)}`);
    }
    this.macVersion = config.macVersion;
    this.region = typeof config.region === 'string' ? getRegion(config.region) : config.region;
    this.devEui = bytes(config.devEui, 8, 'devEui');
    this.joinEui = config.joinEui === undefined ? Buffer.alloc(8) : bytes(config.joinEui, 8, 'joinEui');
    this.classOfDevice = config.deviceClass ?? 'A';
    this.rng = new Rng(config.seed);
    const subBand = config.subBand === undefined ? 2 : config.subBand;
    this.channels = new ChannelPlan(this.region, subBand);
    this.bootDataRate = config.dataRate ?? this.region.maxAdrDataRate;
    this.bootTxPower = config.txPower ?? 0;
    this.checkUplinkDr(this.bootDataRate);
    if (
      !Number.isInteger(this.bootTxPower) ||
      this.bootTxPower < 0 ||
      this.bootTxPower >= this.region.txPowerOffsets.length
    ) {
      throw new DeviceError('BAD_CONFIG', `TXPower ${this.bootTxPower} is not valid in ${this.region.name}`);
    }
    this.params = defaultMacParams(this.region, this.bootDataRate, this.bootTxPower);
    this.adr = config.adr ?? true;
    this.battery = config.battery ?? 255;
    this.joinDataRate = config.joinDataRate;
    this.nextDevNonce = config.devNonce ?? 0;
    this.usedDevNonces = [...(config.usedDevNonces ?? [])];
    this.usedDevNonceSet = new Set(this.usedDevNonces);
    this.lastJoinNonce = config.lastJoinNonce;
    this.logLimit = config.logLimit ?? 1000;

    const act = config.activation;
    if (act.type === 'OTAA') {
      const appKey = bytes(act.appKey, 16, 'appKey');
      let nwkKey: Buffer | undefined;
      if (this.macVersion === '1.1.0') {
        if (act.nwkKey === undefined)
          throw new DeviceError('BAD_CONFIG', 'a LoRaWAN 1.1 device needs nwkKey');
        nwkKey = bytes(act.nwkKey, 16, 'nwkKey');
      }
      this.otaaKeys = { appKey, nwkKey };
    } else {
      this.session = abpSession(this.macVersion, act);
      // L11 §5.1: a 1.1 ABP device sends ResetInd in every uplink after a reset until ResetConf.
      this.resetPending = this.session.mode === '1.1';
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Join

  /**
   * Builds a join-request: DevNonce random and never reused (≤1.0.3) or the next counter value (1.0.4/1.1),
   * on a join channel (the default channels; the configured sub-band in US915/AU915). Like LoRaMac-node, a
   * join-request resets the MAC parameters and channel plan to their defaults.
   */
  joinRequest(): JoinRequestResult {
    if (this.otaaKeys === undefined) throw new DeviceError('ABP_DEVICE', 'an ABP device does not join');
    this.resetMac();
    const candidates = this.channels.joinCandidates(this.joinDataRate);
    if (candidates.length === 0) {
      throw new DeviceError('NO_CHANNEL', `no join channel for DR${String(this.joinDataRate)}`);
    }
    const devNonce = this.takeDevNonce();
    const c = this.rng.pick(candidates);
    const phyPayload = buildJoinRequest(this.macVersion, this.otaaKeys, this.joinEui, this.devEui, devNonce);
    this.pendingJoin = { devNonce };
    this.lastTx = {
      kind: 'join-accept',
      rx1: this.rx1For(c.index, c.dataRate, this.region.joinAcceptDelay1),
      rx2: { ...this.params.rx2, delay: this.region.joinAcceptDelay2 },
    };
    this.stats.joinRequests++;
    this.stats.transmissions++;
    this.event({
      type: 'join-request',
      devNonce,
      frequency: c.frequency,
      dataRate: c.dataRate,
      channel: c.index,
    });
    return {
      phyPayload,
      frequency: c.frequency,
      dataRate: c.dataRate,
      channel: c.index,
      txPower: this.params.txPower,
      eirp: this.region.txPowerEirp(this.params.txPower, this.params.maxEirp),
      devNonce,
    };
  }

  /**
   * Processes a join-accept answering the pending join-request: decrypt, MIC, JoinNonce (1.0.4/1.1), session
   * keys, DLSettings, RxDelay, CFList, counters reset. False (and nothing changed) when it is not accepted.
   */
  handleJoinAccept(phyPayload: Buffer): boolean {
    if (this.otaaKeys === undefined || this.pendingJoin === undefined) {
      return this.rejectJoinAccept('no join-request pending');
    }
    const outcome = openJoinAccept(phyPayload, {
      macVersion: this.macVersion,
      keys: this.otaaKeys,
      joinEui: this.joinEui,
      devEui: this.devEui,
      devNonce: this.pendingJoin.devNonce,
      lastJoinNonce: this.lastJoinNonce,
    });
    if (!outcome.ok) {
      if (outcome.reason === 'MIC_FAILED') this.stats.micFailures++;
      return this.rejectJoinAccept(`${outcome.reason}: ${outcome.message}`);
    }
    const { accept, mode, keys } = outcome;
    this.pendingJoin = undefined;
    this.session = {
      mode,
      devAddr: accept.devAddr,
      netId: accept.netId,
      keys,
      fCntUp: 0,
      nFCntDown: 0,
      aFCntDown: 0,
    };
    this.lastJoinNonce = accept.joinNonce;
    this.params.rx1DrOffset = accept.dlSettings.rx1DrOffset;
    this.params.rx2 = { frequency: this.params.rx2.frequency, dataRate: accept.dlSettings.rx2DataRate };
    this.params.rxDelay = accept.rxDelay === 0 ? 1 : accept.rxDelay;
    let cfListType: number | undefined;
    if (accept.cfList !== undefined) {
      try {
        const cfList = decodeCFList(accept.cfList);
        cfListType = cfList.type;
        if (this.channels.applyCfList(cfList) === 'ignored') {
          this.event({ type: 'mac-ignored', reason: `CFList type ${cfList.type} not applicable` });
        }
      } catch (e) {
        if (!(e instanceof LorawanError)) throw e;
        this.event({ type: 'mac-ignored', reason: `CFList: ${e.message}` });
      }
    }
    this.clearSessionState();
    // L11 §5.10: after an OptNeg join the device sends RekeyInd until RekeyConf.
    this.rekeyPending = mode === '1.1';
    this.rekeyUplinks = 0;
    this.stats.joinAccepts++;
    this.event({
      type: 'join-accept',
      devAddr: accept.devAddr,
      netId: accept.netId,
      joinNonce: accept.joinNonce,
      optNeg: mode === '1.1',
      rx1DrOffset: accept.dlSettings.rx1DrOffset,
      rx2DataRate: accept.dlSettings.rx2DataRate,
      rxDelay: this.params.rxDelay,
      cfListType,
    });
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Uplink

  /**
   * Builds the next data frame: FCntUp (32-bit, 16 LSB on air), encrypted FRMPayload, pending MAC answers in
   * FOpts (FPort 0 when they exceed 15 bytes; 1.1: FOpts encrypted), ACK/ADR/ADRACKReq bits, the MIC of the
   * session's version, on a random enabled channel at the current data rate. Repetitions: `repeat()`.
   */
  uplink(opts: UplinkOptions = {}): UplinkResult {
    const s = this.requireSession();
    this.checkRekeyTimeout();
    if (s.fCntUp > MAX_FCNT)
      throw new DeviceError('FCNT_EXHAUSTED', 'FCntUp exhausted: the session must end');
    const requested = opts.fPort;
    if (requested !== undefined && (!Number.isInteger(requested) || requested < 0 || requested > 255)) {
      throw new DeviceError('BAD_FPORT', `FPort ${requested} is not 0..255`);
    }
    if (requested === undefined && opts.payload !== undefined && opts.payload.length > 0) {
      throw new DeviceError('BAD_FPORT', 'a payload needs an FPort');
    }
    const adrAckReq = this.adrStep();
    const dr = this.params.dataRate;

    const macCommands: UplinkMacCommand[] = [
      ...(this.resetPending ? [{ cid: 'ResetInd', minor: 1 } as const] : []),
      ...(this.rekeyPending ? [{ cid: 'RekeyInd', minor: 1 } as const] : []),
      ...(this.deviceModeInd ? [this.deviceModeInd] : []),
      ...this.sticky,
      ...this.answers,
      ...(opts.macCommands ?? []),
    ];
    for (const c of opts.macCommands ?? []) {
      if (c.cid === 'DeviceModeInd') this.deviceModeInd = c;
    }
    const macBytes = encodeMacCommands(macCommands);
    let fPort = requested;
    let payload = opts.payload;
    let fOpts = macBytes;
    let macInFrmPayload = false;
    let appPayloadSkipped = false;
    if (fPort === 0) {
      payload = Buffer.concat([macBytes, opts.payload ?? Buffer.alloc(0)]);
      fOpts = Buffer.alloc(0);
      macInFrmPayload = macBytes.length > 0;
    } else if (macBytes.length > FOPTS_MAX_LENGTH) {
      // LoRaMac-node: MAC commands that do not fit FOpts take the frame on FPort 0; the app data is skipped.
      appPayloadSkipped = fPort !== undefined;
      fPort = 0;
      payload = macBytes;
      fOpts = Buffer.alloc(0);
      macInFrmPayload = true;
    }
    const max = this.region.getMaxPayload(dr, this.params.uplinkDwellTime);
    if (max === null)
      throw new DeviceError('BAD_DATA_RATE', `DR${dr} is not allowed under the dwell-time limit`);
    const macPayloadLength =
      FHDR_LENGTH + fOpts.length + (fPort === undefined ? 0 : 1 + (payload?.length ?? 0));
    if (macPayloadLength > max.m) {
      throw new DeviceError(
        'PAYLOAD_TOO_LONG',
        `MACPayload of ${macPayloadLength} bytes exceeds M = ${max.m} at DR${dr} in ${this.region.name}`,
      );
    }
    const channel = this.channels.pick(this.rng, dr);
    if (channel === undefined) throw new DeviceError('NO_CHANNEL', `no enabled channel carries DR${dr}`);

    const fCnt = s.fCntUp;
    const confirmed = opts.confirmed === true;
    const ack = this.ackPending !== undefined;
    const confFCnt = this.ackPending?.fCnt;
    const template = encodeUplink(s, {
      confirmed,
      fCnt,
      adr: this.adr,
      adrAckReq,
      ack,
      fOpts,
      fPort,
      payload: fPort === undefined ? undefined : payload,
    });
    const phyPayload = signUplink(s, Buffer.from(template), { fCnt, confFCnt, txDr: dr, txCh: channel });

    s.fCntUp = fCnt + 1;
    this.answers = [];
    this.ackPending = undefined;
    this.lastUplinkFCnt = fCnt;
    this.lastUplinkConfirmed = confirmed;
    if (this.adr) this.adrAckCnt++;
    if (this.rekeyPending) this.rekeyUplinks++;
    this.lastTx = {
      kind: 'data',
      rx1: this.rx1For(channel, dr, this.params.rxDelay),
      rx2: { ...this.params.rx2, delay: this.params.rxDelay + 1 },
    };
    const result: UplinkResult = {
      phyPayload,
      frequency: (this.channels.get(channel) as { frequency: number }).frequency,
      dataRate: dr,
      channel,
      txPower: this.params.txPower,
      eirp: this.region.txPowerEirp(this.params.txPower, this.params.maxEirp),
      fCnt,
      fPort,
      confirmed,
      macCommands,
      macInFrmPayload,
      appPayloadSkipped,
      ack,
      adr: this.adr,
      adrAckReq,
      transmission: 1,
      nbTrans: this.params.nbTrans,
    };
    this.lastFrame = { template, fCnt, confFCnt, dataRate: dr, result };
    this.stats.uplinks++;
    this.stats.transmissions++;
    this.logUplink(result);
    return result;
  }

  /**
   * The last data frame again — an NbTrans repetition or a retransmission of an unacknowledged confirmed
   * uplink: same FCnt and content, a new channel (so a new MIC in 1.1, whose B1 holds TxCh).
   */
  repeat(): UplinkResult {
    const s = this.requireSession();
    const f = this.lastFrame;
    if (f === undefined) throw new DeviceError('NO_TRANSMISSION', 'no data frame to repeat');
    const channel = this.channels.pick(this.rng, f.dataRate);
    if (channel === undefined)
      throw new DeviceError('NO_CHANNEL', `no enabled channel carries DR${f.dataRate}`);
    const phyPayload = signUplink(s, Buffer.from(f.template), {
      fCnt: f.fCnt,
      confFCnt: f.confFCnt,
      txDr: f.dataRate,
      txCh: channel,
    });
    this.lastTx = {
      kind: 'data',
      rx1: this.rx1For(channel, f.dataRate, this.params.rxDelay),
      rx2: { ...this.params.rx2, delay: this.params.rxDelay + 1 },
    };
    const result: UplinkResult = {
      ...f.result,
      phyPayload,
      channel,
      frequency: (this.channels.get(channel) as { frequency: number }).frequency,
      transmission: f.result.transmission + 1,
    };
    f.result = result;
    this.stats.transmissions++;
    this.logUplink(result);
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // Receive windows

  /**
   * RX1 and RX2 of the last transmission (RECEIVE_DELAY1/2 from RxDelay, or JOIN_ACCEPT_DELAY1/2 after a
   * join-request). With the uplink's concentrator `tmst` (µs), each window carries the tmst it opens at.
   */
  rxWindows(uplinkTmst?: number): RxWindows {
    const tx = this.lastTx;
    if (tx === undefined) throw new DeviceError('NO_TRANSMISSION', 'nothing transmitted yet');
    const at = (w: Omit<RxWindow, 'tmst'>): RxWindow =>
      uplinkTmst === undefined ? { ...w } : { ...w, tmst: (uplinkTmst + w.delay * 1_000_000) >>> 0 };
    return { kind: tx.kind, rx1: at(tx.rx1), rx2: at(tx.rx2), classC: this.classOfDevice === 'C' };
  }

  /**
   * Which receive window a scheduled downlink falls in, if any: RX1 or RX2 of the last transmission (frequency,
   * data rate and tmst within `toleranceUs`), or 'RXC' for a Class C device listening on RX2's parameters.
   */
  matchRxWindow(
    downlink: ScheduledDownlink,
    uplinkTmst: number,
    toleranceUs = 0,
  ): 'RX1' | 'RX2' | 'RXC' | undefined {
    const w = this.rxWindows(uplinkTmst);
    const dr =
      typeof downlink.dataRate === 'number'
        ? downlink.dataRate
        : this.region.dataRateIndexOf(downlink.dataRate, 'downlink');
    const timed = (win: RxWindow) =>
      downlink.immediate !== true &&
      downlink.tmst !== undefined &&
      win.tmst !== undefined &&
      Math.abs((downlink.tmst - win.tmst) | 0) <= toleranceUs;
    const tuned = (f: number, d: number) => downlink.frequency === f && dr === d;
    if (timed(w.rx1) && tuned(w.rx1.frequency, w.rx1.dataRate)) return 'RX1';
    if (timed(w.rx2) && tuned(w.rx2.frequency, w.rx2.dataRate)) return 'RX2';
    if (w.classC && tuned(this.params.rx2.frequency, this.params.rx2.dataRate)) return 'RXC';
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Downlink

  /**
   * Processes a downlink data frame: DevAddr, 32-bit counter (FCntDown; 1.1 NFCntDown/AFCntDown), MIC (1.1:
   * ConfFCnt when ACK is set), replay, FOpts/FRMPayload decryption; then acts on it like a device: ACK the
   * next uplink for a confirmed frame, answer MAC commands.
   */
  handleDownlink(phyPayload: Buffer, meta: DownlinkMeta = {}): DownlinkResult {
    this.stats.downlinks++;
    let frame: PhyPayload;
    try {
      frame = decodePhyPayload(phyPayload);
    } catch (e) {
      if (!(e instanceof LorawanError)) throw e;
      return this.rejectDownlink('MALFORMED', e.message);
    }
    if (frame.mType !== MType.UnconfirmedDataDown && frame.mType !== MType.ConfirmedDataDown) {
      return this.rejectDownlink('NOT_DATA_DOWNLINK', `MType ${frame.mType} is not a downlink data frame`);
    }
    const s = this.session;
    if (s === undefined) return this.rejectDownlink('NOT_ACTIVATED', 'the device has no session');
    if (frame.devAddr !== s.devAddr) {
      return this.rejectDownlink(
        'DEVADDR_MISMATCH',
        `DevAddr ${hex32(frame.devAddr)} is not ${hex32(s.devAddr)}`,
      );
    }
    const counter = downlinkCounter(s, frame.fPort);
    const next = counter === 'AFCntDown' ? s.aFCntDown : s.nFCntDown;
    const fCnt = reconstructFCnt(next, frame.fCnt);
    // 1.1 ConfFCnt: the FCntUp of the uplink this downlink answers (LoRaMac-node uses the last FCntUp).
    const confFCnt = frame.fCtrl.ack ? this.lastUplinkFCnt : undefined;
    if (!verifyDownlinkMic(s, phyPayload, frame, fCnt, confFCnt)) {
      this.stats.micFailures++;
      return this.rejectDownlink('MIC_FAILED', `MIC does not verify with ${counter} ${fCnt}`);
    }
    const confirmed = frame.mType === MType.ConfirmedDataDown;
    if (fCnt < next) {
      this.stats.replays++;
      if (fCnt === next - 1 && confirmed && s.mode !== '1.1') {
        // LoRaMac-node (1.0.x): a repeated confirmed downlink is not delivered again, but acknowledged again.
        this.ackPending = { fCnt };
      }
      return this.rejectDownlink('REPLAY', `${counter} ${fCnt} already received (next expected ${next})`);
    }
    if (!isFCntGapAllowed(this.macVersion, fCnt - next + 1)) {
      return this.rejectDownlink('FCNT_GAP', `${counter} gap ${fCnt - next + 1} exceeds MAX_FCNT_GAP`);
    }

    if (counter === 'AFCntDown') s.aFCntDown = fCnt + 1;
    else s.nFCntDown = fCnt + 1;
    const { fOpts, frmPayload } = decryptDownlink(s, frame, fCnt);
    if (meta.snr !== undefined) this.lastSnr = meta.snr;
    if (meta.slot !== 'RXC') {
      this.adrAckCnt = 0;
      this.sticky = [];
    }
    if (confirmed) this.ackPending = { fCnt };
    if (frame.fCtrl.ack && this.lastUplinkConfirmed) {
      this.stats.acksReceived++;
      this.lastUplinkConfirmed = false;
    }

    const macBytes = frame.fPort === 0 ? (frmPayload ?? Buffer.alloc(0)) : fOpts;
    const decoded = decodeMacCommands(macBytes, 'downlink');
    const { answers, processed } = processMacCommands(
      decoded.commands as DownlinkMacCommand[],
      this.macHost(meta),
    );
    if (decoded.rest !== undefined) {
      this.event({
        type: 'mac-ignored',
        reason: decoded.stop ?? 'UNKNOWN_CID',
        bytes: decoded.rest.toString('hex'),
      });
    }
    this.stats.macCommandsReceived += processed.length;
    for (const c of processed) this.event({ type: 'mac-received', command: c });
    for (const a of answers) {
      (a.sticky ? this.sticky : this.answers).push(a.command);
      this.stats.macCommandsAnswered++;
      this.event({ type: 'mac-answered', command: a.command });
    }
    this.stats.downlinksAccepted++;
    this.event({
      type: 'downlink',
      fCnt,
      counter,
      fPort: frame.fPort,
      confirmed,
      ack: frame.fCtrl.ack,
      fPending: frame.fCtrl.fPending,
      macCommands: processed.map((c) => c.cid),
    });
    return {
      accepted: true,
      confirmed,
      fPort: frame.fPort,
      payload: frame.fPort !== undefined && frame.fPort > 0 ? frmPayload : undefined,
      ack: frame.fCtrl.ack,
      fPending: frame.fCtrl.fPending,
      adr: frame.fCtrl.adr,
      fCnt,
      counter,
      macCommands: processed,
      answers: answers.map((a) => a.command),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Observability

  get joined(): boolean {
    return this.session !== undefined;
  }

  get deviceClass(): DeviceClass {
    return this.classOfDevice;
  }

  /** A copy of the counters. */
  get counters(): DeviceCounters {
    return { ...this.stats };
  }

  /** What the device saw, oldest first (at most `logLimit` events). */
  get log(): readonly LoggedEvent[] {
    return this.events;
  }

  /** Battery level for the next DevStatusAns (0 external power, 1..254, 255 unknown). */
  setBattery(level: number): void {
    if (!Number.isInteger(level) || level < 0 || level > 255) throw new RangeError(`battery ${level}`);
    this.battery = level;
  }

  /** The session keys (for test assertions); undefined before a join. Never logged. */
  sessionKeys(): DeviceSessionKeys | undefined {
    const k = this.session?.keys;
    if (k === undefined) return undefined;
    return {
      fNwkSIntKey: Buffer.from(k.fNwkSIntKey),
      sNwkSIntKey: Buffer.from(k.sNwkSIntKey),
      nwkSEncKey: Buffer.from(k.nwkSEncKey),
      appSKey: Buffer.from(k.appSKey),
    };
  }

  /** A snapshot of the device's state (copies; mutating it changes nothing). */
  state(): DeviceState {
    const s = this.session;
    const p = this.params;
    const lw11 = s?.mode === '1.1';
    const out: DeviceState = {
      macVersion: this.macVersion,
      deviceClass: this.classOfDevice,
      activation: this.otaaKeys === undefined ? 'ABP' : 'OTAA',
      joined: s !== undefined,
      lorawan11Session: lw11,
      fCntUp: s?.fCntUp ?? 0,
      fCntDown: s?.nFCntDown ?? 0,
      dataRate: p.dataRate,
      txPower: p.txPower,
      nbTrans: p.nbTrans,
      adr: this.adr,
      enabledChannels: this.channels.list(),
      rx1DrOffset: p.rx1DrOffset,
      rx2: { ...p.rx2 },
      rxDelay: p.rxDelay,
      maxDutyCycle: p.maxDutyCycle,
      maxEirp: p.maxEirp,
      uplinkDwellTime: p.uplinkDwellTime,
      downlinkDwellTime: p.downlinkDwellTime,
      adrAckLimit: p.adrAckLimit,
      adrAckDelay: p.adrAckDelay,
      adrAckCnt: this.adrAckCnt,
      devNonce: this.nextDevNonce,
      usedDevNonces: [...this.usedDevNonces],
      rekeyPending: this.rekeyPending,
      resetPending: this.resetPending,
      ackPending: this.ackPending !== undefined,
      battery: this.battery,
      pendingMacCommands: [
        ...(this.resetPending ? [{ cid: 'ResetInd', minor: 1 } as const] : []),
        ...(this.rekeyPending ? [{ cid: 'RekeyInd', minor: 1 } as const] : []),
        ...(this.deviceModeInd ? [this.deviceModeInd] : []),
        ...this.sticky,
        ...this.answers,
      ],
    };
    if (s !== undefined) {
      out.devAddr = s.devAddr;
      if (s.netId !== undefined) out.netId = s.netId;
    }
    if (lw11 && s !== undefined) {
      out.nFCntDown = s.nFCntDown;
      out.aFCntDown = s.aFCntDown;
    }
    if (this.lastJoinNonce !== undefined) out.lastJoinNonce = this.lastJoinNonce;
    if (this.linkCheck) out.lastLinkCheck = { ...this.linkCheck };
    if (this.deviceTime) out.lastDeviceTime = { ...this.deviceTime };
    if (this.rejoinParams) out.rejoinParams = { ...this.rejoinParams };
    if (this.forceRejoin) out.forceRejoin = { ...this.forceRejoin };
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private requireSession(): Session {
    if (this.session === undefined) throw new DeviceError('NOT_ACTIVATED', 'the device has not joined');
    return this.session;
  }

  private checkUplinkDr(dr: number): void {
    const rate = this.region.dataRates[dr];
    if (rate === undefined || !rate.uplink) {
      throw new DeviceError('BAD_CONFIG', `DR${dr} is not an uplink data rate of ${this.region.name}`);
    }
  }

  /** LoRaMac-node ResetMacParameters + InitDefaults: what a join-request starts from. */
  private resetMac(): void {
    this.params = defaultMacParams(this.region, this.bootDataRate, this.bootTxPower);
    this.channels.reset();
    this.clearSessionState();
  }

  private clearSessionState(): void {
    this.answers = [];
    this.sticky = [];
    this.ackPending = undefined;
    this.adrAckCnt = 0;
    this.lastFrame = undefined;
    this.lastUplinkFCnt = undefined;
    this.lastUplinkConfirmed = false;
    this.deviceModeInd = undefined;
  }

  private takeDevNonce(): number {
    let devNonce: number;
    if (this.macVersion === '1.0.4' || this.macVersion === '1.1.0') {
      // L104 §6.2.5 / L11 §6.2.2: a counter from 0, never reused for a JoinEUI.
      if (this.nextDevNonce > 0xffff) {
        throw new DeviceError('DEVNONCE_EXHAUSTED', 'DevNonce exhausted: the JoinEUI must change');
      }
      devNonce = this.nextDevNonce++;
    } else {
      // ≤1.0.3: random, and a value the network has seen is never reused (it would be rejected).
      if (this.usedDevNonceSet.size >= 0x10000) {
        throw new DeviceError('DEVNONCE_EXHAUSTED', 'every DevNonce has been used');
      }
      do devNonce = this.rng.int(0x10000);
      while (this.usedDevNonceSet.has(devNonce));
    }
    if (!this.usedDevNonceSet.has(devNonce)) {
      this.usedDevNonceSet.add(devNonce);
      this.usedDevNonces.push(devNonce);
    }
    return devNonce;
  }

  private rx1For(channel: number, dr: number, delay: number): Omit<RxWindow, 'tmst'> {
    return {
      frequency: this.channels.rx1Frequency(channel),
      dataRate: this.region.rx1DataRate(dr, this.params.rx1DrOffset, this.params.downlinkDwellTime),
      delay,
    };
  }

  /**
   * ADR_ACK_CNT handling before an uplink (L104 §4.3.1.1; LoRaMac-node LoRaMacAdrCalcNext): ADRACKReq from
   * ADR_ACK_LIMIT on; default TX power from LIMIT + DELAY; then one DR step down every ADR_ACK_DELAY uplinks
   * from LIMIT + 2·DELAY, and at the lowest DR the default channels and NbTrans 1 come back.
   */
  private adrStep(): boolean {
    if (!this.adr) return false;
    const cnt = this.adrAckCnt;
    const { adrAckLimit: limit, adrAckDelay: delay } = this.params;
    if (cnt >= limit + delay && this.params.txPower !== 0) {
      this.params.txPower = 0;
      this.event({
        type: 'adr-backoff',
        dataRate: this.params.dataRate,
        txPower: 0,
        channelsRestored: false,
      });
    }
    if (cnt >= limit + 2 * delay && (cnt - limit) % delay === 0) {
      const min = this.minTxDataRate();
      let restored = false;
      if (this.params.dataRate <= min) {
        this.channels.restoreDefaultChannels();
        this.params.nbTrans = 1;
        restored = true;
      } else {
        this.params.dataRate = this.nextLowerDataRate(this.params.dataRate, min);
      }
      this.event({
        type: 'adr-backoff',
        dataRate: this.params.dataRate,
        txPower: this.params.txPower,
        channelsRestored: restored,
      });
    }
    return cnt >= limit;
  }

  private usableUplinkDr(dr: number): boolean {
    const rate = this.region.dataRates[dr];
    return (
      rate !== undefined &&
      rate.uplink &&
      rate.modulation !== 'LR-FHSS' &&
      this.region.getMaxPayload(dr, this.params.uplinkDwellTime) !== null
    );
  }

  private minTxDataRate(): number {
    for (let dr = 0; dr < 16; dr++) if (this.usableUplinkDr(dr)) return dr;
    return 0;
  }

  private nextLowerDataRate(dr: number, min: number): number {
    for (let d = dr - 1; d > min; d--) {
      if (this.usableUplinkDr(d) && this.channels.supportsDataRate(d)) return d;
    }
    return min;
  }

  /** L11 §5.10: no RekeyConf within ADR_ACK_LIMIT uplinks → back to the join state (LoRaMac-node MLME_REVERT_JOIN). */
  private checkRekeyTimeout(): void {
    if (this.rekeyPending && this.rekeyUplinks >= this.params.adrAckLimit) {
      this.session = undefined;
      this.rekeyPending = false;
      this.event({ type: 'revert-to-join', reason: `no RekeyConf after ${this.rekeyUplinks} uplinks` });
      throw new DeviceError('NOT_ACTIVATED', 'no RekeyConf received: the device must join again');
    }
  }

  private macHost(meta: DownlinkMeta): MacHost {
    return {
      region: this.region,
      macVersion: this.macVersion,
      channels: this.channels,
      params: this.params,
      adr: this.adr,
      battery: this.battery,
      snr: meta.snr ?? this.lastSnr,
      event: (e) => this.event(e),
      rekeyConfirmed: () => {
        if (this.rekeyPending) this.event({ type: 'rekey-confirmed' });
        this.rekeyPending = false;
      },
      resetConfirmed: () => {
        if (this.resetPending) this.event({ type: 'reset-confirmed' });
        this.resetPending = false;
      },
      deviceModeConfirmed: (deviceClass) => {
        this.deviceModeInd = undefined;
        if (deviceClass !== this.classOfDevice) {
          this.classOfDevice = deviceClass;
          this.event({ type: 'class-changed', deviceClass });
        }
      },
      linkCheck: (margin, gwCnt) => (this.linkCheck = { margin, gwCnt }),
      deviceTime: (gpsEpochSeconds, fractionalSecond) =>
        (this.deviceTime = { gpsEpochSeconds, fractionalSecond }),
      rejoinParams: (maxTimeN, maxCountN) => (this.rejoinParams = { maxTimeN, maxCountN }),
      forceRejoin: (p) => {
        this.forceRejoin = p;
        this.event({ type: 'force-rejoin', ...p });
      },
    };
  }

  private rejectJoinAccept(reason: string): false {
    this.stats.joinAcceptsRejected++;
    this.event({ type: 'join-accept-rejected', reason });
    return false;
  }

  private rejectDownlink(reason: DownlinkRejectReason, message: string): DownlinkResult {
    this.stats.downlinksRejected++;
    this.event({ type: 'downlink-rejected', reason, message });
    return { accepted: false, reason, message };
  }

  private logUplink(r: UplinkResult): void {
    this.event({
      type: 'uplink',
      fCnt: r.fCnt,
      fPort: r.fPort,
      confirmed: r.confirmed,
      ack: r.ack,
      adrAckReq: r.adrAckReq,
      frequency: r.frequency,
      dataRate: r.dataRate,
      channel: r.channel,
      transmission: r.transmission,
      macCommands: r.macCommands.map((c) => c.cid),
    });
  }

  private event(e: DeviceEvent): void {
    this.events.push({ ...e, seq: this.seq++ });
    if (this.events.length > this.logLimit) this.events.shift();
  }
}

function abpSession(macVersion: MacVersion, act: AbpActivation10 | AbpActivation11): Session {
  const fCntUp = act.fCntUp ?? 0;
  const fCntDown = act.fCntDown ?? 0;
  for (const [what, v] of [
    ['fCntUp', fCntUp],
    ['fCntDown', fCntDown],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > MAX_FCNT) throw new DeviceError('BAD_CONFIG', `${what} ${v}`);
  }
  if (macVersion === '1.1.0') {
    if (!('fNwkSIntKey' in act)) {
      throw new DeviceError(
        'BAD_CONFIG',
        'a 1.1 ABP device needs fNwkSIntKey, sNwkSIntKey, nwkSEncKey, appSKey',
      );
    }
    return {
      mode: '1.1',
      devAddr: act.devAddr,
      keys: {
        fNwkSIntKey: bytes(act.fNwkSIntKey, 16, 'fNwkSIntKey'),
        sNwkSIntKey: bytes(act.sNwkSIntKey, 16, 'sNwkSIntKey'),
        nwkSEncKey: bytes(act.nwkSEncKey, 16, 'nwkSEncKey'),
        appSKey: bytes(act.appSKey, 16, 'appSKey'),
      },
      fCntUp,
      nFCntDown: act.nFCntDown ?? fCntDown,
      aFCntDown: act.aFCntDown ?? fCntDown,
    };
  }
  if (!('nwkSKey' in act))
    throw new DeviceError('BAD_CONFIG', 'a 1.0.x ABP device needs nwkSKey and appSKey');
  const nwkSKey = bytes(act.nwkSKey, 16, 'nwkSKey');
  return {
    mode: '1.0',
    devAddr: act.devAddr,
    keys: {
      fNwkSIntKey: nwkSKey,
      sNwkSIntKey: Buffer.from(nwkSKey),
      nwkSEncKey: Buffer.from(nwkSKey),
      appSKey: bytes(act.appSKey, 16, 'appSKey'),
    },
    fCntUp,
    nFCntDown: fCntDown,
    aFCntDown: fCntDown,
  };
}

function bytes(v: Bytes, length: number, what: string): Buffer {
  const b = typeof v === 'string' ? Buffer.from(v.replace(/[^0-9a-f]/gi, ''), 'hex') : Buffer.from(v);
  if (b.length !== length)
    throw new DeviceError('BAD_CONFIG', `${what}: expected ${length} bytes, got ${b.length}`);
  return b;
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
