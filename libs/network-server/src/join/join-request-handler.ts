import { JoinRequestFrame, RejoinRequestFrame } from '@lns/lorawan';
import { DeduplicatedUplink } from '../uplink/deduplicated-uplink';

/**
 * Handles join- and rejoin-requests routed out of the uplink pipeline: finds the device,
 * asks its join server (local or external, per device), activates the new session and
 * schedules the join-accept (DownlinkScheduler.scheduleJoinAccept). DI token; implemented in
 * libs/network-server/src/join/.
 */
export abstract class JoinRequestHandler {
  abstract handleJoinRequest(uplink: DeduplicatedUplink, frame: JoinRequestFrame): Promise<void>;
  abstract handleRejoinRequest(uplink: DeduplicatedUplink, frame: RejoinRequestFrame): Promise<void>;
}
