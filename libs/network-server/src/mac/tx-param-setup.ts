/**
 * TxParamSetupReq / TxParamSetupAns (LoRaWAN 1.1 §5.9, TS001-1.0.2+; only in regions whose RP002 chapter
 * defines it, e.g. AS923 and AU915). Dwell-time limits and the maximum EIRP. Asked when the network-wide
 * setting for the region differs from the device's; the answer has no status and is sticky.
 */
import { Region, TX_PARAM_MAX_EIRP_DBM, TxParamSetupReq, versionCapabilities } from '@lns/lorawan';
import { MacCommandModule, MacRequester, MacSettings, UplinkHandler } from './command';
import { MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';
import { accept, takePending } from './pending-requests';

/** The MaxEIRP index a device uses before any TxParamSetupReq: its region's default max EIRP. */
export function defaultMaxEirpIndex(region: Region): number {
  const i = TX_PARAM_MAX_EIRP_DBM.indexOf(region.defaultMaxEirp);
  return i >= 0 ? i : TX_PARAM_MAX_EIRP_DBM.length - 1;
}

export function wantedTxParamSetupReqs(
  state: MacState,
  ctx: MacUplinkContext,
  settings: MacSettings,
): TxParamSetupReq[] {
  const wanted = settings.txParams?.[ctx.region.name];
  if (wanted === undefined) return [];
  if (!Number.isInteger(wanted.maxEirpIndex) || wanted.maxEirpIndex < 0 || wanted.maxEirpIndex > 15)
    return [];
  const current = state.maxEirpIndex ?? defaultMaxEirpIndex(ctx.region);
  if (
    state.uplinkDwellTime === wanted.uplinkDwellTime &&
    state.downlinkDwellTime === wanted.downlinkDwellTime &&
    current === wanted.maxEirpIndex
  ) {
    return [];
  }
  return [
    {
      cid: 'TxParamSetupReq',
      uplinkDwellTime: wanted.uplinkDwellTime,
      downlinkDwellTime: wanted.downlinkDwellTime,
      maxEirp: wanted.maxEirpIndex,
    },
  ];
}

export const handleTxParamSetupAns: UplinkHandler<'TxParamSetupAns'> = (env) => {
  env.sticky('TxParamSetupReq');
  const pending = takePending(env.state, 'TxParamSetupReq');
  if (pending === undefined) return; // sticky repetition
  const req = pending.command as TxParamSetupReq;
  env.state.uplinkDwellTime = req.uplinkDwellTime;
  env.state.downlinkDwellTime = req.downlinkDwellTime;
  env.state.maxEirpIndex = req.maxEirp;
  accept(env.state, 'TxParamSetupReq', [req]);
};

export const txParamSetupRequester: MacRequester<'TxParamSetupReq'> = {
  name: 'TxParamSetupReq',
  answered: true,
  block: false,
  supported: ({ region, macVersion }) =>
    region.implementsTxParamSetup && versionCapabilities(macVersion).txParamSetupReq,
  wanted: wantedTxParamSetupReqs,
};

export const txParamSetup: MacCommandModule = {
  request: txParamSetupRequester,
  uplink: { TxParamSetupAns: handleTxParamSetupAns },
};
