/**
 * DlChannelReq / DlChannelAns (LoRaWAN 1.1 §5.7.2, TS001-1.0.2+; RP002: 16-channel regions only). Moves the
 * RX1 frequency of an uplink channel. No profile setting asks for it: an operator queues it
 * (`requestCommand`). Applied only when both status bits are set; the answer is sticky.
 */
import { DlChannelReq, versionCapabilities } from '@lns/lorawan';
import { isFixedPlan } from './channels';
import { MacCommandModule, MacRequester, UplinkHandler } from './command';
import { accept, nacks, refuse, takePending } from './pending-requests';

export const handleDlChannelAns: UplinkHandler<'DlChannelAns'> = (env, ans) => {
  env.sticky('DlChannelReq');
  const pending = takePending(env.state, 'DlChannelReq');
  if (pending === undefined) return; // sticky repetition
  const req = pending.command as DlChannelReq;
  const status = {
    UplinkFrequencyExists: ans.uplinkFrequencyExists,
    ChannelFrequencyOK: ans.channelFrequencyOk,
  };
  if (!(ans.uplinkFrequencyExists && ans.channelFrequencyOk)) {
    refuse(env, 'DlChannelReq', [req], `channel ${req.chIndex}: ${nacks(status)}`);
    return;
  }
  (env.state.rx1Frequencies ??= {})[req.chIndex] = req.frequency;
  accept(env.state, 'DlChannelReq', [req]);
};

export const dlChannelRequester: MacRequester<'DlChannelReq'> = {
  name: 'DlChannelReq',
  answered: true,
  block: false,
  supported: ({ region, macVersion }) => !isFixedPlan(region) && versionCapabilities(macVersion).dlChannelReq,
  wanted: () => [],
};

export const dlChannel: MacCommandModule = {
  request: dlChannelRequester,
  uplink: { DlChannelAns: handleDlChannelAns },
};
