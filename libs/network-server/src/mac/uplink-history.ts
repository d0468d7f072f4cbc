/**
 * What every uplink teaches the MAC state before its commands are read: the data rate the device really
 * uses, and one more ADR history entry.
 */
import { ADR_HISTORY_LENGTH } from './adr';
import { MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';

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
  const last = history[history.length - 1];
  if (last !== undefined && last.fCnt === ctx.fCntUp) {
    last.maxSnr = Math.max(last.maxSnr, ctx.maxSnr);
    last.gatewayCount = Math.max(last.gatewayCount, ctx.gatewayCount);
    return;
  }
  history.push({
    fCnt: ctx.fCntUp,
    maxSnr: ctx.maxSnr,
    gatewayCount: ctx.gatewayCount,
    txPower: state.txPower,
  });
  if (history.length > ADR_HISTORY_LENGTH) history.splice(0, history.length - ADR_HISTORY_LENGTH);
}
