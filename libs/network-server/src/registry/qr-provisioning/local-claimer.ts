import { ClaimRefusedError, ClaimService, ClaimThrottledError } from '@lns/join-server';
import { invalid } from '../registry-errors';
import { LOCAL_JOIN_SERVER } from '../registry-inputs';
import { CLAIM_REFUSED_REASON, ClaimRequest, ClaimThrottledByJoinServer, DeviceClaim } from './device-claim';

/** Claims a device of the embedded join server in-process: the same rules and throttle as over HTTP. */
export async function claimLocally(claims: ClaimService, req: ClaimRequest): Promise<DeviceClaim> {
  try {
    // No client address: the caller is this process, authenticated with the admin token already.
    const result = await claims.claim(req);
    return {
      joinServer: LOCAL_JOIN_SERVER,
      device: { devEui: result.devEui, joinEui: result.joinEui, macVersion: result.macVersion },
      undo: () => claims.revert(result),
    };
  } catch (err) {
    if (err instanceof ClaimRefusedError) throw invalid('qr', CLAIM_REFUSED_REASON);
    if (err instanceof ClaimThrottledError) throw new ClaimThrottledByJoinServer(err.retryAfterSeconds);
    throw err;
  }
}
