/**
 * The uplink channel plan of one simulated device: which channels exist, which are enabled, their data-rate
 * ranges and RX1 frequencies. Region rules (channel masks, RX1 frequency, CFList layout) come from
 * `@lns/lorawan`'s `Region`; this file only keeps the device's state and answers the questions a device
 * stack asks (LoRaMac-node `RegionEU868*` / `RegionUS915*` behaviour).
 */
import { CFList, chMasksToChannels, Region } from '@lns/lorawan';
import type { Rng } from '../rng';
import type { ChannelState } from './types';

interface Slot {
  frequency: number;
  minDr: number;
  maxDr: number;
  rx1Frequency?: number;
}

/**
 * Band edges (Hz) a device accepts for NewChannelReq / DlChannelReq / RXParamSetupReq frequencies in the
 * 16-channel regions (RP002-1.0.4 "band" of each region; LoRaMac-node `VerifyRfFreq`). `@lns/lorawan`'s
 * Region does not carry them yet.
 */
export interface JoinChannel {
  index: number;
  frequency: number;
  dataRate: number;
}

export class ChannelPlan {
  /** US915/AU915: 64 + 8 fixed channels, masks only. */
  readonly fixed: boolean;
  private slots: (Slot | undefined)[] = [];
  private enabled: boolean[] = [];

  constructor(
    private readonly region: Region,
    /** 1-based sub-band for fixed plans, null for all channels. */
    private readonly subBand: number | null,
  ) {
    this.fixed = region.maxChannels === 72;
    if (this.fixed && subBand !== null && (!Number.isInteger(subBand) || subBand < 1 || subBand > 8)) {
      throw new RangeError(`sub-band ${subBand} is not 1..8`);
    }
    this.reset();
  }

  /** Back to the boot plan (what a device has after power-up or a join-request: LoRaMac-node InitDefaults). */
  reset(): void {
    const defaults = this.region.defaultChannels;
    if (this.fixed) {
      this.slots = defaults.map((c) => ({ frequency: c.frequency, minDr: c.minDr, maxDr: c.maxDr }));
      this.enabled = this.bootMask();
    } else {
      this.slots = Array.from({ length: this.region.maxChannels }, (_, i) =>
        i < defaults.length
          ? { frequency: defaults[i].frequency, minDr: defaults[i].minDr, maxDr: defaults[i].maxDr }
          : undefined,
      );
      this.enabled = this.slots.map((s) => s !== undefined);
    }
  }

  private bootMask(): boolean[] {
    if (this.subBand === null) return new Array<boolean>(72).fill(true);
    const sb = this.subBand - 1;
    return Array.from({ length: 72 }, (_, i) => (i < 64 ? i >> 3 === sb : i - 64 === sb));
  }

  /** One flag per channel index (16 or 72). */
  enabledFlags(): boolean[] {
    return [...this.enabled];
  }

  /** Whether a channel exists at each index (16-channel plans have holes). */
  definedFlags(): boolean[] {
    return this.slots.map((s) => s !== undefined);
  }

  setEnabled(flags: readonly boolean[]): void {
    if (flags.length !== this.slots.length)
      throw new RangeError(`expected ${this.slots.length} channel flags`);
    this.enabled = flags.map((on, i) => on && this.slots[i] !== undefined);
  }

  get(index: number): Slot | undefined {
    return this.slots[index];
  }

  list(onlyEnabled = true): ChannelState[] {
    const out: ChannelState[] = [];
    this.slots.forEach((s, index) => {
      if (s === undefined || (onlyEnabled && !this.enabled[index])) return;
      const c: ChannelState = { index, frequency: s.frequency, minDr: s.minDr, maxDr: s.maxDr };
      if (s.rx1Frequency !== undefined) c.rx1Frequency = s.rx1Frequency;
      out.push(c);
    });
    return out;
  }

  /** Whether some channel enabled in `flags` (default: the current ones) can carry `dr`. */
  supportsDataRate(dr: number, flags: readonly boolean[] = this.enabled): boolean {
    return this.slots.some((s, i) => s !== undefined && flags[i] && dr >= s.minDr && dr <= s.maxDr);
  }

  /** Enabled channels that carry `dr`. */
  eligible(dr: number): number[] {
    const out: number[] = [];
    this.slots.forEach((s, i) => {
      if (s !== undefined && this.enabled[i] && dr >= s.minDr && dr <= s.maxDr) out.push(i);
    });
    return out;
  }

  /** A random enabled channel for `dr` (LoRaMac-node picks uniformly among the free enabled channels). */
  pick(rng: Rng, dr: number): number | undefined {
    const candidates = this.eligible(dr);
    return candidates.length === 0 ? undefined : rng.pick(candidates);
  }

  /**
   * Channels and data rates a join-request may use: the region's join channels that are enabled (the default
   * channels, or the sub-band in US915/AU915), optionally restricted to one data rate.
   */
  joinCandidates(joinDataRate?: number): JoinChannel[] {
    const out: JoinChannel[] = [];
    const join = this.region.joinChannels;
    join.forEach((c, index) => {
      if (!this.enabled[index]) return;
      if (this.fixed) {
        // Each fixed join channel allows exactly one DR (DR0/DR4 in US915, DR2/DR6 in AU915).
        if (joinDataRate === undefined || joinDataRate === c.minDr) {
          out.push({ index, frequency: c.frequency, dataRate: c.minDr });
        }
        return;
      }
      const dr = joinDataRate ?? Math.min(5, c.maxDr);
      if (dr >= c.minDr && dr <= c.maxDr) out.push({ index, frequency: c.frequency, dataRate: dr });
    });
    return out;
  }

  /** Join-accept CFList (RP002 "Join-Accept CFList"): type 0 adds channels 3..7, type 1 sets the mask. */
  applyCfList(cfList: CFList): 'applied' | 'ignored' {
    if (cfList.type !== this.region.cfListType) return 'ignored';
    if (cfList.type === 0) {
      const first = this.region.defaultChannels.length;
      const range = this.region.defaultChannels[0];
      cfList.frequencies.forEach((frequency, i) => {
        const index = first + i;
        if (index >= this.slots.length) return;
        if (frequency === 0 || !this.isValidFrequency(frequency)) {
          this.slots[index] = undefined;
          this.enabled[index] = false;
        } else {
          this.slots[index] = { frequency, minDr: range.minDr, maxDr: range.maxDr };
          this.enabled[index] = true;
        }
      });
      return 'applied';
    }
    const flags = chMasksToChannels(cfList.chMasks, this.slots.length);
    if (!flags.includes(true)) return 'ignored';
    this.setEnabled(flags);
    return 'applied';
  }

  /**
   * NewChannelReq (L11 §5.7.1, LoRaMac-node RegionEU868NewChannelReq). `undefined` in the fixed plans, where
   * the command does not exist and no answer is sent.
   */
  newChannel(
    chIndex: number,
    frequency: number,
    minDr: number,
    maxDr: number,
  ): { channelFrequencyOk: boolean; dataRateRangeOk: boolean } | undefined {
    if (this.fixed) return undefined;
    const nbDefault = this.region.defaultChannels.length;
    if (chIndex >= this.slots.length) return { channelFrequencyOk: false, dataRateRangeOk: false };
    if (frequency === 0) {
      // Removing a channel: the default channels cannot be removed.
      if (chIndex < nbDefault) return { channelFrequencyOk: false, dataRateRangeOk: false };
      this.slots[chIndex] = undefined;
      this.enabled[chIndex] = false;
      return { channelFrequencyOk: true, dataRateRangeOk: true };
    }
    const maxTxDr = maxUplinkDataRate(this.region);
    let drOk = minDr <= maxDr && minDr <= maxTxDr && maxDr <= maxTxDr && this.isUplinkDr(minDr);
    let freqOk = this.isValidFrequency(frequency);
    if (chIndex < nbDefault) {
      // A default channel keeps its frequency; its range must stay DR0..≥DR5 (LoRaMac-node).
      const d = this.region.defaultChannels[chIndex];
      if (frequency !== d.frequency) freqOk = false;
      if (minDr !== d.minDr || maxDr < d.maxDr) drOk = false;
    }
    if (freqOk && drOk) {
      this.slots[chIndex] = { frequency, minDr, maxDr };
      this.enabled[chIndex] = true;
    }
    return { channelFrequencyOk: freqOk, dataRateRangeOk: drOk };
  }

  /** DlChannelReq (L11 §5.7.2). `undefined` in the fixed plans (no answer). */
  dlChannel(
    chIndex: number,
    frequency: number,
  ): { channelFrequencyOk: boolean; uplinkFrequencyExists: boolean } | undefined {
    if (this.fixed) return undefined;
    const slot = this.slots[chIndex];
    const result = {
      channelFrequencyOk: this.isValidFrequency(frequency),
      uplinkFrequencyExists: slot !== undefined,
    };
    if (slot !== undefined && result.channelFrequencyOk) slot.rx1Frequency = frequency;
    return result;
  }

  /** ADR back-off, last step: re-enable the default channels (LoRaMac-node INIT_TYPE_ACTIVATE_DEFAULT_CHANNELS). */
  restoreDefaultChannels(): void {
    if (this.fixed) {
      this.enabled = this.bootMask();
      return;
    }
    for (let i = 0; i < this.region.defaultChannels.length; i++) this.enabled[i] = true;
  }

  /** RX1 frequency after an uplink on `index` (DlChannelReq override, else the region's rule). */
  rx1Frequency(index: number): number {
    const slot = this.slots[index];
    if (slot === undefined) throw new RangeError(`channel ${index} is not defined`);
    return slot.rx1Frequency ?? this.region.rx1Frequency(slot.frequency, index);
  }

  /** Frequency check of a 16-channel plan: inside the region's band edges. */
  isValidFrequency(frequency: number): boolean {
    return this.region.isValidFrequency(frequency);
  }

  /** Whether `frequency` is a downlink (RX1/RX2) frequency the device can tune to. */
  isValidDownlinkFrequency(frequency: number): boolean {
    if (!this.fixed) return this.isValidFrequency(frequency);
    // US915/AU915: the eight 500 kHz downlink channels (RX1 of uplink channels 0..7).
    for (let ch = 0; ch < 8; ch++) {
      if (this.region.rx1Frequency(this.region.defaultChannels[ch].frequency, ch) === frequency) return true;
    }
    return false;
  }

  private isUplinkDr(dr: number): boolean {
    const rate = this.region.dataRates[dr];
    return rate !== undefined && rate.uplink;
  }
}

/** Highest LoRa/FSK uplink data rate of the region (NewChannelReq's upper bound, LoRaMac-node TX_MAX_DATARATE). */
export function maxUplinkDataRate(region: Region): number {
  let max = 0;
  for (const [key, rate] of Object.entries(region.dataRates)) {
    if (rate.uplink && rate.modulation !== 'LR-FHSS') max = Math.max(max, Number(key));
  }
  return max;
}
