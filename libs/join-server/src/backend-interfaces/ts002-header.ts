import { MessageType, ResultCode, Ts002Answer } from './ts002';
import { isJsonObject, readString, readUint, Ts002FieldError } from './ts002-fields';

/** The common fields of a message, read and checked (ChirpStack `BasePayload`). */
export interface Ts002Header {
  protocolVersion: string;
  /** As sent: a NetID (6 hex digits) for a network server, a JoinEUI (16) for a join server, an AS-ID. */
  senderId: string;
  receiverId: string;
  /** uint32 (TS002 §23 TransactionID). */
  transactionId: number;
  messageType: string;
  senderToken?: string;
  receiverToken?: string;
}

const TOKEN = /^(?:[0-9a-fA-F]{2}){1,256}$/;

/** Throws Ts002FieldError for a missing or malformed common field. */
export function readHeader(body: unknown): Ts002Header {
  if (!isJsonObject(body)) throw new Ts002FieldError('(body)', 'expected a JSON object');
  const h: Ts002Header = {
    protocolVersion: readString(body, 'ProtocolVersion', 16),
    senderId: readString(body, 'SenderID'),
    receiverId: readString(body, 'ReceiverID'),
    transactionId: readUint(body, 'TransactionID', 0xffff_ffff),
    messageType: readString(body, 'MessageType', 32),
  };
  for (const [field, key] of [
    ['SenderToken', 'senderToken'],
    ['ReceiverToken', 'receiverToken'],
  ] as const) {
    const v = body[field];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string' || !TOKEN.test(v)) throw new Ts002FieldError(field, 'expected hex');
    h[key] = v;
  }
  return h;
}

/**
 * The common fields of the answer to `h`: same ProtocolVersion and TransactionID, Sender and Receiver
 * (and their tokens) swapped (ChirpStack `to_base_payload_result`), the Result.
 */
export function answerHeader(
  h: Pick<
    Ts002Header,
    'protocolVersion' | 'senderId' | 'receiverId' | 'transactionId' | 'senderToken' | 'receiverToken'
  >,
  messageType: MessageType | string,
  resultCode: ResultCode,
  description?: string,
): Ts002Answer {
  const a: Ts002Answer = {
    ProtocolVersion: h.protocolVersion,
    SenderID: h.receiverId,
    ReceiverID: h.senderId,
    TransactionID: h.transactionId,
    MessageType: messageType,
    Result: description ? { ResultCode: resultCode, Description: description } : { ResultCode: resultCode },
  };
  if (h.receiverToken) a.SenderToken = h.receiverToken;
  if (h.senderToken) a.ReceiverToken = h.senderToken;
  return a;
}
