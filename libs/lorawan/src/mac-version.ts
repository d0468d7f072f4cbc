import { LorawanError } from './errors';

/** LoRaWAN L2 versions a device may implement. */
export const LORAWAN_VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.1.0'] as const;
export type LorawanVersion = (typeof LORAWAN_VERSIONS)[number];

/**
 * What a LoRaWAN version changes, in one place, so the network server and the simulated
 * devices gate on the same rules (The Things Stack keeps the same list in
 * pkg/specification/macspec; the sections cited are the ones introducing each rule).
 */
export interface VersionCapabilities {
  /** 1.1 §4.3.1.6: FOpts encrypted with NwkSEncKey. */
  encryptsFOpts: boolean;
  /** 1.1 §6.1.1: NwkKey alongside AppKey; join-request MIC under NwkKey. */
  usesNwkKey: boolean;
  /** 1.1 §4.4: separate NFCntDown/AFCntDown, two-part uplink MIC. */
  splitsFCntDown: boolean;
  /** 1.0.2 introduced DlChannelReq and TxParamSetupReq (L1.0.2 §5.7, §5.8). */
  dlChannelReq: boolean;
  txParamSetupReq: boolean;
  /** 1.0.3 introduced DeviceTimeReq (L1.0.3 §5.9). */
  deviceTimeReq: boolean;
  /** 1.1 only: ResetInd, RekeyInd, ADRParamSetupReq, ForceRejoinReq, RejoinParamSetupReq, DeviceModeInd. */
  resetInd: boolean;
  rekeyInd: boolean;
  adrParamSetupReq: boolean;
  forceRejoinReq: boolean;
  rejoinParamSetupReq: boolean;
  deviceModeInd: boolean;
  /** 1.0.4 §5.3 / 1.1: DataRate 0xF and TXPower 0xF in LinkADRReq mean "keep the current value". */
  linkAdrKeepValues: boolean;
  /** 1.1 §5.3: a block of LinkADRReq is answered by one LinkADRAns (1.0.x answers each). */
  singleLinkAdrAns: boolean;
  /** 1.0.4 §6.2.5 / 1.1 §6.2.5: DevNonce is a counter that must increase; before, a random never-reused value. */
  incrementingDevNonce: boolean;
  /** Before 1.0.4: frames with an FCnt gap ≥ MAX_FCNT_GAP are dropped (L1.0.2 §4.3.1.5). */
  maxFCntGap: boolean;
}

function order(v: LorawanVersion): number {
  return LORAWAN_VERSIONS.indexOf(v);
}

export function isLorawanVersion(v: string): v is LorawanVersion {
  return (LORAWAN_VERSIONS as readonly string[]).includes(v);
}

export function versionCapabilities(version: string): VersionCapabilities {
  if (!isLorawanVersion(version)) throw new LorawanError('BAD_FIELD', `unknown LoRaWAN version ${version}`);
  const at = (v: LorawanVersion) => order(version) >= order(v);
  const v11 = at('1.1.0');
  return {
    encryptsFOpts: v11,
    usesNwkKey: v11,
    splitsFCntDown: v11,
    dlChannelReq: at('1.0.2'),
    txParamSetupReq: at('1.0.2'),
    deviceTimeReq: at('1.0.3'),
    resetInd: v11,
    rekeyInd: v11,
    adrParamSetupReq: v11,
    forceRejoinReq: v11,
    rejoinParamSetupReq: v11,
    deviceModeInd: v11,
    linkAdrKeepValues: at('1.0.4'),
    singleLinkAdrAns: v11,
    incrementingDevNonce: at('1.0.4'),
    maxFCntGap: !at('1.0.4'),
  };
}

/**
 * TxParamSetupReq MaxEIRP field → dBm (LoRaWAN 1.1 §5.12 Table 12; L1.0.4 §5.12).
 */
export const TX_PARAM_MAX_EIRP_DBM: readonly number[] = [
  8, 10, 12, 13, 14, 16, 18, 20, 21, 24, 26, 27, 29, 30, 33, 36,
];
