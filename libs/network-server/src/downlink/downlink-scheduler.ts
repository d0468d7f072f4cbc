import { DeduplicatedUplink } from '../uplink/deduplicated-uplink';
import { DeviceSession } from '../session/device-session';

export interface JoinAcceptDownlink {
  uplink: DeduplicatedUplink;
  devEui: string;
  /** The encrypted join-accept PHYPayload. */
  phyPayload: Buffer;
  /** The region and settings the device uses until its session starts. */
  session: DeviceSession;
}

/**
 * Sends downlinks through the gateway bridge: after each uplink (Class A: RX1, then RX2),
 * at once for Class C, and join-accepts at JOIN_ACCEPT_DELAY1 (then 2). DI token;
 * implemented in libs/network-server/src/downlink/.
 */
export abstract class DownlinkScheduler {
  /** Sends the join-accept in RX1 (JOIN_ACCEPT_DELAY1) or, failing that, RX2 (JOIN_ACCEPT_DELAY2). */
  abstract scheduleJoinAccept(
    d: JoinAcceptDownlink,
  ): Promise<{ sent: boolean; window?: 'RX1' | 'RX2'; gatewayId?: string }>;
}
