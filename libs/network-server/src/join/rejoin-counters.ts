import { Injectable } from '@nestjs/common';
import { DeviceSession } from '../session/device-session';

/**
 * RJcount0_last per session (L11 §6.2.4.1: "For each end-device, the Network Server MUST keep track of
 * the last RJcount0 value … It ignores Rejoin-requests if (RJcount0 <= RJcount0_last)"). RJcount0
 * restarts at 0 with every join-accept the device processes, so the value belongs to the session: it is
 * kept against the session object, and a new session (join, answered rejoin) starts without one.
 *
 * In memory only: after a restart the first type 0/2 rejoin of a session is taken whatever its RJcount0.
 * A replay cannot exploit that for long, because the MIC binds the frame to the session's SNwkSIntKey and
 * every answered rejoin replaces the session, after which the old frame no longer verifies.
 */
@Injectable()
export class RejoinCounters {
  private readonly last = new WeakMap<DeviceSession, number>();

  /** True (and remembered) when `rjCount0` is above the last one seen in `session`. */
  accept(session: DeviceSession, rjCount0: number): boolean {
    const last = this.last.get(session);
    if (last !== undefined && rjCount0 <= last) return false;
    this.last.set(session, rjCount0);
    return true;
  }
}
