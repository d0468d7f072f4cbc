import { randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { isJsonObject, JoinRequest, Ts002Answer, writeJoinReq } from '@lns/join-server';
import { JoinServerRegistry } from './join-server-registry';
import { JoinServerTransportError, postJson } from './join-server-transport';

/** TS002-1.0 (ChirpStack's and The Things Stack's join servers accept it; 1.1 adds nothing a JoinReq needs). */
export const CLIENT_PROTOCOL_VERSION = '1.0';

/**
 * The network server's side of the LoRaWAN Backend Interfaces (TS002): requests to an external join
 * server over HTTP or HTTPS (mutual TLS and a bearer token when registered), answered synchronously.
 * SenderID is this network's NetID, ReceiverID the JoinEUI, TransactionID a random uint32. Every failure to
 * get a well-formed answer is a JoinServerTransportError; a well-formed answer with any ResultCode is
 * returned as it is, for the caller to act on.
 */
@Injectable()
export class BackendInterfacesClient {
  /** 6 lowercase hex digits. */
  readonly senderId: string;

  constructor(
    private readonly joinServers: JoinServerRegistry,
    @Inject(LNS_CONFIG) config: LnsConfig,
  ) {
    this.senderId = config.netId.toLowerCase();
  }

  /** JoinReq (or RejoinReq) for `req`, to the join server `joinServerId`; `receiverId` is the JoinEUI. */
  joinReq(
    joinServerId: string,
    kind: 'join' | 'rejoin',
    req: JoinRequest,
    receiverId: string,
    timeoutMs: number,
  ): Promise<Ts002Answer & Record<string, unknown>> {
    const messageType = kind === 'join' ? 'JoinReq' : 'RejoinReq';
    return this.request(joinServerId, messageType, receiverId, { ...writeJoinReq(req) }, timeoutMs);
  }

  /** Any request: the common fields are added, the answer's are checked (Result, TransactionID). */
  async request(
    joinServerId: string,
    messageType: string,
    receiverId: string,
    fields: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<Ts002Answer & Record<string, unknown>> {
    const transport = this.joinServers.transport(joinServerId);
    if (!transport) {
      throw new JoinServerTransportError(
        'UNREACHABLE',
        `join server ${joinServerId} is not registered or its secrets do not open`,
      );
    }
    const transactionId = randomInt(0, 2 ** 32);
    const body = {
      ProtocolVersion: CLIENT_PROTOCOL_VERSION,
      SenderID: this.senderId,
      ReceiverID: receiverId.toLowerCase(),
      TransactionID: transactionId,
      MessageType: messageType,
      ...fields,
    };
    const res = await postJson(transport, body, { timeoutMs });
    if (res.status !== 200) {
      const hint =
        res.status === 401 || res.status === 403
          ? ' (credentials refused: check the token or the client certificate)'
          : '';
      throw new JoinServerTransportError('HTTP_STATUS', `HTTP ${res.status}${hint}`, res.status);
    }
    if (res.body.trim() === '') {
      // TS002 asynchronous mode answers later, to our own endpoint; only the synchronous mode is spoken here.
      throw new JoinServerTransportError(
        'BAD_RESPONSE',
        'empty answer: the join server is in asynchronous mode, which is not supported',
      );
    }
    let answer: unknown;
    try {
      answer = JSON.parse(res.body);
    } catch {
      throw new JoinServerTransportError('BAD_RESPONSE', 'the answer is not JSON');
    }
    if (
      !isJsonObject(answer) ||
      !isJsonObject(answer.Result) ||
      typeof answer.Result.ResultCode !== 'string'
    ) {
      throw new JoinServerTransportError('BAD_RESPONSE', 'the answer has no Result.ResultCode');
    }
    if (answer.TransactionID !== transactionId) {
      throw new JoinServerTransportError(
        'BAD_RESPONSE',
        `the answer's TransactionID ${String(answer.TransactionID)} is not the request's ${transactionId}`,
      );
    }
    return answer as Ts002Answer & Record<string, unknown>;
  }
}
