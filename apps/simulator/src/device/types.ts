/**
 * Public types of the simulated end-device: configuration, results, state snapshot, observability.
 * Conventions follow `@lns/lorawan` (libs/lorawan/CONVENTIONS.md): EUIs are 8-byte Buffers in printed
 * (big-endian) order, DevAddr/NetID are numbers, frequencies are Hz, data rates are region indexes.
 */
import type {
  DownlinkMacCommand,
  MacCommand,
  Region,
  RegionName,
  SessionKeys11,
  UplinkMacCommand,
} from '@lns/lorawan';
import type { Seed } from '../rng';

export type MacVersion = '1.0.2' | '1.0.3' | '1.0.4' | '1.1.0';
export type DeviceClass = 'A' | 'C';

/** A key or EUI given as bytes or as a hex string (printed order). */
export type Bytes = Buffer | string;

export interface OtaaActivation {
  type: 'OTAA';
  /** 1.0.x: the root key of everything. 1.1: derives AppSKey only. */
  appKey: Bytes;
  /** 1.1 only (required there): root of the network session keys, JSIntKey and JSEncKey. */
  nwkKey?: Bytes;
}

/** ABP of a 1.0.x device. Counters are the *next* values: next FCntUp to send, next FCntDown expected. */
export interface AbpActivation10 {
  type: 'ABP';
  devAddr: number;
  nwkSKey: Bytes;
  appSKey: Bytes;
  fCntUp?: number;
  fCntDown?: number;
}

/** ABP of a 1.1 device. `fCntDown` is the default for both NFCntDown and AFCntDown. */
export interface AbpActivation11 {
  type: 'ABP';
  devAddr: number;
  fNwkSIntKey: Bytes;
  sNwkSIntKey: Bytes;
  nwkSEncKey: Bytes;
  appSKey: Bytes;
  fCntUp?: number;
  fCntDown?: number;
  nFCntDown?: number;
  aFCntDown?: number;
}

export type Activation = OtaaActivation | AbpActivation10 | AbpActivation11;

export interface VirtualDeviceConfig {
  devEui: Bytes;
  /** Defaults to 00…00. */
  joinEui?: Bytes;
  region: RegionName | Region;
  macVersion: MacVersion;
  /** Default 'A'. */
  deviceClass?: DeviceClass;
  activation: Activation;
  /** Seeds the PRNG (DevNonce before 1.0.4, channel hopping). Same seed + same calls = same frames. */
  seed: Seed;
  /**
   * US915/AU915: the 1-based sub-band (8 × 125 kHz channels + one 500 kHz channel) enabled at boot and
   * used for joins. Default 2 (channels 8-15 and 65). `null` enables all 72 channels.
   */
  subBand?: number | null;
  /**
   * Join-request data rate. Default: DR5 in the 16-channel regions (EU868…); in US915/AU915 the join
   * alternates at random between the sub-band's 125 kHz channels (DR0 US915) and its 500 kHz channel
   * (DR4 US915) unless this restricts it.
   */
  joinDataRate?: number;
  /** Uplink data rate at boot and after a join. Default: the region's highest ADR data rate. */
  dataRate?: number;
  /** TXPower index at boot. Default 0 (max EIRP). */
  txPower?: number;
  /** ADR bit in uplinks (and LinkADRReq DR/power handling). Default true. */
  adr?: boolean;
  /** Battery level reported in DevStatusAns: 0 external power, 1..254, 255 unknown. Default 255. */
  battery?: number;
  /** 1.0.4/1.1: next DevNonce (a counter, persisted across power cycles). Default 0. */
  devNonce?: number;
  /** ≤1.0.3: DevNonces already used (random nonces are never reused). */
  usedDevNonces?: readonly number[];
  /** 1.0.4/1.1: JoinNonce of the last accepted join-accept; a new one must be greater. Default: none. */
  lastJoinNonce?: number;
  /** Largest number of events kept in `log` (oldest dropped first). Default 1000. */
  logLimit?: number;
}

/** A transmission on the air. */
export interface RadioTx {
  phyPayload: Buffer;
  /** Hz. */
  frequency: number;
  /** Region data-rate index. */
  dataRate: number;
  /** Channel index in the device's channel plan (0..15; 0..71 for US915/AU915). */
  channel: number;
  /** TXPower index and the EIRP it means (dBm). */
  txPower: number;
  eirp: number;
}

export interface JoinRequestResult extends RadioTx {
  devNonce: number;
}

export interface UplinkOptions {
  /** 1..255 for application data, 0 for MAC commands only in FRMPayload; absent = no FPort. */
  fPort?: number;
  payload?: Buffer;
  confirmed?: boolean;
  /** MAC commands the application adds (LinkCheckReq, DeviceTimeReq, DeviceModeInd, …). */
  macCommands?: readonly UplinkMacCommand[];
}

export interface UplinkResult extends RadioTx {
  /** Full 32-bit FCntUp; the frame carries its 16 LSB. */
  fCnt: number;
  /** FPort on the air (0 when MAC commands moved to FRMPayload). */
  fPort?: number;
  confirmed: boolean;
  /** Every MAC command in the frame (FOpts or FPort 0), in order. */
  macCommands: UplinkMacCommand[];
  /** True when the MAC commands did not fit the 15 bytes of FOpts and went into an FPort 0 frame. */
  macInFrmPayload: boolean;
  /** True when the application payload was dropped because the MAC commands took the frame. */
  appPayloadSkipped: boolean;
  ack: boolean;
  adr: boolean;
  adrAckReq: boolean;
  /** 1-based transmission number of this frame (see `repeat()`), and how many NbTrans asks for. */
  transmission: number;
  nbTrans: number;
}

export type DownlinkRejectReason =
  | 'MALFORMED'
  | 'NOT_DATA_DOWNLINK'
  | 'NOT_ACTIVATED'
  | 'DEVADDR_MISMATCH'
  | 'MIC_FAILED'
  | 'REPLAY'
  | 'FCNT_GAP';

export interface DownlinkAccepted {
  accepted: true;
  confirmed: boolean;
  fPort?: number;
  /** Decrypted FRMPayload of an FPort > 0 frame. */
  payload?: Buffer;
  ack: boolean;
  fPending: boolean;
  adr: boolean;
  /** Full 32-bit counter the frame was accepted with. */
  fCnt: number;
  /** FCntDown (1.0.x, or 1.1 with OptNeg = 0), NFCntDown or AFCntDown (1.1). */
  counter: 'FCntDown' | 'NFCntDown' | 'AFCntDown';
  /** MAC commands received (FOpts or FPort 0), decrypted, in order. */
  macCommands: DownlinkMacCommand[];
  /** Answers this downlink produced, queued for the next uplink. */
  answers: UplinkMacCommand[];
}

export interface DownlinkRejected {
  accepted: false;
  reason: DownlinkRejectReason;
  message: string;
}

export type DownlinkResult = DownlinkAccepted | DownlinkRejected;

/** Radio metadata of a received downlink. */
export interface DownlinkMeta {
  /** dB; the DevStatusAns margin is the SNR of the last downlink received. */
  snr?: number;
  rssi?: number;
  /** 'RXC' (Class C continuous window) does not reset ADR_ACK_CNT (as LoRaMac-node). */
  slot?: 'RX1' | 'RX2' | 'RXC';
}

export interface RxWindow {
  frequency: number;
  dataRate: number;
  /** Seconds after the end of the uplink. */
  delay: number;
  /** Concentrator time (µs, 32-bit, wrapping) the window opens at, when the uplink's tmst was given. */
  tmst?: number;
}

export interface RxWindows {
  /** Whether the windows follow a join-request (JOIN_ACCEPT_DELAY1/2) or a data uplink (RxDelay). */
  kind: 'join-accept' | 'data';
  rx1: RxWindow;
  rx2: RxWindow;
  /** Class C: RX2 parameters are also listened to continuously. */
  classC: boolean;
}

/** A downlink as scheduled by a gateway (e.g. a PULL_RESP txpk converted to Hz and a DR). */
export interface ScheduledDownlink {
  frequency: number;
  /** Region index, or a LoRa SF/BW looked up in the region's downlink data rates. */
  dataRate: number | { spreadingFactor: number; bandwidth: number };
  /** Concentrator µs of a timed transmission. */
  tmst?: number;
  /** Sent at once (txpk `imme`): only a Class C device can be listening. */
  immediate?: boolean;
}

export interface ChannelState {
  index: number;
  frequency: number;
  minDr: number;
  maxDr: number;
  /** RX1 frequency set by DlChannelReq, when it differs from the region's rule. */
  rx1Frequency?: number;
}

export interface DeviceState {
  macVersion: MacVersion;
  deviceClass: DeviceClass;
  activation: 'OTAA' | 'ABP';
  joined: boolean;
  devAddr?: number;
  netId?: number;
  /** 1.1 session semantics (1.1 ABP, or 1.1 OTAA with OptNeg = 1). */
  lorawan11Session: boolean;
  /** Next FCntUp to send (32-bit). */
  fCntUp: number;
  /** Next FCntDown expected (1.0.x; for a 1.1 session the same as nFCntDown). */
  fCntDown: number;
  /** 1.1 session: next NFCntDown / AFCntDown expected. */
  nFCntDown?: number;
  aFCntDown?: number;
  dataRate: number;
  txPower: number;
  nbTrans: number;
  adr: boolean;
  enabledChannels: ChannelState[];
  rx1DrOffset: number;
  rx2: { frequency: number; dataRate: number };
  /** RX1 delay in seconds (1..15). */
  rxDelay: number;
  maxDutyCycle: number;
  maxEirp: number;
  uplinkDwellTime: boolean;
  downlinkDwellTime: boolean;
  adrAckLimit: number;
  adrAckDelay: number;
  adrAckCnt: number;
  /** Next DevNonce (1.0.4/1.1 counter). */
  devNonce: number;
  /** DevNonces used so far (≤1.0.3 random nonces). */
  usedDevNonces: number[];
  lastJoinNonce?: number;
  /** 1.1 OptNeg: RekeyInd is being sent until RekeyConf. */
  rekeyPending: boolean;
  /** 1.1 ABP: ResetInd is being sent until ResetConf. */
  resetPending: boolean;
  ackPending: boolean;
  battery: number;
  lastLinkCheck?: { margin: number; gwCnt: number };
  lastDeviceTime?: { gpsEpochSeconds: number; fractionalSecond: number };
  rejoinParams?: { maxTimeN: number; maxCountN: number };
  forceRejoin?: { period: number; maxRetries: number; rejoinType: number; dataRate: number };
  /** MAC answers waiting for the next uplink (sticky ones included). */
  pendingMacCommands: UplinkMacCommand[];
}

export interface DeviceCounters {
  joinRequests: number;
  joinAccepts: number;
  joinAcceptsRejected: number;
  /** Frames built by uplink() (repetitions not counted). */
  uplinks: number;
  /** Every transmission, repetitions included. */
  transmissions: number;
  downlinks: number;
  downlinksAccepted: number;
  downlinksRejected: number;
  micFailures: number;
  replays: number;
  acksReceived: number;
  macCommandsReceived: number;
  macCommandsAnswered: number;
}

export type DeviceEvent =
  | { type: 'join-request'; devNonce: number; frequency: number; dataRate: number; channel: number }
  | {
      type: 'join-accept';
      devAddr: number;
      netId: number;
      joinNonce: number;
      optNeg: boolean;
      rx1DrOffset: number;
      rx2DataRate: number;
      rxDelay: number;
      cfListType?: number;
    }
  | { type: 'join-accept-rejected'; reason: string }
  | {
      type: 'uplink';
      fCnt: number;
      fPort?: number;
      confirmed: boolean;
      ack: boolean;
      adrAckReq: boolean;
      frequency: number;
      dataRate: number;
      channel: number;
      transmission: number;
      macCommands: string[];
    }
  | {
      type: 'downlink';
      fCnt: number;
      counter: DownlinkAccepted['counter'];
      fPort?: number;
      confirmed: boolean;
      ack: boolean;
      fPending: boolean;
      macCommands: string[];
    }
  | { type: 'downlink-rejected'; reason: DownlinkRejectReason; message: string }
  | { type: 'mac-received'; command: MacCommand }
  | { type: 'mac-answered'; command: MacCommand }
  | { type: 'mac-ignored'; reason: string; bytes?: string }
  | { type: 'rekey-confirmed' }
  | { type: 'reset-confirmed' }
  | { type: 'class-changed'; deviceClass: DeviceClass }
  | { type: 'force-rejoin'; period: number; maxRetries: number; rejoinType: number; dataRate: number }
  | { type: 'adr-backoff'; dataRate: number; txPower: number; channelsRestored: boolean }
  | { type: 'revert-to-join'; reason: string };

export type LoggedEvent = DeviceEvent & { seq: number };

/** Session keys as the device holds them (1.0.x sessions: all three network keys are NwkSKey). */
export type DeviceSessionKeys = SessionKeys11;
