/**
 * DeviceTimeReq / DeviceTimeAns (LoRaWAN 1.1 §5.12, TS001-1.0.3+): GPS time at the end of the uplink that
 * asked, as whole seconds since the GPS epoch and a fraction in 1/256 s. Taken from the gateways' GPS time
 * when the uplink carries one, else from the server clock converted to GPS time.
 */
import { DeviceTimeAns } from '@lns/lorawan';
import { MacCommandModule, UplinkHandler } from './command';
import { MacUplinkContext } from './mac-layer';

/** 1980-01-06T00:00:00Z in Unix ms: the GPS epoch. */
export const GPS_EPOCH_UNIX_MS = Date.UTC(1980, 0, 6);
/**
 * GPS time runs ahead of UTC by the leap seconds since 1980: 18 s since 2017-01-01 (IERS Bulletin C; no
 * leap second has been announced since).
 */
export const GPS_LEAP_SECONDS = 18;

/** Unix ms (UTC) → ms since the GPS epoch. */
export function unixToGpsMs(unixMs: number): number {
  return unixMs - GPS_EPOCH_UNIX_MS + GPS_LEAP_SECONDS * 1000;
}

export function deviceTimeAns(ctx: MacUplinkContext): DeviceTimeAns {
  const gpsMs = ctx.gpsTimeMs ?? unixToGpsMs(ctx.now);
  const seconds = Math.floor(gpsMs / 1000);
  return {
    cid: 'DeviceTimeAns',
    // uint32 on air: wraps in 2116.
    gpsEpochSeconds: seconds >>> 0,
    fractionalSecond: Math.min(255, Math.floor(((gpsMs - seconds * 1000) * 256) / 1000)),
  };
}

export const handleDeviceTimeReq: UplinkHandler<'DeviceTimeReq'> = (env) => {
  env.answer(deviceTimeAns(env.ctx));
};

export const deviceTime: MacCommandModule = { uplink: { DeviceTimeReq: handleDeviceTimeReq } };
