/**
 * Regional parameters (RP002-1.0.4) as data behind one interface. Each region file holds only the
 * tables; the two builders below (`defineDynamicRegion` for the 16-channel "EU-like" plans, and
 * `defineFixed72Region` for US915/AU915) turn them into a `Region`.
 */
import { CFList, channelsToChMasks } from '../cflist';
import { LorawanError } from '../errors';

export type RegionName =
  'EU868' | 'US915' | 'AU915' | 'AS923' | 'AS923-2' | 'AS923-3' | 'AS923-4' | 'IN865' | 'KR920';

interface Usability {
  /** Usable for uplinks (end-device → network). */
  readonly uplink: boolean;
  /** Usable for downlinks (RX1/RX2/Class B/C). */
  readonly downlink: boolean;
}

export interface LoraDataRate extends Usability {
  readonly modulation: 'LORA';
  readonly spreadingFactor: number;
  /** Hz. */
  readonly bandwidth: number;
  readonly codingRate: '4/5';
  /** Bit/s as printed in the RP002 data-rate table. */
  readonly bitRate: number;
}

export interface FskDataRate extends Usability {
  readonly modulation: 'FSK';
  readonly bitRate: number;
}

export interface LrFhssDataRate extends Usability {
  readonly modulation: 'LR-FHSS';
  /** Occupied channel width, Hz. */
  readonly occupiedChannelWidth: number;
  readonly codingRate: '1/3' | '2/3';
  readonly bitRate: number;
}

export type DataRate = LoraDataRate | FskDataRate | LrFhssDataRate;

/** M = max MACPayload, N = max FRMPayload (= M − 8, i.e. without FOpts). */
export interface MaxPayload {
  readonly m: number;
  readonly n: number;
}

export interface MaxPayloadEntry {
  readonly noDwell: MaxPayload;
  /** With the 400 ms dwell-time limit; `null` = the data rate may not be used then. */
  readonly dwell: MaxPayload | null;
}

export interface Channel {
  /** Hz. */
  readonly frequency: number;
  readonly minDr: number;
  readonly maxDr: number;
}

/** One LinkADRReq's channel-mask part (L11 §5.3; same names as `mac-commands.ts`). */
export interface ChMaskPair {
  /** 16-bit ChMask. */
  readonly chMask: number;
  /** 3-bit ChMaskCntl. */
  readonly chMaskCntl: number;
}

/** Why an end-device would NACK the channel mask (LinkADRAns ChannelMaskACK = 0). */
export type ChMaskErrorCode = 'CHMASKCNTL_RFU' | 'UNDEFINED_CHANNEL' | 'NO_CHANNEL_ENABLED';

export type ChMaskResult =
  | { readonly ok: true; readonly enabled: boolean[] }
  | { readonly ok: false; readonly error: ChMaskErrorCode; readonly message: string };

export type CFListInput =
  /** CFListType 0: up to 5 extra channel frequencies (Hz, 0 = unused). */
  | { readonly frequencies: readonly number[] }
  /** CFListType 1: the enabled uplink channels (72 for US915/AU915). */
  | { readonly enabledChannels: readonly boolean[] };

export interface LinkAdrChMaskOptions {
  /** Allow ChMaskCntl 5 (sub-band blocks). RP002-1.0.0+; RP001 (LoRaWAN ≤ 1.0.2) devices treat it as RFU. Default true. */
  readonly chMaskCntl5?: boolean;
}

export interface Region {
  readonly name: RegionName;
  /** Band edges (Hz): NewChannelReq, DlChannelReq and RXParamSetupReq frequencies must lie within. */
  readonly frequencyRange: { readonly min: number; readonly max: number };
  /** Whether `frequency` (Hz) is an integer inside the band edges. */
  isValidFrequency(frequency: number): boolean;
  /** Data-rate table, index → data rate; RFU indices are absent. */
  readonly dataRates: Readonly<Record<number, DataRate>>;
  /** Max payload size per data rate (M/N, without and with dwell time). */
  readonly maxPayload: Readonly<Record<number, MaxPayloadEntry>>;
  /** Highest data rate ADR may assign. */
  readonly maxAdrDataRate: number;
  /** Uplink channels an end-device knows at boot (3 or 2 default channels; all 72 for US915/AU915). */
  readonly defaultChannels: readonly Channel[];
  /** Channels and data rates a Join-request may use. */
  readonly joinChannels: readonly Channel[];
  /** Largest number of uplink channels (16 or 72). */
  readonly maxChannels: number;
  /** Largest valid RX1DROffset. */
  readonly maxRx1DrOffset: number;
  /** RX1 data rate from the uplink data rate, RX1DROffset and the downlink dwell time (AS923 only). */
  rx1DataRate(uplinkDr: number, rx1DrOffset: number, downlinkDwellTime?: boolean): number;
  /** RX1 frequency from the uplink frequency (and channel index, for US915/AU915). */
  rx1Frequency(uplinkFrequency: number, uplinkChannel?: number): number;
  /** Uplink channel index of `frequency` in `channels` (default: `defaultChannels`); fixed plans compute it. */
  uplinkChannelIndex(frequency: number, channels?: readonly number[]): number | undefined;
  /** RX2 default frequency (Hz) and data rate. */
  readonly rx2: { readonly frequency: number; readonly dataRate: number };
  /** Seconds. */
  readonly receiveDelay1: number;
  readonly receiveDelay2: number;
  readonly joinAcceptDelay1: number;
  readonly joinAcceptDelay2: number;
  /** TXPower index → dB offset from the max EIRP (0, −2, …). */
  readonly txPowerOffsets: readonly number[];
  /** dBm. */
  readonly defaultMaxEirp: number;
  /** EIRP (dBm) for TXPower index `txPower`. */
  txPowerEirp(txPower: number, maxEirp?: number): number;
  /** Gateway downlink EIRP (dBm) to use on `frequency`. */
  downlinkTxPower(frequency: number): number;
  /** Whether TxParamSetupReq is part of this region. */
  readonly implementsTxParamSetup: boolean;
  /** Dwell-time limits assumed until a TxParamSetupReq changes them. */
  readonly bootDwellTime: { readonly uplink: boolean; readonly downlink: boolean };
  /** CFList type this region sends in a Join-accept. */
  readonly cfListType: 0 | 1;
  buildCFList(input: CFListInput): CFList;
  /** Data rate `dr` or throws UNKNOWN_DATA_RATE. */
  getDataRate(dr: number): DataRate;
  /** Max payload at `dr`; `null` when `dr` is forbidden under the dwell-time limit. */
  getMaxPayload(dr: number, dwellTime?: boolean): MaxPayload | null;
  /** Index of the data rate matching a LoRa SF/BW or an FSK bit rate in that direction. */
  dataRateIndexOf(
    dr: { spreadingFactor: number; bandwidth: number } | { bitRate: number },
    direction: 'uplink' | 'downlink',
  ): number | undefined;
  /**
   * The enabled set after one LinkADRReq channel mask, or why the device rejects it. For 16-channel regions
   * `enabled` has one entry per channel index (its length bounds the defined channels; `defined` may mark
   * holes); for 72-channel regions it has 72 entries.
   */
  applyChMask(
    enabled: readonly boolean[],
    chMask: number,
    chMaskCntl: number,
    defined?: readonly boolean[],
  ): ChMaskResult;
  /** A contiguous block of LinkADRReq masks, applied in order; "no channel" is judged after the last one. */
  applyChMasks(
    enabled: readonly boolean[],
    masks: readonly ChMaskPair[],
    defined?: readonly boolean[],
  ): ChMaskResult;
  /** LinkADRReq channel masks that turn any current state into `target` (absolute, first mask resets). */
  linkAdrChMasks(target: readonly boolean[], options?: LinkAdrChMaskOptions): ChMaskPair[];
}

// ---------------------------------------------------------------------------------------------------
// Helpers shared by the region files.

/** RP002-1.0.4 common default settings ("Default Settings" of every region; TTS `band/shared.go`). */
const DEFAULT_TIMING = {
  receiveDelay1: 1,
  receiveDelay2: 2,
  joinAcceptDelay1: 5,
  joinAcceptDelay2: 6,
} as const;

export function lora(
  spreadingFactor: number,
  bandwidth: number,
  bitRate: number,
  uplink = true,
  downlink = true,
) {
  return {
    modulation: 'LORA',
    spreadingFactor,
    bandwidth,
    codingRate: '4/5',
    bitRate,
    uplink,
    downlink,
  } as const;
}

export function fsk(bitRate: number) {
  return { modulation: 'FSK', bitRate, uplink: true, downlink: true } as const;
}

/** LR-FHSS is uplink-only in RP002. */
export function lrFhss(occupiedChannelWidth: number, codingRate: '1/3' | '2/3', bitRate: number) {
  return {
    modulation: 'LR-FHSS',
    occupiedChannelWidth,
    codingRate,
    bitRate,
    uplink: true,
    downlink: false,
  } as const;
}

/** A max-payload entry from M (N = M − 8); `dwellM` null = forbidden under dwell time; omitted = same as M. */
export function payload(m: number, dwellM?: number | null): MaxPayloadEntry {
  const d = dwellM === undefined ? m : dwellM;
  return { noDwell: { m, n: m - 8 }, dwell: d === null ? null : { m: d, n: d - 8 } };
}

/** TXPower offsets 0, −2, … −2·max. */
export function txOffsets(max: number): number[] {
  return Array.from({ length: max + 1 }, (_, i) => (i === 0 ? 0 : -2 * i));
}

function checkInt(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LorawanError('BAD_FIELD', `${what} ${value} outside ${min}..${max}`);
  }
}

function bits16(enabled: readonly boolean[], from: number): number {
  let mask = 0;
  for (let i = 0; i < 16; i++) if (enabled[from + i]) mask |= 1 << i;
  return mask;
}

/** An RX1 data-rate function from an RP002 table (rows = uplink DR, columns = RX1DROffset). */
export function rx1FromTable(table: Readonly<Record<number, readonly number[]>>, maxOffset: number) {
  return (uplinkDr: number, rx1DrOffset: number): number => {
    checkInt(rx1DrOffset, 0, maxOffset, 'RX1DROffset');
    const row = table[uplinkDr];
    if (row === undefined)
      throw new LorawanError('UNKNOWN_DATA_RATE', `no RX1 data rate for uplink DR${uplinkDr}`);
    return row[rx1DrOffset];
  };
}

interface CommonDefinition {
  readonly name: RegionName;
  /** Band edges (Hz) of the ISM band the region's channels must lie in. */
  readonly frequencyRange: { readonly min: number; readonly max: number };
  readonly dataRates: Readonly<Record<number, DataRate>>;
  readonly maxPayload: Readonly<Record<number, MaxPayloadEntry>>;
  readonly maxAdrDataRate: number;
  readonly maxRx1DrOffset: number;
  readonly rx1DataRate: (uplinkDr: number, rx1DrOffset: number, downlinkDwellTime: boolean) => number;
  readonly rx2: { readonly frequency: number; readonly dataRate: number };
  readonly txPowerOffsets: readonly number[];
  readonly defaultMaxEirp: number;
  readonly downlinkTxPower: (frequency: number) => number;
  readonly implementsTxParamSetup: boolean;
  readonly bootDwellTime: { readonly uplink: boolean; readonly downlink: boolean };
}

type Common = Omit<
  Region,
  | 'defaultChannels'
  | 'joinChannels'
  | 'maxChannels'
  | 'rx1Frequency'
  | 'uplinkChannelIndex'
  | 'cfListType'
  | 'buildCFList'
  | 'applyChMask'
  | 'applyChMasks'
  | 'linkAdrChMasks'
>;

function common(def: CommonDefinition): Common {
  const getDataRate = (dr: number): DataRate => {
    const rate = Object.prototype.hasOwnProperty.call(def.dataRates, dr) ? def.dataRates[dr] : undefined;
    if (rate === undefined) throw new LorawanError('UNKNOWN_DATA_RATE', `${def.name} has no DR${dr}`);
    return rate;
  };
  // Listed once: dataRateIndexOf runs for every uplink, and Object.entries per call was ~0.9 KB of garbage.
  const indexed = Object.entries(def.dataRates).map(([key, rate]) => [Number(key), rate] as const);
  return {
    name: def.name,
    frequencyRange: def.frequencyRange,
    isValidFrequency: (f) =>
      Number.isInteger(f) && f >= def.frequencyRange.min && f <= def.frequencyRange.max,
    dataRates: def.dataRates,
    maxPayload: def.maxPayload,
    maxAdrDataRate: def.maxAdrDataRate,
    maxRx1DrOffset: def.maxRx1DrOffset,
    rx1DataRate: (uplinkDr, rx1DrOffset, downlinkDwellTime = false) => {
      getDataRate(uplinkDr);
      return def.rx1DataRate(uplinkDr, rx1DrOffset, downlinkDwellTime);
    },
    rx2: def.rx2,
    ...DEFAULT_TIMING,
    txPowerOffsets: def.txPowerOffsets,
    defaultMaxEirp: def.defaultMaxEirp,
    txPowerEirp: (txPower, maxEirp = def.defaultMaxEirp) => {
      checkInt(txPower, 0, def.txPowerOffsets.length - 1, 'TXPower');
      return maxEirp + def.txPowerOffsets[txPower];
    },
    downlinkTxPower: def.downlinkTxPower,
    implementsTxParamSetup: def.implementsTxParamSetup,
    bootDwellTime: def.bootDwellTime,
    getDataRate,
    getMaxPayload: (dr, dwellTime = false) => {
      getDataRate(dr);
      const entry = def.maxPayload[dr];
      if (entry === undefined)
        throw new LorawanError('UNKNOWN_DATA_RATE', `${def.name} has no max payload for DR${dr}`);
      return dwellTime ? entry.dwell : entry.noDwell;
    },
    dataRateIndexOf: (wanted, direction) => {
      for (const [index, rate] of indexed) {
        if (!rate[direction]) continue;
        const match =
          'spreadingFactor' in wanted
            ? rate.modulation === 'LORA' &&
              rate.spreadingFactor === wanted.spreadingFactor &&
              rate.bandwidth === wanted.bandwidth
            : rate.modulation === 'FSK' && rate.bitRate === wanted.bitRate;
        if (match) return index;
      }
      return undefined;
    },
  };
}

function checkChMaskArgs(chMask: number, chMaskCntl: number): void {
  checkInt(chMask, 0, 0xffff, 'ChMask');
  checkInt(chMaskCntl, 0, 7, 'ChMaskCntl');
}

function reject(error: ChMaskErrorCode, message: string): ChMaskResult {
  return { ok: false, error, message };
}

function applyBlock(
  apply: (enabled: readonly boolean[], pair: ChMaskPair) => ChMaskResult,
  enabled: readonly boolean[],
  masks: readonly ChMaskPair[],
): ChMaskResult {
  let current = [...enabled];
  for (const pair of masks) {
    const r = apply(current, pair);
    if (!r.ok) return r;
    current = r.enabled;
  }
  // TS001-1.0.4 §5.3: a block is applied as a whole; only the final state must keep a channel on.
  if (!current.includes(true)) return reject('NO_CHANNEL_ENABLED', 'the channel mask disables every channel');
  return { ok: true, enabled: current };
}

// ---------------------------------------------------------------------------------------------------
// 16-channel regions with default channels + CFList type 0 (EU868, AS923, IN865, KR920).

export interface DynamicRegionDefinition extends CommonDefinition {
  readonly defaultChannels: readonly Channel[];
}

export function defineDynamicRegion(def: DynamicRegionDefinition): Region {
  const maxChannels = 16;
  const defaults = def.defaultChannels.map((c) => c.frequency);

  // RP002-1.0.4 EU868 LinkAdrReq (§2.4.5, likewise AS923/IN865/KR920): 0 = channels 0..15, 6 = all
  // defined channels on (ChMask ignored), others RFU. A bit enabling an undefined channel is rejected.
  const applyOne = (
    enabled: readonly boolean[],
    { chMask, chMaskCntl }: ChMaskPair,
    defined?: readonly boolean[],
  ) => {
    checkChMaskArgs(chMask, chMaskCntl);
    if (enabled.length > maxChannels) {
      throw new LorawanError(
        'BAD_FIELD',
        `${def.name} has at most ${maxChannels} channels, got ${enabled.length}`,
      );
    }
    const isDefined = (i: number) => i < enabled.length && (defined === undefined || defined[i] === true);
    if (chMaskCntl === 6) return { ok: true, enabled: enabled.map((_, i) => isDefined(i)) } as const;
    if (chMaskCntl !== 0) return reject('CHMASKCNTL_RFU', `ChMaskCntl ${chMaskCntl} is RFU in ${def.name}`);
    for (let i = 0; i < maxChannels; i++) {
      if (chMask & (1 << i) && !isDefined(i)) {
        return reject('UNDEFINED_CHANNEL', `ChMask enables undefined channel ${i}`);
      }
    }
    return { ok: true, enabled: enabled.map((_, i) => (chMask & (1 << i)) !== 0) } as const;
  };

  return {
    ...common(def),
    defaultChannels: def.defaultChannels,
    joinChannels: def.defaultChannels,
    maxChannels,
    // RP002: "The RX1 receive window uses the same channel as the preceding uplink."
    rx1Frequency: (uplinkFrequency) => uplinkFrequency,
    uplinkChannelIndex: (frequency, channels = defaults) => {
      const i = channels.indexOf(frequency);
      return i < 0 || frequency === 0 ? undefined : i;
    },
    cfListType: 0,
    buildCFList: (input) => {
      if (!('frequencies' in input)) {
        throw new LorawanError('BAD_FIELD', `${def.name} uses CFListType 0 (frequencies)`);
      }
      if (input.frequencies.length > 5) {
        throw new LorawanError(
          'BAD_FIELD',
          `a CFList holds at most 5 frequencies, got ${input.frequencies.length}`,
        );
      }
      return { type: 0, frequencies: [...input.frequencies, 0, 0, 0, 0, 0].slice(0, 5) };
    },
    applyChMask: (enabled, chMask, chMaskCntl, defined) =>
      applyBlock((e, p) => applyOne(e, p, defined), enabled, [{ chMask, chMaskCntl }]),
    applyChMasks: (enabled, masks, defined) => applyBlock((e, p) => applyOne(e, p, defined), enabled, masks),
    linkAdrChMasks: (target) => {
      if (target.length > maxChannels) {
        throw new LorawanError(
          'BAD_FIELD',
          `${def.name} has at most ${maxChannels} channels, got ${target.length}`,
        );
      }
      if (!target.includes(true)) throw new LorawanError('BAD_FIELD', 'the target enables no channel');
      // ChMaskCntl 6 never needs fewer commands than one ChMaskCntl 0 mask.
      return [{ chMask: bits16(target, 0), chMaskCntl: 0 }];
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// 64 × 125 kHz + 8 × 500 kHz uplink, 8 × 500 kHz downlink (US915, AU915).

export interface Fixed72RegionDefinition extends CommonDefinition {
  /** Hz: channel n (0..63) = base125 + 200 kHz · n. */
  readonly base125: number;
  /** Hz: channel 64 + n (n 0..7) = base500 + 1.6 MHz · n. */
  readonly base500: number;
  readonly dr125: { readonly min: number; readonly max: number };
  readonly dr500: { readonly min: number; readonly max: number };
  /** Join-request data rate on 125 kHz and on 500 kHz channels. */
  readonly joinDr125: number;
  readonly joinDr500: number;
}

const STEP_125 = 200_000;
const STEP_500 = 1_600_000;
/** RP002 US915/AU915 downlink channel n = 923.3 + 0.6·n MHz. */
const DOWNLINK_BASE = 923_300_000;
const DOWNLINK_STEP = 600_000;

/** ChMask bit i of ChMaskCntl 5 = 125 kHz channels 8i..8i+7 and 500 kHz channel 64+i. */
function fsbState(enabled: readonly boolean[], i: number): boolean {
  return enabled.slice(8 * i, 8 * i + 8).every(Boolean) && enabled[64 + i];
}

export function defineFixed72Region(def: Fixed72RegionDefinition): Region {
  const channels = (dr125: { min: number; max: number }, dr500: { min: number; max: number }): Channel[] => [
    ...Array.from({ length: 64 }, (_, n) => ({
      frequency: def.base125 + STEP_125 * n,
      minDr: dr125.min,
      maxDr: dr125.max,
    })),
    ...Array.from({ length: 8 }, (_, n) => ({
      frequency: def.base500 + STEP_500 * n,
      minDr: dr500.min,
      maxDr: dr500.max,
    })),
  ];

  const uplinkChannelIndex = (frequency: number): number | undefined => {
    const d125 = frequency - def.base125;
    if (d125 % STEP_125 === 0 && d125 >= 0 && d125 / STEP_125 < 64) return d125 / STEP_125;
    const d500 = frequency - def.base500;
    if (d500 % STEP_500 === 0 && d500 >= 0 && d500 / STEP_500 < 8) return 64 + d500 / STEP_500;
    return undefined;
  };

  const checkLength = (enabled: readonly boolean[]) => {
    if (enabled.length !== 72) {
      throw new LorawanError('BAD_FIELD', `${def.name} needs 72 channel flags, got ${enabled.length}`);
    }
  };

  // RP002-1.0.4 US915 §2.5.5 / AU915 §2.8.5 ChMaskCntl table (+ errata CR "US915 and AU915 ChMaskCtrl
  // contradiction": a ChMaskCntl 5 block is 8 × 125 kHz + 1 × 500 kHz, bits 8..15 RFU).
  const applyOne = (enabled: readonly boolean[], { chMask, chMaskCntl }: ChMaskPair): ChMaskResult => {
    checkChMaskArgs(chMask, chMaskCntl);
    checkLength(enabled);
    const bit = (i: number) => (chMask & (1 << i)) !== 0;
    const out = [...enabled];
    switch (chMaskCntl) {
      case 0:
      case 1:
      case 2:
      case 3:
        for (let i = 0; i < 16; i++) out[16 * chMaskCntl + i] = bit(i);
        break;
      case 4:
        for (let i = 0; i < 8; i++) out[64 + i] = bit(i);
        break;
      case 5:
        for (let i = 0; i < 8; i++) {
          for (let j = 0; j < 8; j++) out[8 * i + j] = bit(i);
          out[64 + i] = bit(i);
        }
        break;
      default: // 6: all 125 kHz on, 7: all 125 kHz off; ChMask bits 0..7 set channels 64..71.
        for (let i = 0; i < 64; i++) out[i] = chMaskCntl === 6;
        for (let i = 0; i < 8; i++) out[64 + i] = bit(i);
    }
    return { ok: true, enabled: out };
  };

  const linkAdrChMasks = (target: readonly boolean[], options: LinkAdrChMaskOptions = {}): ChMaskPair[] => {
    checkLength(target);
    if (!target.includes(true)) throw new LorawanError('BAD_FIELD', 'the target enables no channel');
    const mask500 = target.slice(64).reduce((m, on, i) => (on ? m | (1 << i) : m), 0);
    // After a resetting first mask, patch every 16-channel block (and 64..71) that still differs.
    const patch = (base: readonly boolean[], first: ChMaskPair): ChMaskPair[] => {
      const out = [first];
      for (let k = 0; k < 4; k++) {
        if (bits16(base, 16 * k) !== bits16(target, 16 * k))
          out.push({ chMask: bits16(target, 16 * k), chMaskCntl: k });
      }
      if (bits16(base, 64) !== mask500) out.push({ chMask: mask500, chMaskCntl: 4 });
      return out;
    };
    const from = (first: ChMaskPair) => {
      const r = applyOne(new Array<boolean>(72).fill(false), first);
      return patch(r.ok ? r.enabled : [], first);
    };
    const candidates = [from({ chMask: mask500, chMaskCntl: 7 }), from({ chMask: mask500, chMaskCntl: 6 })];
    if (options.chMaskCntl5 ?? true) {
      let fsb = 0;
      for (let i = 0; i < 8; i++) if (fsbState(target, i)) fsb |= 1 << i;
      candidates.push(from({ chMask: fsb, chMaskCntl: 5 }));
    }
    // Fewest commands wins; on a tie the earlier candidate (no ChMaskCntl 5) is kept.
    return candidates.reduce((best, c) => (c.length < best.length ? c : best));
  };

  return {
    ...common(def),
    defaultChannels: channels(def.dr125, def.dr500),
    joinChannels: channels(
      { min: def.joinDr125, max: def.joinDr125 },
      { min: def.joinDr500, max: def.joinDr500 },
    ),
    maxChannels: 72,
    // RP002: RX1 channel = uplink channel modulo 8 on the 500 kHz downlink grid.
    rx1Frequency: (uplinkFrequency, uplinkChannel) => {
      const ch = uplinkChannel ?? uplinkChannelIndex(uplinkFrequency);
      if (ch === undefined) {
        throw new LorawanError('BAD_FIELD', `${uplinkFrequency} Hz is not a ${def.name} uplink channel`);
      }
      checkInt(ch, 0, 71, 'uplink channel');
      return DOWNLINK_BASE + DOWNLINK_STEP * (ch % 8);
    },
    uplinkChannelIndex: (frequency) => uplinkChannelIndex(frequency),
    cfListType: 1,
    buildCFList: (input) => {
      if (!('enabledChannels' in input)) {
        throw new LorawanError('BAD_FIELD', `${def.name} uses CFListType 1 (channel masks)`);
      }
      checkLength(input.enabledChannels);
      return { type: 1, chMasks: channelsToChMasks(input.enabledChannels) };
    },
    applyChMask: (enabled, chMask, chMaskCntl) => applyBlock(applyOne, enabled, [{ chMask, chMaskCntl }]),
    applyChMasks: (enabled, masks) => applyBlock(applyOne, enabled, masks),
    linkAdrChMasks,
  };
}
