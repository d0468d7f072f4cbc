/**
 * The device's uplink channel plan as the MAC state records it: which channel indices exist (the region's
 * defaults plus CFList/NewChannelReq extras) and which are enabled. Region rules (masks, sub-bands) come
 * from `@lns/lorawan`; this file only translates between `MacState` and the flag arrays the region wants.
 */
import { Channel, Region } from '@lns/lorawan';
import { MacState } from './mac-state';

/** US915/AU915: 64 × 125 kHz + 8 × 500 kHz; the others have at most 16 channels (RP002). */
export function isFixedPlan(region: Region): boolean {
  return region.cfListType === 1;
}

/** Channel index → channel, for every channel the device knows. */
export function definedChannels(state: MacState, region: Region): Map<number, Channel> {
  const out = new Map<number, Channel>();
  region.defaultChannels.forEach((c, i) => out.set(i, c));
  if (!isFixedPlan(region)) {
    for (const [key, c] of Object.entries(state.extraChannels ?? {})) {
      const i = Number(key);
      if (Number.isInteger(i) && i >= 0 && i < region.maxChannels && c.frequency > 0) out.set(i, c);
    }
  }
  return out;
}

/** One flag per channel index (16 or 72) for the given indices. */
export function toFlags(indices: readonly number[], size: number): boolean[] {
  const flags = new Array<boolean>(size).fill(false);
  for (const i of indices) if (Number.isInteger(i) && i >= 0 && i < size) flags[i] = true;
  return flags;
}

export function toIndices(flags: readonly boolean[]): number[] {
  const out: number[] = [];
  flags.forEach((on, i) => on && out.push(i));
  return out;
}

export function enabledFlags(state: MacState, region: Region): boolean[] {
  return toFlags(state.enabledChannels ?? [], region.maxChannels);
}

/** Which indices exist, as flags; `undefined` for the fixed plans, where all 72 always exist. */
export function definedFlags(state: MacState, region: Region): boolean[] | undefined {
  if (isFixedPlan(region)) return undefined;
  return toFlags([...definedChannels(state, region).keys()], region.maxChannels);
}

/**
 * The channels the network wants enabled: every known channel in the 16-channel regions; in US915/AU915 the
 * sub-band's eight 125 kHz channels and its 500 kHz channel (RP002 "sub-band" = channels 8(s−1)..8s−1 and
 * 64+s−1), or all 72 when no sub-band is set.
 */
export function wantedChannelFlags(state: MacState, region: Region, subBand?: number): boolean[] {
  if (!isFixedPlan(region)) {
    return toFlags([...definedChannels(state, region).keys()], region.maxChannels);
  }
  if (subBand === undefined || !Number.isInteger(subBand) || subBand < 1 || subBand > 8) {
    return new Array<boolean>(region.maxChannels).fill(true);
  }
  const sb = subBand - 1;
  return Array.from({ length: region.maxChannels }, (_, i) => (i < 64 ? i >> 3 === sb : i - 64 === sb));
}

export function sameFlags(a: readonly boolean[], b: readonly boolean[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Whether some channel enabled in `flags` carries `dataRate`. */
export function channelsCarry(
  state: MacState,
  region: Region,
  flags: readonly boolean[],
  dataRate: number,
): boolean {
  for (const [i, c] of definedChannels(state, region)) {
    if (flags[i] && dataRate >= c.minDr && dataRate <= c.maxDr) return true;
  }
  return false;
}
