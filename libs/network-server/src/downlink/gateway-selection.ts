import { UplinkGatewayRx } from '../session/device-session';
import { DutyCycleBand, DutyCycleTracker } from './duty-cycle';

/**
 * dB taken off a gateway's SNR for a full duty-cycle budget already used: a gateway at half its
 * budget must hear the device 5 dB better than an idle one to be chosen.
 */
export const LOAD_PENALTY_DB = 10;

/**
 * The gateways that heard the device, best first: link margin (all heard the same data rate,
 * so SNR orders them as the margin over the demodulation floor does) less the load penalty in
 * the band of the first window. Gateways whose budget the downlink would overrun in that band
 * come last: the sender may still use them in another window's band.
 */
export function rankGateways(
  gateways: readonly UplinkGatewayRx[],
  tracker: DutyCycleTracker,
  band: DutyCycleBand,
  airtimeMs: number,
  now = Date.now(),
): UplinkGatewayRx[] {
  const scored = gateways.map((gw) => ({
    gw,
    fits: tracker.allows(gw.gatewayId, band, airtimeMs, now),
    score: gw.snr - LOAD_PENALTY_DB * tracker.load(gw.gatewayId, band, now),
  }));
  scored.sort((a, b) => Number(b.fits) - Number(a.fits) || b.score - a.score || b.gw.rssi - a.gw.rssi);
  return scored.map((s) => s.gw);
}
