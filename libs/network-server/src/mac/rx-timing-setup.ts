/**
 * RXTimingSetupReq / RXTimingSetupAns (LoRaWAN 1.1 §5.8): the RX1 delay. Asked when the device's delay
 * differs from the profile's; the answer has no status (the device always takes it) and is sticky like
 * RXParamSetupAns.
 */
import { RXTimingSetupReq } from '@lns/lorawan';
import { MacCommandModule, MacRequester, UplinkHandler } from './command';
import { MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';
import { accept, takePending } from './pending-requests';

/** L11 §5.8: Del 0 means 1 s, like 1. */
export function normalizeRxDelay(delay: number): number {
  return delay === 0 ? 1 : delay;
}

export function wantedRxTimingSetupReqs(state: MacState, ctx: MacUplinkContext): RXTimingSetupReq[] {
  const wanted = normalizeRxDelay(ctx.wantedRxDelay);
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 15) return [];
  if (normalizeRxDelay(state.rxDelay) === wanted) return [];
  return [{ cid: 'RXTimingSetupReq', delay: wanted }];
}

export const handleRxTimingSetupAns: UplinkHandler<'RXTimingSetupAns'> = (env) => {
  env.sticky('RXTimingSetupReq');
  const pending = takePending(env.state, 'RXTimingSetupReq');
  if (pending === undefined) return; // sticky repetition
  const req = pending.command as RXTimingSetupReq;
  env.state.rxDelay = normalizeRxDelay(req.delay);
  accept(env.state, 'RXTimingSetupReq', [req]);
};

export const rxTimingSetupRequester: MacRequester<'RXTimingSetupReq'> = {
  name: 'RXTimingSetupReq',
  answered: true,
  block: false,
  supported: () => true,
  wanted: wantedRxTimingSetupReqs,
};

export const rxTimingSetup: MacCommandModule = {
  request: rxTimingSetupRequester,
  uplink: { RXTimingSetupAns: handleRxTimingSetupAns },
};
