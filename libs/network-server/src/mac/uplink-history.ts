/**
 * What every uplink teaches the MAC state before its commands are read: the data rate the device really
 * uses, and one more ADR history entry.
 */
import { ADR_HISTORY_LENGTH, AdrHistoryEntry } from './adr';
import { MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';

/**
 * The ADR history as the MAC state holds it: four numbers per uplink (FCnt, best SNR, gateway count,
 * TXPower index), oldest first. Flat, because the MAC state is written with every session commit:
 * 20 entries are about 250 bytes of JSON instead of 1.1 KB as objects, and a full history made each
 * uplink cost 30-40 µs more server CPU at 5,000 uplinks/s (`npm run bench`, docs/benchmarks.md).
 */
export type UplinkHistory = number[];
/** Numbers per entry in an UplinkHistory. */
export const UPLINK_HISTORY_STRIDE = 4;

export interface UplinkHistoryEntry extends AdrHistoryEntry {
  /** Gateways that heard the uplink. */
  gatewayCount: number;
}

/** The entries of a history, oldest first (what an AdrAlgorithm reads). */
export function uplinkHistoryEntries(history: readonly number[]): UplinkHistoryEntry[] {
  const out: UplinkHistoryEntry[] = [];
  for (let i = 0; i + UPLINK_HISTORY_STRIDE <= history.length; i += UPLINK_HISTORY_STRIDE) {
    out.push({
      fCnt: history[i],
      maxSnr: history[i + 1],
      gatewayCount: history[i + 2],
      txPower: history[i + 3],
    });
  }
  return out;
}

/** A history holding `entries`, oldest first. */
export function toUplinkHistory(entries: readonly UplinkHistoryEntry[]): UplinkHistory {
  return entries.flatMap((e) => [e.fCnt, e.maxSnr, e.gatewayCount, e.txPower]);
}

/**
 * A MAC state read back from the database holds the history in the form it was written: sessions
 * written before the flat form hold an array of entry objects, turned flat here.
 */
export function upgradeUplinkHistory(state: MacState): void {
  const history = state.uplinkHistory as unknown[] | undefined;
  if (!Array.isArray(history)) {
    state.uplinkHistory = [];
    return;
  }
  if (history.length > 0 && typeof history[0] === 'object' && history[0] !== null) {
    state.uplinkHistory = toUplinkHistory(history as UplinkHistoryEntry[]);
  }
}

/**
 * A data rate the network did not set means the device changed it itself (ADR back-off, L11 §4.3.1.1: it
 * first returns to the default TX power, then lowers the data rate) or rebooted: assume TXPower 0 and start
 * the ADR history over, as ChirpStack does.
 */
export function trackDataRate(state: MacState, ctx: MacUplinkContext): void {
  if (ctx.dataRate !== state.dataRate) {
    state.txPower = 0;
    state.uplinkHistory = [];
  }
  state.dataRate = ctx.dataRate;
}

/** Appends this uplink (a repetition of the last FCnt only improves its entry), keeping the last 20. */
export function recordUplink(state: MacState, ctx: MacUplinkContext): void {
  const history = state.uplinkHistory;
  const last = history.length - UPLINK_HISTORY_STRIDE;
  if (last >= 0 && history[last] === ctx.fCntUp) {
    history[last + 1] = Math.max(history[last + 1], ctx.maxSnr);
    history[last + 2] = Math.max(history[last + 2], ctx.gatewayCount);
    return;
  }
  history.push(ctx.fCntUp, ctx.maxSnr, ctx.gatewayCount, state.txPower);
  const excess = history.length - ADR_HISTORY_LENGTH * UPLINK_HISTORY_STRIDE;
  if (excess > 0) history.splice(0, excess);
}
