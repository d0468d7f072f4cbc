import { DataUpFrame, decryptFOpts, decryptFrmPayload, versionCapabilities } from '@lns/lorawan';
import { MacUplinkContext } from '../mac/mac-layer';
import { DeviceSession } from '../session/device-session';
import { DeduplicatedUplink } from './deduplicated-uplink';
import { gatewayRx, setGatewayRx } from './radio';
import { Authenticated } from './session-matcher';

/**
 * The MAC command bytes of an authenticated uplink, in clear: FOpts (1.1: encrypted under
 * NwkSEncKey with the FCntUp block, L11 §4.3.1.6), or an FPort 0 FRMPayload (under NwkSEncKey,
 * the 1.0 NwkSKey, L11 §4.3.3). Empty when there are none.
 */
export function uplinkMacBytes(frame: DataUpFrame, session: DeviceSession, fCnt: number): Buffer {
  if (frame.fPort === 0 && frame.frmPayload) {
    return decryptFrmPayload({
      key: session.nwkSEncKey,
      uplink: true,
      devAddr: frame.devAddr,
      fCnt,
      payload: frame.frmPayload,
    });
  }
  if (frame.fOpts.length > 0 && versionCapabilities(session.macVersion).encryptsFOpts) {
    return decryptFOpts({
      nwkSEncKey: session.nwkSEncKey,
      counter: 'FCntUp',
      devAddr: frame.devAddr,
      fCnt,
      fOpts: frame.fOpts,
    });
  }
  return frame.fOpts;
}

/** What the MAC layer is told about the uplink: radio, counters, the profile's wishes. */
export function macUplinkContext(
  uplink: DeduplicatedUplink,
  frame: DataUpFrame,
  m: Authenticated,
  now = Date.now(),
): MacUplinkContext {
  const { profile, region } = m.ctx;
  const best = uplink.copies[0];
  const out: MacUplinkContext = {
    region,
    macVersion: m.session.macVersion,
    now,
    dataRate: m.dataRate,
    frequency: best.rx.frequency,
    channel: m.channel ?? 0,
    fCntUp: m.fCnt,
    adr: frame.fCtrl.adr,
    adrAckReq: frame.fCtrl.adrAckReq,
    maxSnr: Math.max(...uplink.copies.map((cp) => cp.rx.snr ?? -Infinity)),
    gatewayCount: uplink.copies.length,
    adrEnabled: profile.adrEnabled,
    wantedRx1DrOffset: profile.rx1DrOffset,
    wantedRx2DataRate: profile.rx2DataRate ?? region.rx2.dataRate,
    wantedRx2Frequency: profile.rx2Frequency ?? region.rx2.frequency,
    wantedRxDelay: profile.rx1Delay,
  };
  if (best.rx.gpsTimeMs !== undefined) out.gpsTimeMs = best.rx.gpsTimeMs;
  if (profile.subBand !== null && profile.subBand !== undefined) out.subBand = profile.subBand;
  return out;
}

/**
 * Where and when the device was heard: Class C and retries answer through these gateways.
 *
 * Written over in place, not replaced: a new `lastUplink` per uplink lived until the device's next
 * uplink, long enough to be promoted to V8's old generation, and was 45 % of what the uplink path
 * promoted there (docs/decisions.md). Whoever keeps its gateways past a turn takes a copy.
 */
export function recordHeard(
  session: DeviceSession,
  uplink: DeduplicatedUplink,
  m: Authenticated,
  confirmed: boolean,
): void {
  const best = uplink.copies[0];
  session.lastSeenAt = best.receivedAt;
  const last = (session.lastUplink ??= {
    gateways: [],
    dataRate: 0,
    frequency: 0,
    channel: 0,
    fCnt: 0,
    confirmed: false,
    receivedAt: 0,
  });
  last.dataRate = m.dataRate;
  last.frequency = best.rx.frequency;
  last.channel = m.channel ?? 0;
  last.fCnt = m.fCnt;
  last.confirmed = confirmed;
  last.receivedAt = best.receivedAt;
  const { gateways } = last;
  const { copies } = uplink;
  for (let i = 0; i < copies.length; i++) {
    if (i < gateways.length) setGatewayRx(gateways[i], copies[i]);
    else gateways.push(gatewayRx(copies[i]));
  }
  gateways.length = copies.length;
}
