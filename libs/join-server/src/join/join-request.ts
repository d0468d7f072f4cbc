import { DlSettings } from '@lns/lorawan';

/**
 * The embedded join server's request and answer, shaped after the LoRaWAN Backend Interfaces
 * (TS002-1.1.0 §6.1 / ChirpStack `JoinReqPayload`, `JoinAnsPayload`) so that the HTTP server of
 * issue 5 is a thin translation: Buffers and numbers here, hex strings and KeyEnvelopes there.
 */

/** Result codes of TS002 §23.5 this join server answers with. */
export type JoinResultCode =
  'Success' | 'MICFailed' | 'UnknownDevEUI' | 'JoinReqFailed' | 'MalformedRequest' | 'Other';

/** A key-encryption key to wrap the AppSKey under (RFC 3394), named by its label. */
export interface KeyWrapping {
  kekLabel: string;
  /** 16, 24 or 32 bytes. */
  kek: Buffer;
}

/** TS002 `KeyEnvelope`: the key wrapped under the KEK `kekLabel`, hex of the RFC 3394 output. */
export interface KeyEnvelope {
  kekLabel: string;
  aesKey: string;
}

/** JoinReq (and RejoinReq): what the network server knows and decided about the join. */
export interface JoinRequest {
  /** The whole join-request (or rejoin-request) PHYPayload, MIC included. */
  phyPayload: Buffer;
  /** The LoRaWAN version the network server runs the device with (TS002 `MACVersion`). */
  macVersion: string;
  /** 16 hex digits (TS002 `DevEUI`); must match the frame's. */
  devEui: string;
  /** Allocated by the network server (TS002 `DevAddr`). */
  devAddr: number;
  /** TS002 `DLSettings`; OptNeg is honoured only for a 1.1 device (RFU in 1.0). */
  dlSettings: DlSettings;
  /** TS002 `RxDelay`: RxDelay.Del, 0..15. */
  rxDelay: number;
  /** TS002 `CFList`: 16 raw bytes. */
  cfList?: Buffer;
  /** The network server's NetID, 24-bit. */
  netId: number;
  /**
   * End-to-end applications: wrap the AppSKey under this KEK (the application's ASTK) and return
   * only its envelope, so that the network never holds it in clear.
   */
  appSKeyWrapping?: KeyWrapping;
}

/** Session keys of a 1.0.x session (or a 1.1 device joined with OptNeg = 0). */
export interface SessionKeys10Answer {
  nwkSKey: Buffer;
  /** Absent when `appSKeyEnvelope` carries it wrapped. */
  appSKey?: Buffer;
}

/** Session keys of a 1.1 session (OptNeg = 1). */
export interface SessionKeys11Answer {
  fNwkSIntKey: Buffer;
  sNwkSIntKey: Buffer;
  nwkSEncKey: Buffer;
  appSKey?: Buffer;
}

export type SessionKeysAnswer = SessionKeys10Answer | SessionKeys11Answer;

export function isSessionKeys11(k: SessionKeysAnswer): k is SessionKeys11Answer {
  return 'fNwkSIntKey' in k;
}

export interface JoinAnswerSuccess {
  result: 'Success';
  description?: undefined;
  /** The encrypted join-accept PHYPayload. */
  phyPayload: Buffer;
  /** True when the join-accept has OptNeg set and `keys` is the 1.1 set. */
  optNeg: boolean;
  keys: SessionKeysAnswer;
  appSKeyEnvelope?: KeyEnvelope;
  /** Random, hex (TS002 `SessionKeyID`): names this session's AppSKey for a later AppSKeyReq. */
  sessionKeyId: string;
  /** Seconds the session keys may be used (TS002 `Lifetime`); undefined = no limit. */
  lifetime?: number;
  /** The JoinNonce sent, and the DevNonce (or RJcount) answered: for logs, never secret. */
  joinNonce: number;
  devNonce: number;
}

export interface JoinAnswerFailure {
  result: Exclude<JoinResultCode, 'Success'>;
  /** Why, in words an operator can act on (TS002 `Result.Description`). Never a key. */
  description: string;
}

export type JoinAnswer = JoinAnswerSuccess | JoinAnswerFailure;

export function joinFailure(result: JoinAnswerFailure['result'], description: string): JoinAnswerFailure {
  return { result, description };
}
