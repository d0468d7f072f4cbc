/**
 * RXParamSetupReq / RXParamSetupAns (LoRaWAN 1.1 §5.5, TS001-1.0.4 §5.5): RX1 data-rate offset, RX2 data
 * rate and frequency. Asked when the device's values differ from the profile's; applied only when all three
 * status bits are set. The answer is sticky: the device repeats it in every uplink until it receives a
 * downlink, so one is asked for, and a repeated answer without a pending request is expected, not an error.
 */
import { RXParamSetupReq } from '@lns/lorawan';
import { MacCommandModule, MacRequester, UplinkHandler } from './command';
import { MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';
import { accept, nacks, refuse, takePending } from './pending-requests';

/** Whether the profile's wishes are something a device of this region can take (else never asked). */
function validWanted(ctx: MacUplinkContext): boolean {
  const { region, wantedRx1DrOffset: offset, wantedRx2DataRate: dr, wantedRx2Frequency: freq } = ctx;
  const rate = region.dataRates[dr];
  return (
    Number.isInteger(offset) &&
    offset >= 0 &&
    offset <= region.maxRx1DrOffset &&
    rate !== undefined &&
    rate.downlink &&
    // The device refuses a frequency outside its band (ChannelACK = 0); the field counts 100 Hz steps.
    region.isValidFrequency(freq) &&
    freq % 100 === 0
  );
}

export function wantedRxParamSetupReqs(state: MacState, ctx: MacUplinkContext): RXParamSetupReq[] {
  if (
    state.rx1DrOffset === ctx.wantedRx1DrOffset &&
    state.rx2DataRate === ctx.wantedRx2DataRate &&
    state.rx2Frequency === ctx.wantedRx2Frequency
  ) {
    return [];
  }
  if (!validWanted(ctx)) return [];
  return [
    {
      cid: 'RXParamSetupReq',
      rx1DrOffset: ctx.wantedRx1DrOffset,
      rx2DataRate: ctx.wantedRx2DataRate,
      frequency: ctx.wantedRx2Frequency,
    },
  ];
}

export const handleRxParamSetupAns: UplinkHandler<'RXParamSetupAns'> = (env, ans) => {
  env.sticky('RXParamSetupReq');
  const pending = takePending(env.state, 'RXParamSetupReq');
  if (pending === undefined) return; // a sticky repetition of an answer already applied
  const req = pending.command as RXParamSetupReq;
  const status = {
    RX1DROffsetACK: ans.rx1DrOffsetAck,
    RX2DataRateACK: ans.rx2DataRateAck,
    ChannelACK: ans.channelAck,
  };
  if (!(ans.rx1DrOffsetAck && ans.rx2DataRateAck && ans.channelAck)) {
    refuse(env, 'RXParamSetupReq', [req], nacks(status));
    return;
  }
  env.state.rx1DrOffset = req.rx1DrOffset;
  env.state.rx2DataRate = req.rx2DataRate;
  env.state.rx2Frequency = req.frequency;
  accept(env.state, 'RXParamSetupReq', [req]);
};

export const rxParamSetupRequester: MacRequester<'RXParamSetupReq'> = {
  name: 'RXParamSetupReq',
  answered: true,
  block: false,
  supported: () => true,
  wanted: wantedRxParamSetupReqs,
};

export const rxParamSetup: MacCommandModule = {
  request: rxParamSetupRequester,
  uplink: { RXParamSetupAns: handleRxParamSetupAns },
};
