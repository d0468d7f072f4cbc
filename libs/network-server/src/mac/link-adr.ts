/**
 * LinkADRReq / LinkADRAns (LoRaWAN 1.1 §5.3, TS001-1.0.4 §5.3; channel masks RP002 per region).
 *
 * Asked when ADR wants another data rate, TX power or NbTrans, or when the enabled channels differ from the
 * wanted ones (all known channels; in US915/AU915 the profile's sub-band) — the latter even with ADR off, as
 * ABP devices and devices booting on all 72 channels need it. The channel masks come from
 * `Region.linkAdrChMasks`; several masks make a contiguous block that the device applies as one.
 */
import { ChMaskPair, LinkADRAns, LinkADRReq, Region, versionCapabilities } from '@lns/lorawan';
import { AdrResult } from './adr';
import {
  channelsCarry,
  definedFlags,
  enabledFlags,
  isFixedPlan,
  sameFlags,
  toIndices,
  wantedChannelFlags,
} from './channels';
import { MacCommandModule, MacRequester, MacSettings, UplinkEnv, UplinkHandler } from './command';
import { MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';
import { accept, nacks, refuse, takePendingBlock } from './pending-requests';
import { uplinkHistoryEntries } from './uplink-history';
import { knowsChMaskCntl5 } from './versions';

/** TS001-1.0.4 §5.3: DataRate or TXPower 0xF = "keep the current value" (1.0.4 and later). */
const KEEP = 0x0f;

/** What ADR wants now; the current values when ADR is off on either side. */
export function adrTarget(state: MacState, ctx: MacUplinkContext, settings: MacSettings): AdrResult {
  const enabled = ctx.adrEnabled && ctx.adr;
  return settings.adr({
    region: ctx.region,
    enabled,
    dataRate: state.dataRate,
    txPower: state.txPower,
    nbTrans: state.nbTrans,
    // Read as entries only when ADR can act on them (every uplink otherwise).
    history: enabled ? uplinkHistoryEntries(state.uplinkHistory) : [],
    installationMargin: settings.installationMargin,
  });
}

function bits(flags: readonly boolean[], from: number, count: number): number {
  let mask = 0;
  for (let i = 0; i < count; i++) if (flags[from + i]) mask |= 1 << i;
  return mask;
}

/**
 * A mask that leaves the channels as they are, for a LinkADRReq that only changes DR/power/NbTrans: the
 * 16-channel plans restate ChMaskCntl 0; the 72-channel plans restate the block of the first enabled channel
 * (ChMaskCntl 0..3 set one block of sixteen, 4 the 500 kHz channels).
 */
function unchangedMask(current: readonly boolean[], region: Region): ChMaskPair {
  if (!isFixedPlan(region)) return { chMask: bits(current, 0, 16), chMaskCntl: 0 };
  const first = Math.max(0, current.indexOf(true));
  if (first >= 64) return { chMask: bits(current, 64, 8), chMaskCntl: 4 };
  const block = first >> 4;
  return { chMask: bits(current, 16 * block, 16), chMaskCntl: block };
}

export function wantedLinkAdrReqs(
  state: MacState,
  ctx: MacUplinkContext,
  settings: MacSettings,
): LinkADRReq[] {
  const { region } = ctx;
  const current = enabledFlags(state, region);
  const wanted = wantedChannelFlags(state, region, ctx.subBand);
  if (!wanted.includes(true)) return [];
  let target = adrTarget(state, ctx, settings);
  // A data rate no wanted channel carries would be refused (DataRateACK = 0): keep the current one.
  if (!channelsCarry(state, region, wanted, target.dataRate))
    target = { ...target, dataRate: state.dataRate };
  if (!channelsCarry(state, region, wanted, target.dataRate)) return [];

  const sameChannels = sameFlags(current, wanted);
  if (
    sameChannels &&
    target.dataRate === state.dataRate &&
    target.txPower === state.txPower &&
    target.nbTrans === state.nbTrans
  ) {
    return [];
  }
  // ChMaskCntl 5 (whole sub-bands) arrived with RP002; LoRaWAN 1.0.2 devices (RP001) treat it as RFU.
  const masks = sameChannels
    ? [unchangedMask(current, region)]
    : region.linkAdrChMasks(wanted, { chMaskCntl5: knowsChMaskCntl5(ctx.macVersion) });
  return masks.map(({ chMask, chMaskCntl }) => ({
    cid: 'LinkADRReq',
    dataRate: target.dataRate,
    txPower: target.txPower,
    nbTrans: target.nbTrans,
    chMask,
    chMaskCntl,
  }));
}

/** The accepted block takes effect: channels always, DR/power/NbTrans when the device runs ADR. */
function apply(env: UplinkEnv, block: readonly LinkADRReq[]): void {
  const { state, ctx } = env;
  const { region } = ctx;
  const masks = block.map(({ chMask, chMaskCntl }) => ({ chMask, chMaskCntl }));
  const result = region.applyChMasks(enabledFlags(state, region), masks, definedFlags(state, region));
  if (result.ok) state.enabledChannels = toIndices(result.enabled);
  else
    env.log(
      'ERROR',
      `LinkADRAns acknowledged a channel mask the region refuses: ${result.message}`,
      'LinkADRReq',
    );

  // A device with ADR off applies only the channel mask (LoRaMac-node RegionCommonLinkAdrReqVerifyParams).
  if (!ctx.adr) return;
  const last = block[block.length - 1];
  const keep = versionCapabilities(ctx.macVersion).linkAdrKeepValues;
  const dataRate = keep && last.dataRate === KEEP ? state.dataRate : last.dataRate;
  const txPower = keep && last.txPower === KEEP ? state.txPower : last.txPower;
  // NbTrans 0: the device keeps its value (TTS does the same).
  const nbTrans = last.nbTrans === 0 ? state.nbTrans : last.nbTrans;
  // SNRs measured under other settings would mislead the next ADR decision (ChirpStack resets the history too).
  if (dataRate !== state.dataRate || txPower !== state.txPower || nbTrans !== state.nbTrans) {
    state.uplinkHistory = [];
  }
  state.dataRate = dataRate;
  state.txPower = txPower;
  state.nbTrans = nbTrans;
}

/**
 * LinkADRAns: matched to the oldest pending block. LoRaWAN 1.0.2–1.0.4 answer each LinkADRReq of a block
 * with its own (identical) LinkADRAns, consumed here; 1.1 answers a block once (L11 §5.3). Applied only when
 * PowerACK, DataRateACK and ChannelMaskACK are all set: otherwise the device kept its previous state.
 */
export const handleLinkAdrAns: UplinkHandler<'LinkADRAns'> = (env, ans, following) => {
  let repeats = 0;
  while (repeats < following.length && following[repeats].cid === 'LinkADRAns') repeats++;
  const pending = takePendingBlock(env.state, 'LinkADRReq');
  if (pending.length === 0) {
    env.log('INFO', 'LinkADRAns without a pending LinkADRReq: ignored', 'LinkADRReq');
    return repeats;
  }
  const consumed = versionCapabilities(env.ctx.macVersion).singleLinkAdrAns
    ? 0
    : Math.min(repeats, pending.length - 1);
  const answers = [ans, ...(following.slice(0, consumed) as LinkADRAns[])];
  const status = {
    PowerACK: answers.every((a) => a.powerAck),
    DataRateACK: answers.every((a) => a.dataRateAck),
    ChannelMaskACK: answers.every((a) => a.channelMaskAck),
  };
  const block = pending.map((p) => p.command as LinkADRReq);
  if (status.PowerACK && status.DataRateACK && status.ChannelMaskACK) {
    apply(env, block);
    accept(env.state, 'LinkADRReq', block);
  } else {
    refuse(env, 'LinkADRReq', block, nacks(status));
  }
  return consumed;
};

export const linkAdrRequester: MacRequester<'LinkADRReq'> = {
  name: 'LinkADRReq',
  answered: true,
  block: true,
  supported: () => true,
  wanted: wantedLinkAdrReqs,
};

export const linkAdr: MacCommandModule = {
  request: linkAdrRequester,
  uplink: { LinkADRAns: handleLinkAdrAns },
};
