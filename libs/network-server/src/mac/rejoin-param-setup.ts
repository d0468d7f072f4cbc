/**
 * RejoinParamSetupReq / RejoinParamSetupAns (LoRaWAN 1.1 §5.14; 1.1 only): how often the device sends a
 * type 0 Rejoin-request — every 2^(MaxCountN+4) uplinks and, if it keeps time, every 2^(MaxTimeN+10) s.
 * Operator-queued. TimeOK = 0 is not a refusal: the device takes the count limit and declines only the time
 * limit, so the count part is applied either way.
 */
import { RejoinParamSetupReq, versionCapabilities } from '@lns/lorawan';
import { MacCommandModule, MacRequester, UplinkHandler } from './command';
import { accept, takePending } from './pending-requests';

export const handleRejoinParamSetupAns: UplinkHandler<'RejoinParamSetupAns'> = (env, ans) => {
  const pending = takePending(env.state, 'RejoinParamSetupReq');
  if (pending === undefined) {
    env.log(
      'INFO',
      'RejoinParamSetupAns without a pending RejoinParamSetupReq: ignored',
      'RejoinParamSetupReq',
    );
    return;
  }
  const req = pending.command as RejoinParamSetupReq;
  env.state.rejoinParams = ans.timeOk
    ? { maxCountN: req.maxCountN, maxTimeN: req.maxTimeN }
    : { maxCountN: req.maxCountN };
  if (!ans.timeOk) {
    env.log(
      'INFO',
      'RejoinParamSetupAns TimeOK=0: the device applies only the uplink-count limit',
      'RejoinParamSetupReq',
    );
  }
  accept(env.state, 'RejoinParamSetupReq', [req]);
};

export const rejoinParamSetupRequester: MacRequester<'RejoinParamSetupReq'> = {
  name: 'RejoinParamSetupReq',
  answered: true,
  block: false,
  supported: ({ macVersion }) => versionCapabilities(macVersion).rejoinParamSetupReq,
  wanted: () => [],
};

export const rejoinParamSetup: MacCommandModule = {
  request: rejoinParamSetupRequester,
  uplink: { RejoinParamSetupAns: handleRejoinParamSetupAns },
};
