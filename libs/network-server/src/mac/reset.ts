/**
 * ResetInd / ResetConf (LoRaWAN 1.1 §5.1; 1.1 ABP devices only). The device has reset its MAC layer to the
 * region defaults and repeats ResetInd until it gets ResetConf, which carries the network's LoRaWAN minor
 * version (1 = 1.1, never above the device's). The MAC state follows the device back to the defaults;
 * pending requests are forgotten, and the profile's settings are asked for again from the next downlink.
 * Frame counters are the session's business, not the MAC layer's.
 */
import { versionCapabilities } from '@lns/lorawan';
import { MacCommandModule, UplinkHandler } from './command';
import { regionDefaultState } from './initial-state';

/** The network runs LoRaWAN 1.1: Serv minor 1. */
export const SERVER_MINOR = 1;

export const handleResetInd: UplinkHandler<'ResetInd'> = (env, ind) => {
  const { state, ctx } = env;
  if (!versionCapabilities(ctx.macVersion).resetInd) {
    env.log('WARNING', `ResetInd from a LoRaWAN ${ctx.macVersion} device: ignored`, 'ResetInd');
    return;
  }
  const fresh = regionDefaultState(ctx.region, state.deviceClass);
  fresh.dataRate = ctx.dataRate;
  // Everything else goes back to boot values; answers already queued for this uplink stay.
  const answers = state.answers;
  for (const key of Object.keys(state) as (keyof typeof state)[]) delete state[key];
  Object.assign(state, fresh, { answers });
  env.log(
    'INFO',
    'ResetInd: the device reset its MAC layer; MAC state back to the region defaults',
    'ResetInd',
  );
  env.answer({ cid: 'ResetConf', minor: Math.min(ind.minor, SERVER_MINOR) });
};

export const reset: MacCommandModule = { uplink: { ResetInd: handleResetInd } };
