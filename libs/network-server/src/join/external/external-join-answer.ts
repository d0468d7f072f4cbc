import {
  envelopeLabel,
  isResultCode,
  JoinAnswerSuccess,
  KeyEnvelopeError,
  KeyWrapping,
  openKeyEnvelope,
  parseHex,
  SessionKeysAnswer,
  Ts002FieldError,
} from '@lns/join-server';
import { JOIN_ACCEPT_CFLIST_LENGTH, JOIN_ACCEPT_LENGTH } from '@lns/lorawan';
import { ExternalJoinFailure } from './join-server-port';

export interface JoinAnsContext {
  /** The join server's name and id, for log lines. */
  joinServer: string;
  kind: 'join' | 'rejoin';
  /** The KEK registered for this join server: what it wraps for us opens with it. */
  nsKek?: KeyWrapping;
  /** The device's application is end-to-end: its AppSKey must stay wrapped for the application server. */
  endToEnd: boolean;
  /** DevNonce (or RJcount) of the request, for logs. */
  devNonce: number;
}

/** Device-level refusals: the device's (or its registration's) trouble, not the join server's. */
const DEVICE_RESULTS = new Set(['MICFailed', 'UnknownDevEUI', 'JoinReqFailed']);

/** A failure ResultCode of a JoinAns/RejoinAns as the log event it becomes. */
export function failureOfResult(
  resultCode: string,
  description: string | undefined,
  c: JoinAnsContext,
): ExternalJoinFailure {
  const code = isResultCode(resultCode)
    ? resultCode
    : `unknown ResultCode ${JSON.stringify(resultCode).slice(0, 64)}`;
  const why = description ? `: ${description.slice(0, 500)}` : '';
  return {
    result: isResultCode(resultCode) ? resultCode : 'Other',
    description: `${c.kind}-request refused by join server ${c.joinServer}: ${code}${why}`,
    code: DEVICE_RESULTS.has(resultCode) ? 'OTAA' : 'JOIN_SERVER',
    level: resultCode === 'JoinReqFailed' ? 'WARNING' : 'ERROR',
  };
}

function answerFailure(c: JoinAnsContext, why: string): ExternalJoinFailure {
  return {
    result: 'Answer',
    description: `${c.kind}-accept of join server ${c.joinServer} not used: ${why}`,
    code: 'JOIN_SERVER',
    level: 'ERROR',
  };
}

/**
 * A JoinAns/RejoinAns with ResultCode Success as the answer the join handler activates a session from:
 * the network session keys opened (in clear, or unwrapped with our KEK: TS002 §22), the AppSKey opened
 * for a plain application or kept wrapped for an end-to-end one. An answer the network must not use is a
 * failure saying why: keys missing or not openable, an end-to-end AppSKey the network could read.
 */
export function successFromJoinAns(
  ans: Record<string, unknown>,
  c: JoinAnsContext,
): JoinAnswerSuccess | ExternalJoinFailure {
  const kekFor = (label: string) => (c.nsKek && label === c.nsKek.kekLabel ? c.nsKek.kek : undefined);
  try {
    const phyPayload = parseHex(ans.PHYPayload, 'PHYPayload', [
      JOIN_ACCEPT_LENGTH,
      JOIN_ACCEPT_CFLIST_LENGTH,
    ]);
    let keys: SessionKeysAnswer;
    let optNeg: boolean;
    const has11 = ['FNwkSIntKey', 'SNwkSIntKey', 'NwkSEncKey'].filter(
      (f) => ans[f] !== undefined && ans[f] !== null,
    );
    if (has11.length > 0) {
      // LoRaWAN 1.1 with OptNeg: the three network keys (L11 §6.2.3).
      if (has11.length < 3) return answerFailure(c, 'FNwkSIntKey, SNwkSIntKey and NwkSEncKey come together');
      keys = {
        fNwkSIntKey: openKeyEnvelope(ans.FNwkSIntKey, 'FNwkSIntKey', kekFor),
        sNwkSIntKey: openKeyEnvelope(ans.SNwkSIntKey, 'SNwkSIntKey', kekFor),
        nwkSEncKey: openKeyEnvelope(ans.NwkSEncKey, 'NwkSEncKey', kekFor),
      };
      optNeg = true;
    } else if (ans.NwkSKey !== undefined && ans.NwkSKey !== null) {
      keys = { nwkSKey: openKeyEnvelope(ans.NwkSKey, 'NwkSKey', kekFor) };
      optNeg = false;
    } else {
      return answerFailure(c, 'no network session key (NwkSKey, or FNwkSIntKey/SNwkSIntKey/NwkSEncKey)');
    }

    const sessionKeyId =
      ans.SessionKeyID === undefined || ans.SessionKeyID === null || ans.SessionKeyID === ''
        ? ''
        : parseHex(ans.SessionKeyID, 'SessionKeyID').toString('hex');
    const out: JoinAnswerSuccess = {
      result: 'Success',
      phyPayload,
      optNeg,
      keys,
      sessionKeyId,
      // The JoinNonce is inside the encrypted join-accept: the network server does not see it.
      joinNonce: 0,
      devNonce: c.devNonce,
    };
    if (typeof ans.Lifetime === 'number' && Number.isInteger(ans.Lifetime) && ans.Lifetime > 0)
      out.lifetime = ans.Lifetime;

    const app = ans.AppSKey;
    if (app === undefined || app === null) {
      // An end-to-end application's server may fetch the AppSKey itself (AppSKeyReq with the SessionKeyID).
      if (c.endToEnd && sessionKeyId) return out;
      return answerFailure(c, c.endToEnd ? 'no AppSKey and no SessionKeyID to fetch it with' : 'no AppSKey');
    }
    const label = envelopeLabel(app, 'AppSKey');
    const ours = label === '' || kekFor(label) !== undefined;
    if (c.endToEnd) {
      if (ours) {
        return answerFailure(
          c,
          label === ''
            ? 'the AppSKey of an end-to-end application came in clear; the join server must wrap it for the application server'
            : `the AppSKey of an end-to-end application came wrapped under this network server's KEK "${label}"; the join server must wrap it for the application server`,
        );
      }
      const aesKey = parseHex((app as Record<string, unknown>).AESKey, 'AppSKey.AESKey', [24]).toString(
        'hex',
      );
      out.appSKeyEnvelope = { kekLabel: label, aesKey };
      return out;
    }
    if (!ours) {
      return answerFailure(
        c,
        `the AppSKey came wrapped under KEK "${label}", which this network server does not hold; make the application end-to-end, or register that KEK with the join server`,
      );
    }
    keys.appSKey = openKeyEnvelope(app, 'AppSKey', kekFor);
    return out;
  } catch (e) {
    if (e instanceof KeyEnvelopeError || e instanceof Ts002FieldError) return answerFailure(c, e.message);
    throw e;
  }
}
