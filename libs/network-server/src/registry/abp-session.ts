import { Region } from '@lns/lorawan';
import { ApplicationEntity, DeviceProfileEntity } from '@lns/storage';
import { MacLayer, MacStateInit } from '../mac';
import { DeviceSession } from '../session/device-session';
import { invalid } from './registry-errors';
import { AbpActivation } from './registry-inputs';

/** The part of the MAC layer that builds a fresh session's state. */
export type MacStateBuilder = Pick<MacLayer, 'initialState'>;

/**
 * The RX settings an ABP device boots with: the region's defaults, since no join-accept has
 * told it otherwise (L1.0.4 §6.3, RP002-1.0.4 "Default Settings"). The profile's wishes are
 * reached later by RXParamSetupReq / RXTimingSetupReq from the MAC layer.
 */
export function abpBootSettings(region: Region, profile: DeviceProfileEntity): MacStateInit {
  return {
    rx1DrOffset: 0,
    rx2DataRate: region.rx2.dataRate,
    rx2Frequency: region.rx2.frequency,
    rxDelay: region.receiveDelay1,
    deviceClass: profile.supportsClassC ? 'C' : 'A',
  };
}

/**
 * The session of an ABP device, as personalised. 1.0.x has one NwkSKey, which plays the part of
 * all three 1.1 network keys (FNwkSIntKey = SNwkSIntKey = NwkSEncKey = NwkSKey), and one FCntDown
 * for every port (L1.0.4 §4.3.1.5). The input has been checked by `checkDevice`.
 */
export function buildAbpSession(args: {
  devEui: string;
  abp: AbpActivation;
  profile: DeviceProfileEntity;
  application: ApplicationEntity;
  region: Region;
  macLayer: MacStateBuilder;
  now: number;
}): DeviceSession {
  const { abp, profile } = args;
  const is11 = profile.macVersion === '1.1.0';
  const required = (key: Buffer | undefined, name: string): Buffer => {
    if (!key) throw invalid(`abp.${name}`, 'required');
    return Buffer.from(key);
  };
  const nwkSKey = is11 ? undefined : required(abp.nwkSKey, 'nwkSKey');
  const fCntDown = abp.fCntDown ?? 0;
  return {
    devEui: args.devEui,
    devAddr: abp.devAddr >>> 0,
    macVersion: profile.macVersion,
    applicationId: args.application.id,
    deviceProfileId: profile.id,
    fNwkSIntKey: nwkSKey ?? required(abp.fNwkSIntKey, 'fNwkSIntKey'),
    sNwkSIntKey: nwkSKey ? Buffer.from(nwkSKey) : required(abp.sNwkSIntKey, 'sNwkSIntKey'),
    nwkSEncKey: nwkSKey ? Buffer.from(nwkSKey) : required(abp.nwkSEncKey, 'nwkSEncKey'),
    // End-to-end applications: no AppSKey in the network server, not even wrapped.
    ...(abp.appSKey && !args.application.endToEnd ? { appSKey: Buffer.from(abp.appSKey) } : {}),
    fCntUp: abp.fCntUp ?? 0,
    // 1.0.x keeps its one counter in nFCntDown (SessionStore convention); aFCntDown mirrors it unused.
    nFCntDown: fCntDown,
    aFCntDown: is11 ? (abp.aFCntDown ?? 0) : fCntDown,
    mac: args.macLayer.initialState(args.region, abpBootSettings(args.region, profile)),
    activatedAt: args.now,
  };
}
