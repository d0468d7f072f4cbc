import { MacVersion } from '@lns/storage';
import { MacState } from '../mac/mac-state';

/** One gateway's reception of the last uplink: where a downlink can go. */
export interface UplinkGatewayRx {
  gatewayId: string;
  rssi: number;
  snr: number;
  /** Concentrator µs counter at the end of reception (Class A timing). */
  tmst: number;
  rfChain: number;
  receivedAt: number;
}

/**
 * A device's session, the hot copy: held in memory, found by DevAddr without a database
 * read, written through to `device_sessions` (see SessionStore). Keys are in clear here
 * only; at rest they are sealed under the master key. End-to-end applications' sessions
 * have no `appSKey`, only its envelope.
 *
 * Sessions loaded at start are LoadedSessions (loaded-session.ts), made small: their key fields
 * give a new Buffer over the same bytes on each read, so compare keys by content, never by
 * identity, and do not key caches on the Buffer object.
 */
export interface DeviceSession {
  devEui: string;
  devAddr: number;
  macVersion: MacVersion;
  applicationId: string;
  deviceProfileId: string;
  /** 1.0.x: all three are the NwkSKey. */
  fNwkSIntKey: Buffer;
  sNwkSIntKey: Buffer;
  nwkSEncKey: Buffer;
  appSKey?: Buffer;
  appSKeyEnvelope?: { kekLabel: string; aesKey: string };
  sessionKeyId?: string;
  /** Next FCntUp expected (32-bit). */
  fCntUp: number;
  /** Next NFCntDown (1.1) / FCntDown (1.0.x, shared by every port). */
  nFCntDown: number;
  /** Next AFCntDown (1.1 only). */
  aFCntDown: number;
  mac: MacState;
  activatedAt: number;
  lastSeenAt?: number;
  /** The last uplink's receptions and radio parameters (Class C and retries go there). */
  lastUplink?: {
    gateways: UplinkGatewayRx[];
    dataRate: number;
    frequency: number;
    channel: number;
    fCnt: number;
    confirmed: boolean;
    receivedAt: number;
  };
  /** A confirmed downlink waiting for the device's ACK. */
  pendingAck?: { queueItemId: string; fCntDown: number; sentAt: number };
  /** The next commit writes both downlink counters one ahead (fcnt-down-reservation.ts); not stored. */
  fCntDownReserved?: boolean;
  /** NFCntDown and AFCntDown as the last group commit of this session wrote them; not stored. */
  fCntDownOnDisk?: readonly [nFCntDown: number, aFCntDown: number];
}

/** 1.0.x shares one FCntDown for all ports (L1.0.4 §4.3.1.5); 1.1 splits NFCntDown/AFCntDown. */
export function usesSharedFCntDown(macVersion: MacVersion): boolean {
  return macVersion !== '1.1.0';
}
