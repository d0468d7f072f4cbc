/**
 * RekeyInd / RekeyConf (LoRaWAN 1.1 §5.10; 1.1 OTAA). The device sends RekeyInd in every uplink of a new
 * session until it gets RekeyConf; the first one confirms the new security context (the network then drops
 * the old one), which the `rekeyed` effect tells the session layer once.
 */
import { versionCapabilities } from '@lns/lorawan';
import { MacCommandModule, UplinkHandler } from './command';
import { SERVER_MINOR } from './reset';

export const handleRekeyInd: UplinkHandler<'RekeyInd'> = (env, ind) => {
  const { state, ctx } = env;
  if (!versionCapabilities(ctx.macVersion).rekeyInd) {
    env.log('WARNING', `RekeyInd from a LoRaWAN ${ctx.macVersion} device: ignored`, 'RekeyInd');
    return;
  }
  if (state.rekeyed !== true) {
    state.rekeyed = true;
    env.effects.push({ kind: 'rekeyed' });
  }
  env.answer({ cid: 'RekeyConf', minor: Math.min(ind.minor, SERVER_MINOR) });
};

export const rekey: MacCommandModule = { uplink: { RekeyInd: handleRekeyInd } };
