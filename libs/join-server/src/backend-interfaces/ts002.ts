/**
 * LoRaWAN Backend Interfaces (TS002-1.0.0 / 1.1.0) messages on the wire: JSON with the specification's
 * field names, exactly as ChirpStack's `backend` crate (de)serializes them (`BasePayload`,
 * `JoinReqPayload`, `JoinAnsPayload` …). Hex strings for identifiers, keys and frames (DevEUI, DevAddr,
 * NetID big-endian as printed; PHYPayload, DLSettings and CFList the raw on-air bytes); numbers for
 * TransactionID and RxDelay. Types only: parsing and building live beside them.
 */

/** "1.0" (TS002-1.0.0, what ChirpStack sends) and "1.1" (TS002-1.1.0). */
export const PROTOCOL_VERSIONS = ['1.0', '1.1'] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

export const MESSAGE_TYPES = [
  'JoinReq',
  'JoinAns',
  'RejoinReq',
  'RejoinAns',
  'AppSKeyReq',
  'AppSKeyAns',
  'PRStartReq',
  'PRStartAns',
  'PRStopReq',
  'PRStopAns',
  'HRStartReq',
  'HRStartAns',
  'HRStopReq',
  'HRStopAns',
  'HomeNSReq',
  'HomeNSAns',
  'ProfileReq',
  'ProfileAns',
  'XmitDataReq',
  'XmitDataAns',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/**
 * TS002 §23.5 Result codes (ChirpStack `ResultCode`). The specification spells one of them
 * `UnkownReceiver`; ChirpStack accepts both spellings, and so does this code.
 */
export const RESULT_CODES = [
  'Success',
  'MICFailed',
  'JoinReqFailed',
  'NoRoamingAgreement',
  'DevRoamingDisallowed',
  'RoamingActDisallowed',
  'ActivationDisallowed',
  'UnknownDevEUI',
  'UnknownDevAddr',
  'UnknownSender',
  'UnknownReceiver',
  'UnkownReceiver',
  'Deferred',
  'XmitFailed',
  'InvalidFPort',
  'InvalidProtocolVersion',
  'StaleDeviceProfile',
  'MalformedRequest',
  'FrameSizeError',
  'Other',
] as const;
export type ResultCode = (typeof RESULT_CODES)[number];

export function isResultCode(v: unknown): v is ResultCode {
  return typeof v === 'string' && (RESULT_CODES as readonly string[]).includes(v);
}

/** Common fields of every message (ChirpStack `BasePayload`). */
export interface Ts002Base {
  ProtocolVersion: string;
  SenderID: string;
  ReceiverID: string;
  TransactionID: number;
  MessageType: string;
  SenderToken?: string;
  ReceiverToken?: string;
}

export interface Ts002Result {
  ResultCode: ResultCode;
  Description?: string;
}

/** An answer: the base with Sender/Receiver (and their tokens) swapped, plus the result. */
export interface Ts002Answer extends Ts002Base {
  Result: Ts002Result;
}

/** TS002 KeyEnvelope: `AESKey` is the RFC 3394 wrap under the KEK named `KEKLabel`, or the key in clear when the label is "". */
export interface Ts002KeyEnvelope {
  KEKLabel: string;
  AESKey: string;
}

/** JoinReq and RejoinReq (NS → JS). */
export interface Ts002JoinReq extends Ts002Base {
  MACVersion: string;
  PHYPayload: string;
  DevEUI: string;
  DevAddr: string;
  DLSettings: string;
  RxDelay: number;
  CFList?: string;
}

/** JoinAns and RejoinAns (JS → NS). 1.0.x sessions carry NwkSKey; 1.1 ones the three network keys. */
export interface Ts002JoinAns extends Ts002Answer {
  PHYPayload?: string;
  Lifetime?: number;
  SNwkSIntKey?: Ts002KeyEnvelope;
  FNwkSIntKey?: Ts002KeyEnvelope;
  NwkSEncKey?: Ts002KeyEnvelope;
  NwkSKey?: Ts002KeyEnvelope;
  AppSKey?: Ts002KeyEnvelope;
  SessionKeyID?: string;
}

/** AppSKeyReq (AS or NS → JS): the AppSKey of the session named by SessionKeyID. */
export interface Ts002AppSKeyReq extends Ts002Base {
  DevEUI: string;
  SessionKeyID: string;
}

export interface Ts002AppSKeyAns extends Ts002Answer {
  DevEUI: string;
  AppSKey?: Ts002KeyEnvelope;
  SessionKeyID: string;
}

/** HomeNSReq (NS → JS): which network is the device's home. */
export interface Ts002HomeNSReq extends Ts002Base {
  DevEUI: string;
}

export interface Ts002HomeNSAns extends Ts002Answer {
  HNetID?: string;
}

/** The answer's MessageType for a request's (JoinReq → JoinAns …); undefined for an answer or an unknown type. */
export function answerTypeOf(messageType: string): MessageType | undefined {
  if (!messageType.endsWith('Req')) return undefined;
  const ans = `${messageType.slice(0, -3)}Ans`;
  return (MESSAGE_TYPES as readonly string[]).includes(ans) ? (ans as MessageType) : undefined;
}
