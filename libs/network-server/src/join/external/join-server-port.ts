import { LogCode, LogLevel } from '@lns/event-bus';
import { JoinAnswer, JoinRequest } from '@lns/join-server';

/**
 * A join that did not come back from an external join server as a join-accept: a TS002 ResultCode other
 * than Success, a transport failure, or an answer the network server must not use. Says how to log it.
 */
export interface ExternalJoinFailure {
  /** The TS002 ResultCode, or `Transport` / `Answer` for failures before or after one. */
  result: string;
  /** In words an operator can act on; never a key or a token. */
  description: string;
  /** OTAA for the device's own trouble (MIC, DevNonce, unknown device), JOIN_SERVER for the join server's. */
  code: LogCode;
  level: LogLevel;
}

export type JoinOutcome = JoinAnswer | ExternalJoinFailure;

export function isExternalJoinFailure(o: JoinOutcome): o is ExternalJoinFailure {
  return 'code' in o && 'level' in o;
}

/** A join server as the join handler asks it: the embedded JoinServerService, or an external one. */
export interface JoinServerPort {
  handleJoinRequest(req: JoinRequest): Promise<JoinOutcome>;
  handleRejoinRequest(req: JoinRequest): Promise<JoinOutcome>;
}
