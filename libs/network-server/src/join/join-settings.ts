import { DlSettings, encodeCFList, Region } from '@lns/lorawan';
import { DeviceProfileEntity } from '@lns/storage';
import { MacState } from '../mac/mac-state';
import { NETWORK_EXTRA_CHANNELS } from './network-channels';

/** What the network server decides for a join-accept (TS002 JoinReq `DLSettings`, `RxDelay`, `CFList`). */
export interface JoinSettings {
  dlSettings: DlSettings;
  /** RxDelay.Del, 1..15 s. */
  rxDelay: number;
  cfList?: Buffer;
}

/**
 * From the device profile and the region (L11 §6.2.3, L104 §6.2.6):
 * - DLSettings: RX1DROffset and RX2 data rate of the profile (RX2: the region's default when unset);
 *   OptNeg when the network server runs the device as LoRaWAN 1.1 (RFU for 1.0.x);
 * - RxDelay: the profile's RX1 delay;
 * - CFList: type 0 regions get the network's extra channels (network-channels.ts); US915/AU915 get a
 *   type 1 channel mask of the profile's sub-band (8 × 125 kHz + its 500 kHz channel) when it has one.
 *   LoRaWAN 1.0.2 devices (RP001) do not read a type 1 CFList in those regions, so none is sent to them:
 *   the MAC state must reflect the channels the device really uses.
 */
export function joinSettings(profile: DeviceProfileEntity, region: Region): JoinSettings {
  const dlSettings: DlSettings = {
    optNeg: profile.macVersion === '1.1.0',
    rx1DrOffset: profile.rx1DrOffset,
    rx2DataRate: profile.rx2DataRate ?? region.rx2.dataRate,
  };
  return { dlSettings, rxDelay: profile.rx1Delay, cfList: cfListFor(profile, region) };
}

function cfListFor(profile: DeviceProfileEntity, region: Region): Buffer | undefined {
  if (region.cfListType === 0) {
    const extra = NETWORK_EXTRA_CHANNELS[region.name];
    return extra && extra.length > 0 ? encodeCFList(region.buildCFList({ frequencies: extra })) : undefined;
  }
  if (profile.subBand === null || profile.subBand === undefined || profile.macVersion === '1.0.2') {
    return undefined;
  }
  const sb = profile.subBand - 1;
  const enabledChannels = Array.from({ length: region.maxChannels }, (_, ch) =>
    ch < 64 ? ch >> 3 === sb : ch - 64 === sb,
  );
  return encodeCFList(region.buildCFList({ enabledChannels }));
}

/**
 * Rejoin type 2 rekeys the session only: "radio parameters are kept unchanged" (L11 §6.2.4.1). Its
 * join-accept repeats the settings in force and carries no CFList.
 */
export function settingsInForce(mac: MacState, lorawan11: boolean): JoinSettings {
  return {
    dlSettings: { optNeg: lorawan11, rx1DrOffset: mac.rx1DrOffset, rx2DataRate: mac.rx2DataRate },
    rxDelay: mac.rxDelay,
  };
}
