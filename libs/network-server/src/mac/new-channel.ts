/**
 * NewChannelReq / NewChannelAns (LoRaWAN 1.1 §5.7.1; RP002: only the 16-channel regions — US915/AU915
 * devices neither know nor answer it). Asked when the network-wide extra channels of the region (placed after
 * the default ones) differ from the device's: a missing or different channel is (re)defined, a channel the
 * network does not want is removed (frequency 0). Applied only when both status bits are set; a new channel
 * starts enabled (LoRaMac-node RegionEU868ChannelAdd).
 */
import { Channel, NewChannelReq, Region } from '@lns/lorawan';
import { isFixedPlan } from './channels';
import { MacCommandModule, MacRequester, MacSettings, UplinkHandler } from './command';
import { MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';
import { accept, nacks, refuse, takePending } from './pending-requests';

function sameChannel(a: Channel | undefined, b: Channel): boolean {
  return a !== undefined && a.frequency === b.frequency && a.minDr === b.minDr && a.maxDr === b.maxDr;
}

/** A channel the device could take: inside the band, on the 100 Hz grid, a sane DR range. */
function validChannel(region: Region, c: Channel): boolean {
  return (
    region.isValidFrequency(c.frequency) &&
    c.frequency % 100 === 0 &&
    Number.isInteger(c.minDr) &&
    Number.isInteger(c.maxDr) &&
    c.minDr >= 0 &&
    c.minDr <= c.maxDr &&
    c.maxDr <= 15
  );
}

export function wantedNewChannelReqs(
  state: MacState,
  ctx: MacUplinkContext,
  settings: MacSettings,
): NewChannelReq[] {
  const { region } = ctx;
  const extra = settings.extraChannels?.[region.name];
  if (extra === undefined || isFixedPlan(region)) return [];
  const first = region.defaultChannels.length;
  const wanted = new Map<number, Channel>();
  extra.forEach((c, i) => {
    if (first + i < region.maxChannels && validChannel(region, c)) wanted.set(first + i, c);
  });
  const have = state.extraChannels ?? {};
  const out: NewChannelReq[] = [];
  for (const [chIndex, c] of wanted) {
    if (!sameChannel(have[chIndex], c)) {
      out.push({ cid: 'NewChannelReq', chIndex, frequency: c.frequency, minDr: c.minDr, maxDr: c.maxDr });
    }
  }
  for (const key of Object.keys(have)) {
    const chIndex = Number(key);
    if (!wanted.has(chIndex) && chIndex >= first && chIndex < region.maxChannels) {
      out.push({ cid: 'NewChannelReq', chIndex, frequency: 0, minDr: 0, maxDr: 0 });
    }
  }
  return out;
}

export const handleNewChannelAns: UplinkHandler<'NewChannelAns'> = (env, ans) => {
  const { state } = env;
  const pending = takePending(state, 'NewChannelReq');
  if (pending === undefined) {
    env.log('INFO', 'NewChannelAns without a pending NewChannelReq: ignored', 'NewChannelReq');
    return;
  }
  const req = pending.command as NewChannelReq;
  const status = { DataRateRangeOK: ans.dataRateRangeOk, ChannelFrequencyOK: ans.channelFrequencyOk };
  if (!(ans.dataRateRangeOk && ans.channelFrequencyOk)) {
    refuse(env, 'NewChannelReq', [req], `channel ${req.chIndex}: ${nacks(status)}`);
    return;
  }
  const extra = (state.extraChannels ??= {});
  const enabled = state.enabledChannels.filter((i) => i !== req.chIndex);
  if (req.frequency === 0) {
    delete extra[req.chIndex];
  } else {
    extra[req.chIndex] = { frequency: req.frequency, minDr: req.minDr, maxDr: req.maxDr };
    enabled.push(req.chIndex);
  }
  state.enabledChannels = enabled.sort((a, b) => a - b);
  accept(state, 'NewChannelReq', [req]);
};

export const newChannelRequester: MacRequester<'NewChannelReq'> = {
  name: 'NewChannelReq',
  answered: true,
  block: false,
  supported: ({ region }) => !isFixedPlan(region),
  wanted: wantedNewChannelReqs,
};

export const newChannel: MacCommandModule = {
  request: newChannelRequester,
  uplink: { NewChannelAns: handleNewChannelAns },
};
