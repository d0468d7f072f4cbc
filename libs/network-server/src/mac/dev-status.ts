/**
 * DevStatusReq / DevStatusAns (LoRaWAN 1.1 §5.6): battery level and the demodulation margin of the
 * DevStatusReq as the device heard it. Asked on the first uplink after activation, then once per interval
 * (default 24 h), and again at once after a request went unanswered. The answer becomes a `status` effect
 * with the raw values: battery 0 = external power, 1..254 = level, 255 = unknown; margin −32..31 dB.
 */
import { DevStatusReq } from '@lns/lorawan';
import { MacCommandModule, MacRequester, MacSettings, UplinkHandler } from './command';
import { MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';
import { accept, takePending } from './pending-requests';

export const DEFAULT_DEV_STATUS_INTERVAL_MS = 24 * 60 * 60 * 1000;

export function wantedDevStatusReqs(
  state: MacState,
  ctx: MacUplinkContext,
  settings: MacSettings,
): DevStatusReq[] {
  const last = state.lastDevStatusRequestAt;
  const due =
    last === undefined ||
    ctx.now - last >= settings.devStatusIntervalMs ||
    // The last one went unanswered: ask again rather than wait a whole interval.
    (state.rejections['DevStatusReq'] ?? 0) > 0;
  return due ? [{ cid: 'DevStatusReq' }] : [];
}

export const handleDevStatusAns: UplinkHandler<'DevStatusAns'> = (env, ans) => {
  const pending = takePending(env.state, 'DevStatusReq');
  // Even unmatched (a late answer), the values are the device's own: pass them on.
  env.effects.push({ kind: 'status', battery: ans.battery, margin: ans.margin });
  if (pending !== undefined) accept(env.state, 'DevStatusReq', [pending.command]);
};

export const devStatusRequester: MacRequester<'DevStatusReq'> = {
  name: 'DevStatusReq',
  answered: true,
  block: false,
  supported: () => true,
  wanted: wantedDevStatusReqs,
  onSent: (state, _sent, ctx) => {
    state.lastDevStatusRequestAt = ctx.now;
  },
};

export const devStatus: MacCommandModule = {
  request: devStatusRequester,
  uplink: { DevStatusAns: handleDevStatusAns },
};
