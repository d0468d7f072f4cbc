import { LORAWAN_VERSIONS, LorawanVersion } from '@lns/lorawan';

/**
 * Whether a device takes LinkADRReq ChMaskCntl 5 (whole US915/AU915 sub-bands). That belongs to the
 * regional parameters (RP002-1.0.0+; RP001, paired with LoRaWAN 1.0.2, has it RFU), which the profile does
 * not pin down: the L2 version stands in for it. Everything else comes from `versionCapabilities`.
 */
export function knowsChMaskCntl5(version: LorawanVersion): boolean {
  return LORAWAN_VERSIONS.indexOf(version) >= LORAWAN_VERSIONS.indexOf('1.0.3');
}
