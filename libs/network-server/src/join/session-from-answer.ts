import { isSessionKeys11, JoinAnswerSuccess } from '@lns/join-server';
import { MacVersion } from '@lns/storage';
import { MacState } from '../mac/mac-state';
import { DeviceSession } from '../session/device-session';

export interface NewSessionParams {
  devEui: string;
  devAddr: number;
  macVersion: MacVersion;
  applicationId: string;
  deviceProfileId: string;
  answer: JoinAnswerSuccess;
  mac: MacState;
  now: number;
}

/**
 * The device's new session from the join server's answer. 1.0.x: the three network keys are all the
 * NwkSKey (ChirpStack `lrwn/src/keys.rs`), so MIC and FOpts code take one shape of session. Counters
 * start at 0 (L11 §6.2.3: FCntUp, NFCntDown, AFCntDown reset by a join-accept). An end-to-end
 * application's AppSKey is only present wrapped: the envelope is kept with `aesKey` in base64, the form
 * the `up` and `join` events carry in `joinServerContext` (CONTRACT.md), the TS002 hex converted once here.
 */
export function sessionFromAnswer(p: NewSessionParams): DeviceSession {
  const k = p.answer.keys;
  const net = isSessionKeys11(k)
    ? { fNwkSIntKey: k.fNwkSIntKey, sNwkSIntKey: k.sNwkSIntKey, nwkSEncKey: k.nwkSEncKey }
    : {
        fNwkSIntKey: Buffer.from(k.nwkSKey),
        sNwkSIntKey: Buffer.from(k.nwkSKey),
        nwkSEncKey: Buffer.from(k.nwkSKey),
      };
  const session: DeviceSession = {
    devEui: p.devEui,
    devAddr: p.devAddr >>> 0,
    macVersion: p.macVersion,
    applicationId: p.applicationId,
    deviceProfileId: p.deviceProfileId,
    ...net,
    sessionKeyId: p.answer.sessionKeyId,
    fCntUp: 0,
    nFCntDown: 0,
    aFCntDown: 0,
    mac: p.mac,
    activatedAt: p.now,
  };
  if (k.appSKey) session.appSKey = k.appSKey;
  const env = p.answer.appSKeyEnvelope;
  if (env) {
    session.appSKeyEnvelope = {
      kekLabel: env.kekLabel,
      aesKey: Buffer.from(env.aesKey, 'hex').toString('base64'),
    };
  }
  return session;
}
