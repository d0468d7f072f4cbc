/**
 * LinkCheckReq / LinkCheckAns (LoRaWAN 1.1 §5.2): the device asks; the answer gives the demodulation margin
 * of that uplink (best SNR minus what its data rate needs, 0..254 dB) and how many gateways heard it.
 */
import { LinkCheckAns } from '@lns/lorawan';
import { MacCommandModule, UplinkHandler } from './command';
import { MacUplinkContext } from './mac-layer';
import { requiredSnr } from './required-snr';

/** L11 §5.2: Margin is 0..254 (255 reserved), in whole dB; GwCnt is one byte. */
export function linkCheckAns(ctx: MacUplinkContext): LinkCheckAns {
  const floor = requiredSnr(ctx.region, ctx.dataRate);
  const margin = floor === undefined ? 0 : Math.floor(ctx.maxSnr - floor);
  return {
    cid: 'LinkCheckAns',
    margin: Math.min(254, Math.max(0, Number.isFinite(margin) ? margin : 0)),
    gwCnt: Math.min(255, Math.max(0, Math.floor(ctx.gatewayCount))),
  };
}

export const handleLinkCheckReq: UplinkHandler<'LinkCheckReq'> = (env) => {
  env.answer(linkCheckAns(env.ctx));
};

export const linkCheck: MacCommandModule = { uplink: { LinkCheckReq: handleLinkCheckReq } };
