/**
 * DutyCycleReq / DutyCycleAns (LoRaWAN 1.1 §5.4): the aggregated transmit duty cycle 1/2^MaxDCycle
 * (0 = no limit). Asked when the network-wide setting differs from the device's; the answer has no status.
 */
import { DutyCycleReq } from '@lns/lorawan';
import { MacCommandModule, MacRequester, MacSettings, UplinkHandler } from './command';
import { MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';
import { accept, takePending } from './pending-requests';

export function wantedDutyCycleReqs(
  state: MacState,
  _ctx: MacUplinkContext,
  settings: MacSettings,
): DutyCycleReq[] {
  const wanted = settings.maxDutyCycle;
  if (wanted === undefined || !Number.isInteger(wanted) || wanted < 0 || wanted > 15) return [];
  if (state.maxDutyCycle === wanted) return [];
  return [{ cid: 'DutyCycleReq', maxDutyCycle: wanted }];
}

export const handleDutyCycleAns: UplinkHandler<'DutyCycleAns'> = (env) => {
  const pending = takePending(env.state, 'DutyCycleReq');
  if (pending === undefined) {
    env.log('INFO', 'DutyCycleAns without a pending DutyCycleReq: ignored', 'DutyCycleReq');
    return;
  }
  const req = pending.command as DutyCycleReq;
  env.state.maxDutyCycle = req.maxDutyCycle;
  accept(env.state, 'DutyCycleReq', [req]);
};

export const dutyCycleRequester: MacRequester<'DutyCycleReq'> = {
  name: 'DutyCycleReq',
  answered: true,
  block: false,
  supported: () => true,
  wanted: wantedDutyCycleReqs,
};

export const dutyCycle: MacCommandModule = {
  request: dutyCycleRequester,
  uplink: { DutyCycleAns: handleDutyCycleAns },
};
