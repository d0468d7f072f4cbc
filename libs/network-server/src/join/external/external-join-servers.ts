import { Injectable, Logger } from '@nestjs/common';
import { JoinRequest, KeyWrapping } from '@lns/join-server';
import { Region } from '@lns/lorawan';
import { SCHEDULE_MARGIN_MS } from '../../downlink/downlink-sender';
import { DeduplicatedUplink } from '../../uplink/deduplicated-uplink';
import { BackendInterfacesClient } from './backend-interfaces-client';
import { failureOfResult, successFromJoinAns } from './external-join-answer';
import { ExternalJoinFailure, JoinOutcome, JoinServerPort } from './join-server-port';
import { JoinServerRegistry } from './join-server-registry';
import { JoinServerTransportError } from './join-server-transport';

/** Time kept after the answer for the session write and the PULL_RESP, beyond the scheduler's own margin. */
export const JOIN_ANSWER_MARGIN_MS = 200;
/** Below this, asking is pointless: no answer could still be sent. */
export const MIN_JOIN_TIMEOUT_MS = 50;

export interface ExternalJoinParams {
  uplink: DeduplicatedUplink;
  region: Region;
  /** The device's JoinEUI: the JoinReq's ReceiverID. */
  joinEui: string;
  endToEnd: boolean;
  /** DevNonce or RJcount, for logs. */
  devNonce: number;
}

/**
 * The last moment an answer may arrive and still be sent: JOIN_ACCEPT_DELAY2 after the uplink (RX2,
 * RP002 6 s) less the scheduler's margin and the time to activate the session. An answer in time for
 * JOIN_ACCEPT_DELAY1 (5 s) goes out in RX1, a later one in RX2 (L1.0.4 §6.2.6, L11 §6.2.3): waiting the
 * extra second turns a slow join server's answer into a join instead of a lost JoinNonce.
 */
export function joinAnswerDeadline(uplink: DeduplicatedUplink, region: Region): number {
  return uplink.firstReceivedAt + region.joinAcceptDelay2 * 1000 - SCHEDULE_MARGIN_MS - JOIN_ANSWER_MARGIN_MS;
}

/**
 * External join servers as the join handler asks them: a JoinReq/RejoinReq over the Backend Interfaces
 * with a timeout that still meets the join-accept windows, and every outcome either a usable answer or
 * an ExternalJoinFailure that says what went wrong (ResultCode, transport, unusable keys).
 */
@Injectable()
export class ExternalJoinServers {
  private readonly logger = new Logger('Join');

  constructor(
    private readonly joinServers: JoinServerRegistry,
    private readonly client: BackendInterfacesClient,
  ) {}

  port(joinServerId: string, p: ExternalJoinParams): JoinServerPort {
    return {
      handleJoinRequest: (req) => this.ask(joinServerId, 'join', req, p),
      handleRejoinRequest: (req) => this.ask(joinServerId, 'rejoin', req, p),
    };
  }

  private async ask(
    id: string,
    kind: 'join' | 'rejoin',
    req: JoinRequest,
    p: ExternalJoinParams,
  ): Promise<JoinOutcome> {
    const js = this.joinServers.get(id);
    if (!js) return failure(`join server ${id} is not registered (POST /api/join-servers)`, 'Transport');
    const name = `"${js.name}" (${id})`;
    const timeoutMs = joinAnswerDeadline(p.uplink, p.region) - Date.now();
    if (timeoutMs < MIN_JOIN_TIMEOUT_MS) {
      return failure(
        `no time left to ask join server ${name} before the join-accept windows close`,
        'Transport',
      );
    }
    let nsKek: KeyWrapping | undefined;
    try {
      nsKek = this.joinServers.keyEncryptionKey(id);
    } catch {
      return failure(
        `the KEK registered for join server ${name} does not open under the master key`,
        'Transport',
      );
    }
    try {
      const started = Date.now();
      let ans;
      try {
        ans = await this.client.joinReq(id, kind, req, p.joinEui, timeoutMs);
      } catch (e) {
        if (!(e instanceof JoinServerTransportError)) throw e;
        return failure(`${kind}-request to join server ${name} failed: ${e.code}: ${e.message}`, 'Transport');
      }
      const code = ans.Result.ResultCode;
      this.logger.debug(
        `${req.devEui}: ${kind}-request answered by ${name} in ${Date.now() - started} ms: ${code}`,
      );
      const ctx = { joinServer: name, kind, nsKek, endToEnd: p.endToEnd, devNonce: p.devNonce };
      if (code !== 'Success') return failureOfResult(code, ans.Result.Description, ctx);
      return successFromJoinAns(ans, ctx);
    } finally {
      nsKek?.kek.fill(0);
    }
  }
}

function failure(description: string, result: string): ExternalJoinFailure {
  return { result, description, code: 'JOIN_SERVER', level: 'ERROR' };
}
