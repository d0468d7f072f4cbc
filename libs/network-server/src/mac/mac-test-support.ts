/**
 * Test support for the MAC specs (not exported by index.ts): uplink contexts, states, settings and an
 * `UplinkEnv` that records what the handlers did.
 */
import { DownlinkMacCommand, MacCommand, Region } from '@lns/lorawan';
import { adr, AdrHistoryEntry } from './adr';
import { MacSettings, RequestName, UplinkEnv } from './command';
import { buildInitialState } from './initial-state';
import { MacEffect, MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';
import { recordSent } from './pending-requests';
import { toUplinkHistory } from './uplink-history';

export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

export function ctxFor(region: Region, overrides: Partial<MacUplinkContext> = {}): MacUplinkContext {
  const channel = region.defaultChannels[0];
  return {
    region,
    macVersion: '1.0.4',
    now: NOW,
    dataRate: region.maxAdrDataRate,
    frequency: channel.frequency,
    channel: 0,
    fCntUp: 10,
    adr: true,
    adrAckReq: false,
    maxSnr: 5,
    gatewayCount: 1,
    adrEnabled: true,
    wantedRx1DrOffset: 0,
    wantedRx2DataRate: region.rx2.dataRate,
    wantedRx2Frequency: region.rx2.frequency,
    wantedRxDelay: 1,
    ...overrides,
  };
}

/** A fresh state on the region defaults, as if the device had sent at `dataRate` already. */
export function stateFor(region: Region, overrides: Partial<MacState> = {}): MacState {
  const state = buildInitialState(region, {
    rx1DrOffset: 0,
    rx2DataRate: region.rx2.dataRate,
    rx2Frequency: region.rx2.frequency,
    rxDelay: 1,
    deviceClass: 'A',
  });
  state.dataRate = region.maxAdrDataRate;
  return Object.assign(state, overrides);
}

export function settingsWith(overrides: Partial<MacSettings> = {}): MacSettings {
  return {
    adr,
    installationMargin: 10,
    devStatusIntervalMs: 24 * 3600 * 1000,
    maxRejections: 3,
    answerGraceMs: 2000,
    ...overrides,
  };
}

export interface RecordingEnv {
  env: UplinkEnv;
  effects: MacEffect[];
  sticky: Set<RequestName>;
  /** Whether a handler asked for a downlink (answers and sticky answers included). */
  needsDownlink(): boolean;
}

export function recordingEnv(
  state: MacState,
  ctx: MacUplinkContext,
  settings = settingsWith(),
): RecordingEnv {
  const effects: MacEffect[] = [];
  const sticky = new Set<RequestName>();
  let needs = false;
  const env: UplinkEnv = {
    state,
    ctx,
    settings,
    effects,
    answer: (cmd: DownlinkMacCommand) => {
      state.answers.push(cmd);
      needs = true;
    },
    needDownlink: () => {
      needs = true;
    },
    sticky: (name) => {
      sticky.add(name);
      needs = true;
    },
    log: (level, description, cid) => effects.push({ kind: 'log', level, description, cid }),
  };
  return { env, effects, sticky, needsDownlink: () => needs };
}

/** Marks `cmds` as sent in downlink `fCntDown` one minute before NOW. */
export function sent(state: MacState, cmds: readonly MacCommand[], fCntDown = 5, at = NOW - 60_000): void {
  recordSent(state, cmds, fCntDown, at);
}

/** 20 uplinks FCnt from..from+19 with the given best SNR, at `txPower`. */
export function history(
  maxSnr: number,
  txPower = 0,
  from = 1,
  gaps: readonly number[] = [],
): Array<AdrHistoryEntry & { gatewayCount: number }> {
  const out: Array<AdrHistoryEntry & { gatewayCount: number }> = [];
  let fCnt = from;
  for (let i = 0; i < 20; i++) {
    if (gaps.includes(i)) fCnt++;
    out.push({ fCnt, maxSnr, txPower, gatewayCount: 1 });
    fCnt++;
  }
  return out;
}

/** The same 20 uplinks as the MAC state holds them (flat, uplink-history.ts). */
export function uplinkHistory(maxSnr: number, txPower = 0, from = 1, gaps: readonly number[] = []): number[] {
  return toUplinkHistory(history(maxSnr, txPower, from, gaps));
}

export function logs(effects: readonly MacEffect[]): string[] {
  return effects.flatMap((e) => (e.kind === 'log' ? [`${e.level} ${e.description}`] : []));
}
