import { decodeDlSettings, encodeDlSettings } from '@lns/lorawan';
import { isSessionKeys11, JoinAnswerSuccess, JoinRequest, KeyWrapping } from '../join/join-request';
import { sealKeyEnvelope } from './key-envelope';
import { Ts002JoinAns, Ts002JoinReq } from './ts002';
import {
  parseHex,
  readHex,
  readOptionalHex,
  readString,
  readUint,
  toHex,
  Ts002FieldError,
} from './ts002-fields';

/**
 * JoinReq / RejoinReq and JoinAns / RejoinAns bodies (TS002 §23; fields as ChirpStack's
 * `JoinReqPayload` / `JoinAnsPayload`), both directions: the join server reads JoinReq and
 * writes JoinAns, the network server (libs/network-server join/external) writes JoinReq and reads JoinAns.
 */

type JoinReqFields = Omit<
  Ts002JoinReq,
  'ProtocolVersion' | 'SenderID' | 'ReceiverID' | 'TransactionID' | 'MessageType'
>;

/** The request-specific fields of a JoinReq for `req` (the network server's side). */
export function writeJoinReq(req: JoinRequest): JoinReqFields {
  const devAddr = Buffer.alloc(4);
  devAddr.writeUInt32BE(req.devAddr >>> 0);
  const fields: JoinReqFields = {
    MACVersion: req.macVersion,
    PHYPayload: toHex(req.phyPayload),
    DevEUI: req.devEui.toLowerCase(),
    DevAddr: toHex(devAddr),
    DLSettings: toHex(Buffer.from([encodeDlSettings(req.dlSettings)])),
    RxDelay: req.rxDelay,
  };
  if (req.cfList) fields.CFList = toHex(req.cfList);
  return fields;
}

/**
 * A JoinReq's fields as the embedded join server's request (the join server's side). The NetID the
 * join-accept carries and the keys are derived with is the sender's: a JoinReq comes from the network
 * server whose NetID is its SenderID (brocaar/lorawan `backend/joinserver`). Throws Ts002FieldError.
 */
export function readJoinReq(body: Record<string, unknown>, senderId: string): JoinRequest {
  const netId = parseHex(senderId, 'SenderID', [3]).readUIntBE(0, 3);
  const devEui = readHex(body, 'DevEUI', [8]);
  const phyPayload = readHex(body, 'PHYPayload');
  if (phyPayload.length === 0) throw new Ts002FieldError('PHYPayload', 'empty');
  return {
    macVersion: readString(body, 'MACVersion', 16),
    phyPayload,
    devEui: toHex(devEui),
    devAddr: readHex(body, 'DevAddr', [4]).readUInt32BE(0),
    dlSettings: decodeDlSettings(readHex(body, 'DLSettings', [1])[0]),
    rxDelay: readUint(body, 'RxDelay', 15),
    cfList: readOptionalHex(body, 'CFList', [16]),
    netId,
  };
}

type JoinAnsSessionFields = Pick<
  Ts002JoinAns,
  | 'PHYPayload'
  | 'Lifetime'
  | 'SNwkSIntKey'
  | 'FNwkSIntKey'
  | 'NwkSEncKey'
  | 'NwkSKey'
  | 'AppSKey'
  | 'SessionKeyID'
>;

/**
 * The session fields of a successful JoinAns: the join-accept, the network session keys in KeyEnvelopes
 * wrapped under the network server's KEK when there is one (else in clear, KEKLabel ""), the AppSKey as
 * the join server sealed it (wrapped under the application's or the network server's KEK, or in clear),
 * the SessionKeyID and Lifetime.
 */
export function writeJoinAnsSession(answer: JoinAnswerSuccess, nsKek?: KeyWrapping): JoinAnsSessionFields {
  const out: JoinAnsSessionFields = { PHYPayload: toHex(answer.phyPayload) };
  const k = answer.keys;
  if (isSessionKeys11(k)) {
    out.SNwkSIntKey = sealKeyEnvelope(k.sNwkSIntKey, nsKek);
    out.FNwkSIntKey = sealKeyEnvelope(k.fNwkSIntKey, nsKek);
    out.NwkSEncKey = sealKeyEnvelope(k.nwkSEncKey, nsKek);
  } else {
    out.NwkSKey = sealKeyEnvelope(k.nwkSKey, nsKek);
  }
  if (answer.appSKeyEnvelope) {
    out.AppSKey = { KEKLabel: answer.appSKeyEnvelope.kekLabel, AESKey: answer.appSKeyEnvelope.aesKey };
  } else if (k.appSKey) {
    out.AppSKey = sealKeyEnvelope(k.appSKey);
  }
  if (answer.sessionKeyId) out.SessionKeyID = answer.sessionKeyId;
  if (answer.lifetime !== undefined) out.Lifetime = answer.lifetime;
  return out;
}
