import {
  computeJoinRequestMic,
  computeRejoinRequestMic,
  decodePhyPayload,
  deriveJoinServerKeys,
  JoinRequestFrame,
  LorawanError,
  micEquals,
  micInput,
  MType,
  RejoinRequestFrame,
} from '@lns/lorawan';
import { isLoRaWAN11, JoinNonceState, JsMacVersion } from '../device/js-device';
import { checkDevNonce, recordDevNonce } from './dev-nonce';
import { buildJoinAccept, JoinAcceptSecurity } from './join-accept';
import { JoinAnswerFailure, JoinAnswerSuccess, joinFailure, JoinRequest } from './join-request';
import { nextJoinNonce } from './join-nonce';
import { deriveAnswerKeys, sealAppSKey } from './session-keys';

/**
 * The join server's decisions, pure: no I/O, no clock, the random SessionKeyID given by the caller.
 * The service opens the root keys, calls these, persists `state` and only then returns the answer
 * (the JoinNonce is on disk before the join-accept can leave).
 */

export interface JoinDevice {
  devEui: string;
  joinEui: string;
  macVersion: JsMacVersion;
  state: JoinNonceState;
}

export interface RootKeys {
  appKey: Buffer;
  /** 1.1 only. */
  nwkKey?: Buffer;
}

export type JoinProcessing =
  | { ok: true; answer: JoinAnswerSuccess; state: JoinNonceState; appSKey: Buffer }
  | { ok: false; answer: JoinAnswerFailure };

const fail = (result: JoinAnswerFailure['result'], description: string): JoinProcessing => ({
  ok: false,
  answer: joinFailure(result, description),
});

/** Decodes the request's PHYPayload as the expected MType; MalformedRequest otherwise. */
export function decodeRequestFrame(
  req: JoinRequest,
  expected: MType.JoinRequest,
): JoinRequestFrame | JoinAnswerFailure;
export function decodeRequestFrame(
  req: JoinRequest,
  expected: MType.RejoinRequest,
): RejoinRequestFrame | JoinAnswerFailure;
export function decodeRequestFrame(
  req: JoinRequest,
  expected: MType.JoinRequest | MType.RejoinRequest,
): JoinRequestFrame | RejoinRequestFrame | JoinAnswerFailure {
  if (!Buffer.isBuffer(req.phyPayload)) return joinFailure('MalformedRequest', 'PHYPayload: not bytes');
  let frame;
  try {
    frame = decodePhyPayload(req.phyPayload);
  } catch (e) {
    if (e instanceof LorawanError) return joinFailure('MalformedRequest', `PHYPayload: ${e.message}`);
    throw e;
  }
  if (frame.mType !== expected) {
    const what = expected === MType.JoinRequest ? 'a join-request' : 'a rejoin-request';
    return joinFailure('MalformedRequest', `PHYPayload: MType ${frame.mType} is not ${what}`);
  }
  if (frame.devEui.toString('hex') !== req.devEui) {
    return joinFailure(
      'MalformedRequest',
      `DevEUI: ${req.devEui} is not the frame's ${frame.devEui.toString('hex')}`,
    );
  }
  return frame;
}

/**
 * Join-request → join-accept (L104 §6.2, L11 §6.2; TS002 JoinReq handling as brocaar/lorawan
 * `backend/joinserver/join_request.go`): JoinEUI, MIC under AppKey (1.0.x) or NwkKey (1.1), DevNonce per
 * policy, JoinNonce + 1, session keys per version and OptNeg, join-accept signed and encrypted.
 */
export function processJoinRequest(
  device: JoinDevice,
  root: RootKeys,
  frame: JoinRequestFrame,
  req: JoinRequest,
  sessionKeyId: string,
): JoinProcessing {
  const joinEui = frame.joinEui.toString('hex');
  if (joinEui !== device.joinEui) {
    return fail('UnknownDevEUI', `JoinEUI ${joinEui} is not this device's (${device.joinEui})`);
  }
  const lw11 = isLoRaWAN11(device.macVersion);
  if (lw11 && !root.nwkKey) return fail('Other', 'LoRaWAN 1.1 device without a NwkKey');
  const rootKey = lw11 ? (root.nwkKey as Buffer) : root.appKey;
  // L11 §6.2.2 / L104 §6.2.5: the MIC is under NwkKey (1.1) or AppKey (1.0.x).
  const mic = computeJoinRequestMic({ key: rootKey, msg: micInput(req.phyPayload) });
  if (!micEquals(mic, frame.mic)) {
    return fail('MICFailed', `join-request MIC does not verify with the ${lw11 ? 'NwkKey' : 'AppKey'}`);
  }
  const devNonce = frame.devNonce;
  const nonceCheck = checkDevNonce(device.state, devNonce);
  if (!nonceCheck.ok) return fail('JoinReqFailed', nonceCheck.description);
  const joinNonce = nextJoinNonce(device.state.lastJoinNonce);
  if (joinNonce === undefined) {
    return fail('JoinReqFailed', 'JoinNonce exhausted (2^24 join-accepts): the device needs new root keys');
  }
  // OptNeg only when the device is 1.1 and the network server speaks 1.1 (L11 §6.2.3; RFU in 1.0).
  const optNeg = lw11 && req.dlSettings?.optNeg === true;
  let security: JoinAcceptSecurity;
  if (optNeg) {
    const js = deriveJoinServerKeys({ nwkKey: rootKey, devEui: frame.devEui });
    security = {
      optNeg: true,
      jsIntKey: js.jsIntKey,
      joinReqType: 0xff,
      joinEui: frame.joinEui,
      devNonce,
      encryptionKey: rootKey,
    };
  } else {
    security = { optNeg: false, key: rootKey };
  }
  return answer(device, root, req, sessionKeyId, {
    lw11,
    optNeg,
    joinNonce,
    devNonce,
    joinEui: frame.joinEui,
    security,
    state: { ...recordDevNonce(device.state, devNonce), lastJoinNonce: joinNonce },
  });
}

/**
 * Rejoin-request (LoRaWAN 1.1 only, L11 §6.2.4) → join-accept with OptNeg, MIC under JSIntKey with
 * JoinReqType = the rejoin type and RJcount in the DevNonce slot, encrypted under JSEncKey (L11 Table 14),
 * keys derived with RJcount as DevNonce. Type 1 is the join server's: JoinEUI, MIC under JSIntKey and
 * RJcount1 > the last one (§6.2.4.2). Types 0/2 carry a MIC under SNwkSIntKey and RJcount0, both the
 * network server's to check (§6.2.4.1): it forwards only a verified frame.
 */
export function processRejoinRequest(
  device: JoinDevice,
  root: RootKeys,
  frame: RejoinRequestFrame,
  req: JoinRequest,
  sessionKeyId: string,
): JoinProcessing {
  if (!isLoRaWAN11(device.macVersion)) {
    return fail('JoinReqFailed', `rejoin-request from a LoRaWAN ${device.macVersion} device (1.1 only)`);
  }
  if (!root.nwkKey) return fail('Other', 'LoRaWAN 1.1 device without a NwkKey');
  const js = deriveJoinServerKeys({ nwkKey: root.nwkKey, devEui: frame.devEui });
  const joinEui = Buffer.from(device.joinEui, 'hex');
  let rjCount: number;
  let state = device.state;
  if (frame.rejoinType === 1) {
    const frameJoinEui = frame.joinEui.toString('hex');
    if (frameJoinEui !== device.joinEui) {
      return fail('UnknownDevEUI', `JoinEUI ${frameJoinEui} is not this device's (${device.joinEui})`);
    }
    const mic = computeRejoinRequestMic({ key: js.jsIntKey, msg: micInput(req.phyPayload) });
    if (!micEquals(mic, frame.mic)) {
      return fail('MICFailed', 'rejoin-request type 1 MIC does not verify with the JSIntKey');
    }
    rjCount = frame.rjCount1;
    if (state.rjCount1Last !== null && rjCount <= state.rjCount1Last) {
      return fail(
        'JoinReqFailed',
        `RJcount1 not incremented: ${rjCount} is not above the last answered ${state.rjCount1Last}`,
      );
    }
    state = { ...state, rjCount1Last: rjCount };
  } else {
    rjCount = frame.rjCount0;
  }
  const joinNonce = nextJoinNonce(device.state.lastJoinNonce);
  if (joinNonce === undefined) {
    return fail('JoinReqFailed', 'JoinNonce exhausted (2^24 join-accepts): the device needs new root keys');
  }
  return answer(device, root, req, sessionKeyId, {
    lw11: true,
    optNeg: true,
    joinNonce,
    devNonce: rjCount,
    joinEui,
    security: {
      optNeg: true,
      jsIntKey: js.jsIntKey,
      joinReqType: frame.rejoinType,
      joinEui,
      devNonce: rjCount,
      encryptionKey: js.jsEncKey,
    },
    state: { ...state, lastJoinNonce: joinNonce },
  });
}

interface Decided {
  lw11: boolean;
  optNeg: boolean;
  joinNonce: number;
  devNonce: number;
  joinEui: Buffer;
  security: JoinAcceptSecurity;
  state: JoinNonceState;
}

/** Keys, join-accept and envelope; a field the codecs refuse makes the request malformed. */
function answer(
  device: JoinDevice,
  root: RootKeys,
  req: JoinRequest,
  sessionKeyId: string,
  d: Decided,
): JoinProcessing {
  try {
    const derived = deriveAnswerKeys({
      lorawan11: d.lw11,
      optNeg: d.optNeg,
      appKey: root.appKey,
      nwkKey: root.nwkKey,
      joinNonce: d.joinNonce,
      netId: req.netId,
      joinEui: d.joinEui,
      devNonce: d.devNonce,
    });
    const phyPayload = buildJoinAccept(
      {
        joinNonce: d.joinNonce,
        netId: req.netId,
        devAddr: req.devAddr,
        dlSettings: { ...req.dlSettings, optNeg: d.optNeg },
        rxDelay: req.rxDelay,
        cfList: req.cfList,
      },
      d.security,
    );
    const sealed = sealAppSKey(derived, req.appSKeyWrapping);
    return {
      ok: true,
      answer: {
        result: 'Success',
        phyPayload,
        optNeg: d.optNeg,
        keys: sealed.keys,
        ...(sealed.appSKeyEnvelope ? { appSKeyEnvelope: sealed.appSKeyEnvelope } : {}),
        sessionKeyId,
        joinNonce: d.joinNonce,
        devNonce: d.devNonce,
      },
      state: d.state,
      appSKey: derived.appSKey,
    };
  } catch (e) {
    if (e instanceof LorawanError) return fail('MalformedRequest', `${device.devEui}: ${e.message}`);
    throw e;
  }
}
