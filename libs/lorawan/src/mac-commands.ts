import { LorawanError } from './errors';

/**
 * MAC commands of LoRaWAN 1.0.4 and 1.1 (LoRaWAN 1.1 §5 and Table 4; Class B commands from the
 * 1.1 "Class B MAC commands" chapter and TS001-1.0.4 Table 61; DeviceMode from the 1.1 Class C chapter).
 *
 * A MAC command is a CID byte followed by a payload whose length is fixed by the CID *and the direction*:
 * the same CID names a different command uplink and downlink (0x03 is LinkADRAns up, LinkADRReq down),
 * so decoding needs to know which way the bytes travelled. There is no length byte on the air, which is
 * why decoding must stop at the first CID it does not know: the rest cannot be delimited.
 *
 * Proprietary CIDs 0x80..0xFF (LoRaWAN 1.1 Table 4) have a payload length only their vendor knows, so they
 * cannot be length-delimited either: they stop decoding like an unknown CID and come back undecoded in
 * `rest` (starting with the proprietary CID byte). There is deliberately no `Proprietary` command type.
 *
 * Codec principles:
 * - Values are as the spec defines them, not interpreted: data-rate and TX-power *indexes*, exponents,
 *   raw battery/margin. Frequencies are in Hz (on air: 3 bytes little-endian in 100 Hz units).
 * - Encoding checks that every field fits its bit width (→ `LorawanError('BAD_FIELD')`), not whether the
 *   value is meaningful for a region or version; that is the MAC layer's decision.
 * - Decoding is lossless: RFU bits that are set come back in `rfu` (see {@link RfuBits}), so
 *   `encodeMacCommands(decodeMacCommands(b).commands)` re-creates the decoded bytes exactly.
 * - Size limits of where the commands travel (15 bytes of FOpts) are the frame codec's job, not this file's.
 */

/** Command identifiers (LoRaWAN 1.1 Table 4, TS001-1.0.4 Table 61). One CID names the Req/Ans (or Ind/Conf) pair. */
export const Cid = {
  Reset: 0x01,
  LinkCheck: 0x02,
  LinkADR: 0x03,
  DutyCycle: 0x04,
  RXParamSetup: 0x05,
  DevStatus: 0x06,
  NewChannel: 0x07,
  RXTimingSetup: 0x08,
  TxParamSetup: 0x09,
  DlChannel: 0x0a,
  Rekey: 0x0b,
  ADRParamSetup: 0x0c,
  DeviceTime: 0x0d,
  ForceRejoin: 0x0e,
  RejoinParamSetup: 0x0f,
  PingSlotInfo: 0x10,
  PingSlotChannel: 0x11,
  /** Deprecated since 1.0.3 / 1.1 (the device derives beacon timing itself); still decoded. */
  BeaconTiming: 0x12,
  BeaconFreq: 0x13,
  DeviceMode: 0x20,
} as const;
export type Cid = (typeof Cid)[keyof typeof Cid];

/** First proprietary CID (LoRaWAN 1.1 Table 4: 0x80..0xFF are reserved for proprietary extensions). */
export const PROPRIETARY_CID_MIN = 0x80;

/** `uplink` = sent by the end-device, `downlink` = sent by the network server. */
export type MacDirection = 'uplink' | 'downlink';

/** DeviceModeInd/Conf class byte (LoRaWAN 1.1 Class C chapter): 0x00 Class A, 0x01 RFU, 0x02 Class C. */
export const DeviceModeClass = { A: 0x00, C: 0x02 } as const;

/**
 * RFU bits of the command's payload, **in place** (not shifted): e.g. `0x80` for bit 7 of LinkADRReq's
 * Redundancy byte. For commands with RFU bits in a single byte, it is that byte's bits; for ForceRejoinReq
 * it is the bits of the 16-bit little-endian payload value (mask 0xC080). Decoders set it only when
 * non-zero, so that a re-encode is byte-exact; encoders reject bits outside the command's RFU mask.
 */
export interface RfuBits {
  rfu?: number;
}

// ---- uplink commands (end-device → network server) ----

/** 0x01 up, 1.1 ABP only (L11 §5.1). `minor`: Dev LoRaWAN version minor, bits 3..0 (1 = 1.1). RFU mask 0xF0. */
export interface ResetInd extends RfuBits {
  cid: 'ResetInd';
  minor: number;
}
/** 0x02 up (L11 §5.2). */
export interface LinkCheckReq {
  cid: 'LinkCheckReq';
}
/** 0x03 up (L11 §5.3). Status bits: 2 PowerACK, 1 DataRateACK, 0 ChannelMaskACK. RFU mask 0xF8. */
export interface LinkADRAns extends RfuBits {
  cid: 'LinkADRAns';
  powerAck: boolean;
  dataRateAck: boolean;
  channelMaskAck: boolean;
}
/** 0x04 up (L11 §5.4). */
export interface DutyCycleAns {
  cid: 'DutyCycleAns';
}
/** 0x05 up (L11 §5.5). Status bits: 2 RX1DROffsetACK, 1 RX2DataRateACK, 0 ChannelACK. RFU mask 0xF8. */
export interface RXParamSetupAns extends RfuBits {
  cid: 'RXParamSetupAns';
  rx1DrOffsetAck: boolean;
  rx2DataRateAck: boolean;
  channelAck: boolean;
}
/**
 * 0x06 up (L11 §5.6). `battery`: 0 external power, 1..254 level, 255 unknown. `margin`: SNR in dB of the
 * last DevStatusReq, a 6-bit two's-complement signed integer −32..31 in bits 5..0. RFU mask 0xC0.
 */
export interface DevStatusAns extends RfuBits {
  cid: 'DevStatusAns';
  battery: number;
  margin: number;
}
/** 0x07 up (L11 §5.7.1). Status bits: 1 DataRateRangeOK, 0 ChannelFrequencyOK. RFU mask 0xFC. */
export interface NewChannelAns extends RfuBits {
  cid: 'NewChannelAns';
  dataRateRangeOk: boolean;
  channelFrequencyOk: boolean;
}
/** 0x08 up (L11 §5.8). */
export interface RXTimingSetupAns {
  cid: 'RXTimingSetupAns';
}
/** 0x09 up (L11 §5.9). */
export interface TxParamSetupAns {
  cid: 'TxParamSetupAns';
}
/** 0x0A up (L11 §5.7.2). Status bits: 1 UplinkFrequencyExists, 0 ChannelFrequencyOK. RFU mask 0xFC. */
export interface DlChannelAns extends RfuBits {
  cid: 'DlChannelAns';
  uplinkFrequencyExists: boolean;
  channelFrequencyOk: boolean;
}
/** 0x0B up, 1.1 OTAA (L11 §5.10). `minor`: Dev LoRaWAN version minor, bits 3..0. RFU mask 0xF0. */
export interface RekeyInd extends RfuBits {
  cid: 'RekeyInd';
  minor: number;
}
/** 0x0C up (L11 §5.11). */
export interface ADRParamSetupAns {
  cid: 'ADRParamSetupAns';
}
/** 0x0D up (L11 §5.12; also 1.0.3+). */
export interface DeviceTimeReq {
  cid: 'DeviceTimeReq';
}
/** 0x0F up (L11 §5.14). Status bit 0 TimeOK. RFU mask 0xFE. */
export interface RejoinParamSetupAns extends RfuBits {
  cid: 'RejoinParamSetupAns';
  timeOk: boolean;
}
/**
 * 0x10 up, Class B. `periodicity` p (bits 2..0): pingNb = 2^(7−p), pingPeriod = 2^(5+p) slots ≈ 0.96·2^p s
 * (L11 Class B chapter, l.2087-2095). RFU mask 0xF8.
 */
export interface PingSlotInfoReq extends RfuBits {
  cid: 'PingSlotInfoReq';
  periodicity: number;
}
/** 0x11 up, Class B. Status bits: 1 DataRateOK, 0 ChannelFrequencyOK. RFU mask 0xFC. */
export interface PingSlotChannelAns extends RfuBits {
  cid: 'PingSlotChannelAns';
  dataRateOk: boolean;
  channelFrequencyOk: boolean;
}
/** 0x12 up, Class B, deprecated in 1.0.3+/1.1 but still decoded. */
export interface BeaconTimingReq {
  cid: 'BeaconTimingReq';
}
/** 0x13 up, Class B. Status bit 0 BeaconFrequencyOK. RFU mask 0xFE. */
export interface BeaconFreqAns extends RfuBits {
  cid: 'BeaconFreqAns';
  beaconFrequencyOk: boolean;
}
/** 0x20 up, 1.1 Class C. `deviceClass`: the raw byte, see {@link DeviceModeClass} (other values RFU). */
export interface DeviceModeInd {
  cid: 'DeviceModeInd';
  deviceClass: number;
}

// ---- downlink commands (network server → end-device) ----

/** 0x01 down, 1.1 (L11 §5.1). `minor`: Serv LoRaWAN version minor, bits 3..0. RFU mask 0xF0. */
export interface ResetConf extends RfuBits {
  cid: 'ResetConf';
  minor: number;
}
/** 0x02 down (L11 §5.2). `margin`: dB above the demodulation floor, 0..254 (255 reserved). `gwCnt`: gateways. */
export interface LinkCheckAns {
  cid: 'LinkCheckAns';
  margin: number;
  gwCnt: number;
}
/**
 * 0x03 down (L11 §5.3). [DataRate 7..4 | TXPower 3..0] [ChMask, 16 bits LE] [RFU 7 | ChMaskCntl 6..4 |
 * NbTrans 3..0]. `chMask` bit n enables channel n of the block `chMaskCntl` selects. RFU mask 0x80.
 */
export interface LinkADRReq extends RfuBits {
  cid: 'LinkADRReq';
  dataRate: number;
  txPower: number;
  chMask: number;
  chMaskCntl: number;
  nbTrans: number;
}
/** 0x04 down (L11 §5.4). `maxDutyCycle` (bits 3..0): aggregated duty cycle 1/2^n, 0 = no limit. RFU mask 0xF0. */
export interface DutyCycleReq extends RfuBits {
  cid: 'DutyCycleReq';
  maxDutyCycle: number;
}
/**
 * 0x05 down (L11 §5.5). DLsettings [RFU 7 | RX1DROffset 6..4 | RX2DataRate 3..0], Frequency (RX2, Hz).
 * RFU mask 0x80 (of DLsettings).
 */
export interface RXParamSetupReq extends RfuBits {
  cid: 'RXParamSetupReq';
  rx1DrOffset: number;
  rx2DataRate: number;
  frequency: number;
}
/** 0x06 down (L11 §5.6). */
export interface DevStatusReq {
  cid: 'DevStatusReq';
}
/** 0x07 down (L11 §5.7.1). ChIndex, Freq (Hz; 0 disables the channel), DrRange [MaxDR 7..4 | MinDR 3..0]. */
export interface NewChannelReq {
  cid: 'NewChannelReq';
  chIndex: number;
  frequency: number;
  minDr: number;
  maxDr: number;
}
/** 0x08 down (L11 §5.8). `delay` (bits 3..0): RX1 delay in s, 0 meaning 1 s. RFU mask 0xF0. */
export interface RXTimingSetupReq extends RfuBits {
  cid: 'RXTimingSetupReq';
  delay: number;
}
/**
 * 0x09 down (L11 §5.9; regions that allow it). Bit 5 DownlinkDwellTime, 4 UplinkDwellTime (true = 400 ms
 * limit), 3..0 MaxEIRP index ({8,10,12,13,14,16,18,20,21,24,26,27,29,30,33,36} dBm). RFU mask 0xC0.
 */
export interface TxParamSetupReq extends RfuBits {
  cid: 'TxParamSetupReq';
  downlinkDwellTime: boolean;
  uplinkDwellTime: boolean;
  maxEirp: number;
}
/** 0x0A down (L11 §5.7.2). ChIndex, Freq (Hz): the RX1 downlink frequency of that channel. */
export interface DlChannelReq {
  cid: 'DlChannelReq';
  chIndex: number;
  frequency: number;
}
/** 0x0B down (L11 §5.10). `minor`: Serv LoRaWAN version minor, bits 3..0. RFU mask 0xF0. */
export interface RekeyConf extends RfuBits {
  cid: 'RekeyConf';
  minor: number;
}
/** 0x0C down (L11 §5.11). ADR_ACK_LIMIT = 2^limitExp (bits 7..4), ADR_ACK_DELAY = 2^delayExp (bits 3..0). */
export interface ADRParamSetupReq {
  cid: 'ADRParamSetupReq';
  limitExp: number;
  delayExp: number;
}
/**
 * 0x0D down (L11 §5.12). Seconds since the GPS epoch (uint32 LE) and fractional second in 1/256 s, both
 * for the end of the uplink transmission that carried the DeviceTimeReq.
 */
export interface DeviceTimeAns {
  cid: 'DeviceTimeAns';
  gpsEpochSeconds: number;
  fractionalSecond: number;
}
/**
 * 0x0E down, 1.1 (L11 §5.13). One 16-bit field, little-endian on air like every multi-octet field
 * (L11 §1.2): bits 15..14 RFU, 13..11 Period, 10..8 Max_Retries, 7 RFU, 6..4 RejoinType, 3..0 DR. So the
 * first byte carries RejoinType|DR and the second Period|Max_Retries (as ChirpStack and brocaar/lorawan do).
 * Beware: TTS and LoRaMac-node put Period|Max_Retries in the first byte. RFU mask 0xC080.
 */
export interface ForceRejoinReq extends RfuBits {
  cid: 'ForceRejoinReq';
  period: number;
  maxRetries: number;
  rejoinType: number;
  dataRate: number;
}
/** 0x0F down (L11 §5.14). [MaxTimeN 7..4 | MaxCountN 3..0]: rejoin every 2^(MaxCountN+4) uplinks / 2^(MaxTimeN+10) s. */
export interface RejoinParamSetupReq {
  cid: 'RejoinParamSetupReq';
  maxTimeN: number;
  maxCountN: number;
}
/** 0x10 down, Class B. */
export interface PingSlotInfoAns {
  cid: 'PingSlotInfoAns';
}
/** 0x11 down, Class B. Frequency (Hz; 0 = default hopping), DR byte [RFU 7..4 | DR 3..0]. RFU mask 0xF0. */
export interface PingSlotChannelReq extends RfuBits {
  cid: 'PingSlotChannelReq';
  frequency: number;
  dataRate: number;
}
/** 0x12 down, Class B, deprecated. `delay`: uint16 LE in 30 ms units to the next beacon; `channel`: its channel index. */
export interface BeaconTimingAns {
  cid: 'BeaconTimingAns';
  delay: number;
  channel: number;
}
/** 0x13 down, Class B. Frequency (Hz) of the beacon; 0 = back to the region's default. */
export interface BeaconFreqReq {
  cid: 'BeaconFreqReq';
  frequency: number;
}
/** 0x20 down, 1.1 Class C. `deviceClass`: the raw byte echoed from DeviceModeInd, see {@link DeviceModeClass}. */
export interface DeviceModeConf {
  cid: 'DeviceModeConf';
  deviceClass: number;
}

export type UplinkMacCommand =
  | ResetInd
  | LinkCheckReq
  | LinkADRAns
  | DutyCycleAns
  | RXParamSetupAns
  | DevStatusAns
  | NewChannelAns
  | RXTimingSetupAns
  | TxParamSetupAns
  | DlChannelAns
  | RekeyInd
  | ADRParamSetupAns
  | DeviceTimeReq
  | RejoinParamSetupAns
  | PingSlotInfoReq
  | PingSlotChannelAns
  | BeaconTimingReq
  | BeaconFreqAns
  | DeviceModeInd;

export type DownlinkMacCommand =
  | ResetConf
  | LinkCheckAns
  | LinkADRReq
  | DutyCycleReq
  | RXParamSetupReq
  | DevStatusReq
  | NewChannelReq
  | RXTimingSetupReq
  | TxParamSetupReq
  | DlChannelReq
  | RekeyConf
  | ADRParamSetupReq
  | DeviceTimeAns
  | ForceRejoinReq
  | RejoinParamSetupReq
  | PingSlotInfoAns
  | PingSlotChannelReq
  | BeaconTimingAns
  | BeaconFreqReq
  | DeviceModeConf;

/** Every MAC command, discriminated by `cid` (the command's LoRaWAN name). */
export type MacCommand = UplinkMacCommand | DownlinkMacCommand;
export type MacCommandName = MacCommand['cid'];
export type MacCommandOf<N extends MacCommandName> = Extract<MacCommand, { cid: N }>;

/** Why {@link decodeMacCommands} stopped before the end of its input. */
export type MacDecodeStop = 'UNKNOWN_CID' | 'PROPRIETARY_CID' | 'TRUNCATED';

export interface MacCommandsDecodeResult {
  /** The commands decoded, in order. */
  commands: MacCommand[];
  /** The undecoded tail (a copy), starting at the CID that stopped decoding; absent if everything decoded. */
  rest?: Buffer;
  /** Why decoding stopped; absent if everything decoded. */
  stop?: MacDecodeStop;
}

// ---- codec table ----

interface Codec<N extends MacCommandName> {
  readonly cid: Cid;
  readonly direction: MacDirection;
  /** Payload length, CID excluded. */
  readonly length: number;
  /** `p` holds exactly `length` bytes. Never throws. */
  decode(p: Uint8Array): MacCommandOf<N>;
  /** Writes exactly `length` bytes at the start of `out`; BAD_FIELD on a field out of range. */
  encode(c: MacCommandOf<N>, out: Buffer): void;
}

/** 3-byte frequency field: 100 Hz units, little-endian (L11 §5.5, §5.7). */
const FREQ_STEP_HZ = 100;
const FREQ_MAX_HZ = 0xffffff * FREQ_STEP_HZ;

function fail(cmd: string, field: string, value: unknown, expected: string): never {
  throw new LorawanError('BAD_FIELD', `${cmd}: ${field} ${String(value)} is not ${expected}`);
}

/** An integer field in min..max. */
function int(cmd: string, field: string, v: unknown, max: number, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(cmd, field, v, `an integer in ${min}..${max}`);
  }
  return v;
}

function flag(cmd: string, field: string, v: unknown): number {
  if (typeof v !== 'boolean') fail(cmd, field, v, 'a boolean');
  return v ? 1 : 0;
}

/** A frequency in Hz → its 24-bit on-air value in 100 Hz units. */
function freq(cmd: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > FREQ_MAX_HZ || v % FREQ_STEP_HZ !== 0) {
    fail(cmd, 'frequency', v, `a multiple of ${FREQ_STEP_HZ} Hz in 0..${FREQ_MAX_HZ}`);
  }
  return v / FREQ_STEP_HZ;
}

function rfu(cmd: string, v: number | undefined, mask: number): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || v < 0 || (v & ~mask) !== 0) {
    fail(cmd, 'rfu', v, `a subset of the RFU bits 0x${mask.toString(16)}`);
  }
  return v;
}

/** Adds `rfu` only when set, so that clean commands compare equal to literals without it. */
function withRfu<T extends object>(cmd: T, bits: number): T & RfuBits {
  return bits === 0 ? cmd : { ...cmd, rfu: bits };
}

const u16 = (p: Uint8Array, o: number): number => p[o] | (p[o + 1] << 8);
const u24 = (p: Uint8Array, o: number): number => p[o] | (p[o + 1] << 8) | (p[o + 2] << 16);
const u32 = (p: Uint8Array, o: number): number => (u24(p, o) + p[o + 3] * 0x1000000) >>> 0;
const bit = (b: number, n: number): boolean => ((b >>> n) & 1) === 1;

/** A command without payload. */
function empty<N extends MacCommandName>(name: N, cid: Cid, direction: MacDirection): Codec<N> {
  return {
    cid,
    direction,
    length: 0,
    decode: () => ({ cid: name }) as MacCommandOf<N>,
    encode: () => undefined,
  };
}

/** A one-byte command made only of status/ack bits 0..n-1; the remaining bits are RFU. */
function statusByte<N extends MacCommandName>(
  name: N,
  cid: Cid,
  direction: MacDirection,
  bits: readonly string[],
): Codec<N> {
  const mask = (0xff << bits.length) & 0xff;
  return {
    cid,
    direction,
    length: 1,
    decode(p) {
      const cmd: Record<string, unknown> = { cid: name };
      bits.forEach((field, i) => (cmd[field] = bit(p[0], i)));
      return withRfu(cmd, p[0] & mask) as unknown as MacCommandOf<N>;
    },
    encode(c, out) {
      const fields = c as unknown as Record<string, unknown>;
      let b = rfu(name, (c as RfuBits).rfu, mask);
      bits.forEach((field, i) => (b |= flag(name, field, fields[field]) << i));
      out[0] = b;
    },
  };
}

/** ResetInd/Conf, RekeyInd/Conf: [RFU 7..4 | Minor 3..0]. */
function version<N extends 'ResetInd' | 'ResetConf' | 'RekeyInd' | 'RekeyConf'>(
  name: N,
  cid: Cid,
  direction: MacDirection,
): Codec<N> {
  return {
    cid,
    direction,
    length: 1,
    decode: (p) => withRfu({ cid: name, minor: p[0] & 0x0f }, p[0] & 0xf0) as MacCommandOf<N>,
    encode(c, out) {
      const { rfu: bits, minor } = c as ResetInd | ResetConf | RekeyInd | RekeyConf;
      out[0] = rfu(name, bits, 0xf0) | int(name, 'minor', minor, 15);
    },
  };
}

/** DeviceModeInd/Conf: the whole byte is the class. */
function deviceMode<N extends 'DeviceModeInd' | 'DeviceModeConf'>(
  name: N,
  direction: MacDirection,
): Codec<N> {
  return {
    cid: Cid.DeviceMode,
    direction,
    length: 1,
    decode: (p) => ({ cid: name, deviceClass: p[0] }) as MacCommandOf<N>,
    encode(c, out) {
      out[0] = int(name, 'deviceClass', (c as DeviceModeInd | DeviceModeConf).deviceClass, 0xff);
    },
  };
}

const CODECS: { readonly [N in MacCommandName]: Codec<N> } = {
  // ---- uplink ----
  ResetInd: version('ResetInd', Cid.Reset, 'uplink'),
  LinkCheckReq: empty('LinkCheckReq', Cid.LinkCheck, 'uplink'),
  LinkADRAns: statusByte('LinkADRAns', Cid.LinkADR, 'uplink', ['channelMaskAck', 'dataRateAck', 'powerAck']),
  DutyCycleAns: empty('DutyCycleAns', Cid.DutyCycle, 'uplink'),
  RXParamSetupAns: statusByte('RXParamSetupAns', Cid.RXParamSetup, 'uplink', [
    'channelAck',
    'rx2DataRateAck',
    'rx1DrOffsetAck',
  ]),
  DevStatusAns: {
    cid: Cid.DevStatus,
    direction: 'uplink',
    length: 2,
    decode(p) {
      // 6-bit two's complement (L11 §5.6: "signed integer of 6 bits", −32..31).
      const raw = p[1] & 0x3f;
      return withRfu({ cid: 'DevStatusAns', battery: p[0], margin: raw >= 32 ? raw - 64 : raw }, p[1] & 0xc0);
    },
    encode(c, out) {
      out[0] = int(c.cid, 'battery', c.battery, 0xff);
      out[1] = rfu(c.cid, c.rfu, 0xc0) | (int(c.cid, 'margin', c.margin, 31, -32) & 0x3f);
    },
  },
  NewChannelAns: statusByte('NewChannelAns', Cid.NewChannel, 'uplink', [
    'channelFrequencyOk',
    'dataRateRangeOk',
  ]),
  RXTimingSetupAns: empty('RXTimingSetupAns', Cid.RXTimingSetup, 'uplink'),
  TxParamSetupAns: empty('TxParamSetupAns', Cid.TxParamSetup, 'uplink'),
  DlChannelAns: statusByte('DlChannelAns', Cid.DlChannel, 'uplink', [
    'channelFrequencyOk',
    'uplinkFrequencyExists',
  ]),
  RekeyInd: version('RekeyInd', Cid.Rekey, 'uplink'),
  ADRParamSetupAns: empty('ADRParamSetupAns', Cid.ADRParamSetup, 'uplink'),
  DeviceTimeReq: empty('DeviceTimeReq', Cid.DeviceTime, 'uplink'),
  RejoinParamSetupAns: statusByte('RejoinParamSetupAns', Cid.RejoinParamSetup, 'uplink', ['timeOk']),
  PingSlotInfoReq: {
    cid: Cid.PingSlotInfo,
    direction: 'uplink',
    length: 1,
    decode: (p) => withRfu({ cid: 'PingSlotInfoReq', periodicity: p[0] & 0x07 }, p[0] & 0xf8),
    encode(c, out) {
      out[0] = rfu(c.cid, c.rfu, 0xf8) | int(c.cid, 'periodicity', c.periodicity, 7);
    },
  },
  PingSlotChannelAns: statusByte('PingSlotChannelAns', Cid.PingSlotChannel, 'uplink', [
    'channelFrequencyOk',
    'dataRateOk',
  ]),
  BeaconTimingReq: empty('BeaconTimingReq', Cid.BeaconTiming, 'uplink'),
  BeaconFreqAns: statusByte('BeaconFreqAns', Cid.BeaconFreq, 'uplink', ['beaconFrequencyOk']),
  DeviceModeInd: deviceMode('DeviceModeInd', 'uplink'),

  // ---- downlink ----
  ResetConf: version('ResetConf', Cid.Reset, 'downlink'),
  LinkCheckAns: {
    cid: Cid.LinkCheck,
    direction: 'downlink',
    length: 2,
    decode: (p) => ({ cid: 'LinkCheckAns', margin: p[0], gwCnt: p[1] }),
    encode(c, out) {
      out[0] = int(c.cid, 'margin', c.margin, 0xff);
      out[1] = int(c.cid, 'gwCnt', c.gwCnt, 0xff);
    },
  },
  LinkADRReq: {
    cid: Cid.LinkADR,
    direction: 'downlink',
    length: 4,
    decode: (p) =>
      withRfu(
        {
          cid: 'LinkADRReq',
          dataRate: p[0] >>> 4,
          txPower: p[0] & 0x0f,
          chMask: u16(p, 1),
          chMaskCntl: (p[3] >>> 4) & 0x07,
          nbTrans: p[3] & 0x0f,
        },
        p[3] & 0x80,
      ),
    encode(c, out) {
      out[0] = (int(c.cid, 'dataRate', c.dataRate, 15) << 4) | int(c.cid, 'txPower', c.txPower, 15);
      out.writeUInt16LE(int(c.cid, 'chMask', c.chMask, 0xffff), 1);
      out[3] =
        rfu(c.cid, c.rfu, 0x80) |
        (int(c.cid, 'chMaskCntl', c.chMaskCntl, 7) << 4) |
        int(c.cid, 'nbTrans', c.nbTrans, 15);
    },
  },
  DutyCycleReq: {
    cid: Cid.DutyCycle,
    direction: 'downlink',
    length: 1,
    decode: (p) => withRfu({ cid: 'DutyCycleReq', maxDutyCycle: p[0] & 0x0f }, p[0] & 0xf0),
    encode(c, out) {
      out[0] = rfu(c.cid, c.rfu, 0xf0) | int(c.cid, 'maxDutyCycle', c.maxDutyCycle, 15);
    },
  },
  RXParamSetupReq: {
    cid: Cid.RXParamSetup,
    direction: 'downlink',
    length: 4,
    decode: (p) =>
      withRfu(
        {
          cid: 'RXParamSetupReq',
          rx1DrOffset: (p[0] >>> 4) & 0x07,
          rx2DataRate: p[0] & 0x0f,
          frequency: u24(p, 1) * FREQ_STEP_HZ,
        },
        p[0] & 0x80,
      ),
    encode(c, out) {
      out[0] =
        rfu(c.cid, c.rfu, 0x80) |
        (int(c.cid, 'rx1DrOffset', c.rx1DrOffset, 7) << 4) |
        int(c.cid, 'rx2DataRate', c.rx2DataRate, 15);
      out.writeUIntLE(freq(c.cid, c.frequency), 1, 3);
    },
  },
  DevStatusReq: empty('DevStatusReq', Cid.DevStatus, 'downlink'),
  NewChannelReq: {
    cid: Cid.NewChannel,
    direction: 'downlink',
    length: 5,
    decode: (p) => ({
      cid: 'NewChannelReq',
      chIndex: p[0],
      frequency: u24(p, 1) * FREQ_STEP_HZ,
      minDr: p[4] & 0x0f,
      maxDr: p[4] >>> 4,
    }),
    encode(c, out) {
      out[0] = int(c.cid, 'chIndex', c.chIndex, 0xff);
      out.writeUIntLE(freq(c.cid, c.frequency), 1, 3);
      out[4] = (int(c.cid, 'maxDr', c.maxDr, 15) << 4) | int(c.cid, 'minDr', c.minDr, 15);
    },
  },
  RXTimingSetupReq: {
    cid: Cid.RXTimingSetup,
    direction: 'downlink',
    length: 1,
    decode: (p) => withRfu({ cid: 'RXTimingSetupReq', delay: p[0] & 0x0f }, p[0] & 0xf0),
    encode(c, out) {
      out[0] = rfu(c.cid, c.rfu, 0xf0) | int(c.cid, 'delay', c.delay, 15);
    },
  },
  TxParamSetupReq: {
    cid: Cid.TxParamSetup,
    direction: 'downlink',
    length: 1,
    decode: (p) =>
      withRfu(
        {
          cid: 'TxParamSetupReq',
          downlinkDwellTime: bit(p[0], 5),
          uplinkDwellTime: bit(p[0], 4),
          maxEirp: p[0] & 0x0f,
        },
        p[0] & 0xc0,
      ),
    encode(c, out) {
      out[0] =
        rfu(c.cid, c.rfu, 0xc0) |
        (flag(c.cid, 'downlinkDwellTime', c.downlinkDwellTime) << 5) |
        (flag(c.cid, 'uplinkDwellTime', c.uplinkDwellTime) << 4) |
        int(c.cid, 'maxEirp', c.maxEirp, 15);
    },
  },
  DlChannelReq: {
    cid: Cid.DlChannel,
    direction: 'downlink',
    length: 4,
    decode: (p) => ({ cid: 'DlChannelReq', chIndex: p[0], frequency: u24(p, 1) * FREQ_STEP_HZ }),
    encode(c, out) {
      out[0] = int(c.cid, 'chIndex', c.chIndex, 0xff);
      out.writeUIntLE(freq(c.cid, c.frequency), 1, 3);
    },
  },
  RekeyConf: version('RekeyConf', Cid.Rekey, 'downlink'),
  ADRParamSetupReq: {
    cid: Cid.ADRParamSetup,
    direction: 'downlink',
    length: 1,
    decode: (p) => ({ cid: 'ADRParamSetupReq', limitExp: p[0] >>> 4, delayExp: p[0] & 0x0f }),
    encode(c, out) {
      out[0] = (int(c.cid, 'limitExp', c.limitExp, 15) << 4) | int(c.cid, 'delayExp', c.delayExp, 15);
    },
  },
  DeviceTimeAns: {
    cid: Cid.DeviceTime,
    direction: 'downlink',
    length: 5,
    decode: (p) => ({ cid: 'DeviceTimeAns', gpsEpochSeconds: u32(p, 0), fractionalSecond: p[4] }),
    encode(c, out) {
      out.writeUInt32LE(int(c.cid, 'gpsEpochSeconds', c.gpsEpochSeconds, 0xffffffff), 0);
      out[4] = int(c.cid, 'fractionalSecond', c.fractionalSecond, 0xff);
    },
  },
  ForceRejoinReq: {
    cid: Cid.ForceRejoin,
    direction: 'downlink',
    length: 2,
    decode(p) {
      const v = u16(p, 0);
      return withRfu(
        {
          cid: 'ForceRejoinReq',
          period: (v >>> 11) & 0x07,
          maxRetries: (v >>> 8) & 0x07,
          rejoinType: (v >>> 4) & 0x07,
          dataRate: v & 0x0f,
        },
        v & 0xc080,
      );
    },
    encode(c, out) {
      const v =
        rfu(c.cid, c.rfu, 0xc080) |
        (int(c.cid, 'period', c.period, 7) << 11) |
        (int(c.cid, 'maxRetries', c.maxRetries, 7) << 8) |
        (int(c.cid, 'rejoinType', c.rejoinType, 7) << 4) |
        int(c.cid, 'dataRate', c.dataRate, 15);
      out.writeUInt16LE(v, 0);
    },
  },
  RejoinParamSetupReq: {
    cid: Cid.RejoinParamSetup,
    direction: 'downlink',
    length: 1,
    decode: (p) => ({ cid: 'RejoinParamSetupReq', maxTimeN: p[0] >>> 4, maxCountN: p[0] & 0x0f }),
    encode(c, out) {
      out[0] = (int(c.cid, 'maxTimeN', c.maxTimeN, 15) << 4) | int(c.cid, 'maxCountN', c.maxCountN, 15);
    },
  },
  PingSlotInfoAns: empty('PingSlotInfoAns', Cid.PingSlotInfo, 'downlink'),
  PingSlotChannelReq: {
    cid: Cid.PingSlotChannel,
    direction: 'downlink',
    length: 4,
    decode: (p) =>
      withRfu(
        { cid: 'PingSlotChannelReq', frequency: u24(p, 0) * FREQ_STEP_HZ, dataRate: p[3] & 0x0f },
        p[3] & 0xf0,
      ),
    encode(c, out) {
      out.writeUIntLE(freq(c.cid, c.frequency), 0, 3);
      out[3] = rfu(c.cid, c.rfu, 0xf0) | int(c.cid, 'dataRate', c.dataRate, 15);
    },
  },
  BeaconTimingAns: {
    cid: Cid.BeaconTiming,
    direction: 'downlink',
    length: 3,
    decode: (p) => ({ cid: 'BeaconTimingAns', delay: u16(p, 0), channel: p[2] }),
    encode(c, out) {
      out.writeUInt16LE(int(c.cid, 'delay', c.delay, 0xffff), 0);
      out[2] = int(c.cid, 'channel', c.channel, 0xff);
    },
  },
  BeaconFreqReq: {
    cid: Cid.BeaconFreq,
    direction: 'downlink',
    length: 3,
    decode: (p) => ({ cid: 'BeaconFreqReq', frequency: u24(p, 0) * FREQ_STEP_HZ }),
    encode(c, out) {
      out.writeUIntLE(freq(c.cid, c.frequency), 0, 3);
    },
  },
  DeviceModeConf: deviceMode('DeviceModeConf', 'downlink'),
};

type AnyCodec = Codec<MacCommandName>;

/** Per direction, CID byte → codec (undefined: not a command in that direction). */
const BY_CID: Readonly<Record<MacDirection, Readonly<(AnyCodec | undefined)[]>>> = (() => {
  const up: (AnyCodec | undefined)[] = new Array(256).fill(undefined);
  const down: (AnyCodec | undefined)[] = new Array(256).fill(undefined);
  for (const codec of Object.values(CODECS) as AnyCodec[]) {
    (codec.direction === 'uplink' ? up : down)[codec.cid] = codec;
  }
  return { uplink: up, downlink: down };
})();

const NAME_BY_CODEC = new Map<AnyCodec, MacCommandName>(
  (Object.entries(CODECS) as [MacCommandName, AnyCodec][]).map(([name, codec]) => [codec, name]),
);

function codecFor(cid: number, direction: MacDirection): AnyCodec | undefined {
  const table = direction === 'uplink' || direction === 'downlink' ? BY_CID[direction] : undefined;
  return Number.isInteger(cid) ? table?.[cid] : undefined;
}

/**
 * Payload length in bytes (CID excluded) of the command `cid` names in `direction`, or `undefined` when
 * no command has that CID in that direction (unknown, proprietary, or ForceRejoinReq's 0x0E uplink).
 */
export function macCommandLength(cid: number, direction: MacDirection): number | undefined {
  return codecFor(cid, direction)?.length;
}

/** The command name `cid` has in `direction` (0x03 uplink → 'LinkADRAns'), or `undefined`. */
export function macCommandName(cid: number, direction: MacDirection): MacCommandName | undefined {
  const codec = codecFor(cid, direction);
  return codec && NAME_BY_CODEC.get(codec);
}

/** Direction a command travels in: 'LinkADRReq' → 'downlink'. */
export function macCommandDirection(name: MacCommandName): MacDirection {
  return CODECS[name].direction;
}

/**
 * Decodes a run of MAC commands (FOpts, or an FPort 0 FRMPayload, already decrypted).
 * Stops at the first CID that has no command in `direction` (incl. proprietary 0x80..0xFF) or whose payload
 * is cut short, and returns the undecoded tail from that CID on in `rest`. Never throws, never reads out of range.
 */
export function decodeMacCommands(buf: Uint8Array, direction: MacDirection): MacCommandsDecodeResult {
  const commands: MacCommand[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const cid = buf[offset];
    const codec = codecFor(cid, direction);
    if (codec === undefined) {
      return stopAt(commands, buf, offset, cid >= PROPRIETARY_CID_MIN ? 'PROPRIETARY_CID' : 'UNKNOWN_CID');
    }
    const end = offset + 1 + codec.length;
    if (end > buf.length) return stopAt(commands, buf, offset, 'TRUNCATED');
    commands.push(codec.decode(buf.subarray(offset + 1, end)));
    offset = end;
  }
  return { commands };
}

function stopAt(
  commands: MacCommand[],
  buf: Uint8Array,
  offset: number,
  stop: MacDecodeStop,
): MacCommandsDecodeResult {
  return { commands, rest: Buffer.from(buf.subarray(offset)), stop };
}

/** Encodes one command, CID byte included. A field out of its range → `LorawanError('BAD_FIELD')`. */
export function encodeMacCommand(cmd: MacCommand): Buffer {
  const name = (cmd as { cid?: unknown } | null)?.cid;
  const codec =
    typeof name === 'string' && Object.hasOwn(CODECS, name) ? CODECS[name as MacCommandName] : undefined;
  if (codec === undefined) fail('MAC command', 'cid', name, 'a known MAC command name');
  const out = Buffer.alloc(1 + codec.length);
  out[0] = codec.cid;
  (codec as AnyCodec).encode(cmd, out.subarray(1));
  return out;
}

/** Encodes commands back to back, in order. No size limit here: FOpts' 15 bytes are the frame codec's concern. */
export function encodeMacCommands(cmds: readonly MacCommand[]): Buffer {
  return Buffer.concat(cmds.map(encodeMacCommand));
}
