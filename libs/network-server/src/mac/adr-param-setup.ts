/**
 * ADRParamSetupReq / ADRParamSetupAns (LoRaWAN 1.1 §5.11; 1.1 only): ADR_ACK_LIMIT = 2^Limit_exp and
 * ADR_ACK_DELAY = 2^Delay_exp. Asked when the network-wide exponents differ from the device's (whose
 * defaults are 64 and 32, RP002); the answer has no status.
 */
import { ADRParamSetupReq, versionCapabilities } from '@lns/lorawan';
import { MacCommandModule, MacRequester, MacSettings, UplinkHandler } from './command';
import { MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';
import { accept, takePending } from './pending-requests';

/** RP002 defaults ADR_ACK_LIMIT 64 = 2^6, ADR_ACK_DELAY 32 = 2^5. */
export const DEFAULT_ADR_ACK_LIMIT_EXP = 6;
export const DEFAULT_ADR_ACK_DELAY_EXP = 5;

const validExp = (n: number) => Number.isInteger(n) && n >= 0 && n <= 15;

export function wantedAdrParamSetupReqs(
  state: MacState,
  _ctx: MacUplinkContext,
  settings: MacSettings,
): ADRParamSetupReq[] {
  if (settings.adrAckLimitExp === undefined && settings.adrAckDelayExp === undefined) return [];
  const limitExp = settings.adrAckLimitExp ?? DEFAULT_ADR_ACK_LIMIT_EXP;
  const delayExp = settings.adrAckDelayExp ?? DEFAULT_ADR_ACK_DELAY_EXP;
  if (!validExp(limitExp) || !validExp(delayExp)) return [];
  if (
    (state.adrAckLimitExp ?? DEFAULT_ADR_ACK_LIMIT_EXP) === limitExp &&
    (state.adrAckDelayExp ?? DEFAULT_ADR_ACK_DELAY_EXP) === delayExp
  ) {
    return [];
  }
  return [{ cid: 'ADRParamSetupReq', limitExp, delayExp }];
}

export const handleAdrParamSetupAns: UplinkHandler<'ADRParamSetupAns'> = (env) => {
  const pending = takePending(env.state, 'ADRParamSetupReq');
  if (pending === undefined) {
    env.log('INFO', 'ADRParamSetupAns without a pending ADRParamSetupReq: ignored', 'ADRParamSetupReq');
    return;
  }
  const req = pending.command as ADRParamSetupReq;
  env.state.adrAckLimitExp = req.limitExp;
  env.state.adrAckDelayExp = req.delayExp;
  accept(env.state, 'ADRParamSetupReq', [req]);
};

export const adrParamSetupRequester: MacRequester<'ADRParamSetupReq'> = {
  name: 'ADRParamSetupReq',
  answered: true,
  block: false,
  supported: ({ macVersion }) => versionCapabilities(macVersion).adrParamSetupReq,
  wanted: wantedAdrParamSetupReqs,
};

export const adrParamSetup: MacCommandModule = {
  request: adrParamSetupRequester,
  uplink: { ADRParamSetupAns: handleAdrParamSetupAns },
};
