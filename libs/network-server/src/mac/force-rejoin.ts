/**
 * ForceRejoinReq (LoRaWAN 1.1 §5.13; 1.1 only): asks the device to send Rejoin-requests. Operator-queued.
 * The device answers with a Rejoin-request, not a MAC command, so the request is sent once and never
 * pending; it goes last in its downlink, as the device leaves the session once it acts on it.
 */
import { versionCapabilities } from '@lns/lorawan';
import { MacCommandModule, MacRequester } from './command';

export const forceRejoinRequester: MacRequester<'ForceRejoinReq'> = {
  name: 'ForceRejoinReq',
  answered: false,
  block: false,
  supported: ({ macVersion }) => versionCapabilities(macVersion).forceRejoinReq,
  wanted: () => [],
};

export const forceRejoin: MacCommandModule = { request: forceRejoinRequester, uplink: {} };
