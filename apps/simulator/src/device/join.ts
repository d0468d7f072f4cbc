/**
 * OTAA, device side (L102 §6.2, L104 §6.2, L11 §6.2): the join-request and the checks a device makes on a
 * join-accept before it derives its session. Crypto and codecs are `@lns/lorawan`'s.
 */
import {
  computeJoinAcceptMic,
  computeJoinRequestMic,
  decodeJoinAcceptPlaintext,
  decodePhyPayload,
  decryptJoinAccept,
  deriveJoinServerKeys,
  deriveSessionKeys10,
  deriveSessionKeys11,
  encodePhyPayload,
  JoinAcceptPlaintext,
  LorawanError,
  micEquals,
  micInput,
  MIC_LENGTH,
  MType,
  SessionKeys11,
  sessionKeys10As11,
} from '@lns/lorawan';
import type { SessionMode } from './frames';
import type { MacVersion } from './types';

export interface JoinKeys {
  appKey: Buffer;
  /** 1.1 only. */
  nwkKey?: Buffer;
}

/** Join-request, MIC under AppKey (1.0.x) or NwkKey (1.1) (L11 §6.2.2). */
export function buildJoinRequest(
  macVersion: MacVersion,
  keys: JoinKeys,
  joinEui: Buffer,
  devEui: Buffer,
  devNonce: number,
): Buffer {
  const phy = encodePhyPayload({
    mType: MType.JoinRequest,
    joinEui,
    devEui,
    devNonce,
    mic: Buffer.alloc(MIC_LENGTH),
  });
  const key = macVersion === '1.1.0' ? (keys.nwkKey as Buffer) : keys.appKey;
  computeJoinRequestMic({ key, msg: micInput(phy) }).copy(phy, phy.length - MIC_LENGTH);
  return phy;
}

export type JoinAcceptOutcome =
  | { ok: true; accept: JoinAcceptPlaintext; mode: SessionMode; keys: SessionKeys11 }
  | { ok: false; reason: 'MALFORMED' | 'MIC_FAILED' | 'JOIN_NONCE_REPLAY'; message: string };

export interface JoinContext {
  macVersion: MacVersion;
  keys: JoinKeys;
  joinEui: Buffer;
  devEui: Buffer;
  /** DevNonce of the join-request being answered. */
  devNonce: number;
  /** 1.0.4/1.1: JoinNonce of the last accepted join-accept. */
  lastJoinNonce?: number;
}

/**
 * Decrypts and checks a join-accept, then derives the session keys:
 * - decryption key AppKey (1.0.x) / NwkKey (1.1) — `decryptJoinAccept` (L11 §6.2.3);
 * - MIC: 1.0.x and 1.1 with OptNeg = 0 over the clear payload with the same key; 1.1 with OptNeg = 1 under
 *   JSIntKey with JoinReqType 0xFF | JoinEUI | DevNonce prefixed;
 * - 1.0.4 and 1.1: JoinNonce must exceed the last accepted one (L11 l.1550-1559, L104 l.1490);
 * - keys: 1.0.x `deriveSessionKeys10`; 1.1 `deriveSessionKeys11` with the OptNeg of the accept.
 * A 1.0.x device reads the OptNeg bit as RFU and ignores it.
 */
export function openJoinAccept(phy: Buffer, ctx: JoinContext): JoinAcceptOutcome {
  const lw11 = ctx.macVersion === '1.1.0';
  const rootKey = lw11 ? (ctx.keys.nwkKey as Buffer) : ctx.keys.appKey;
  let plain: Buffer;
  try {
    const frame = decodePhyPayload(phy);
    if (frame.mType !== MType.JoinAccept) {
      return { ok: false, reason: 'MALFORMED', message: `MType ${frame.mType} is not a join-accept` };
    }
    plain = decryptJoinAccept({ key: rootKey, phyPayload: phy });
  } catch (e) {
    if (e instanceof LorawanError) return { ok: false, reason: 'MALFORMED', message: e.message };
    throw e;
  }
  // The MIC is checked on the raw clear bytes before any field is interpreted, as a device does: a
  // join-accept for someone else (or under another key) decrypts to noise and must fail on its MIC.
  // The clear join-accept (MHDR first) without its MIC is the legacy MIC input (see JoinAcceptPlaintext);
  // DLSettings (byte 11) bit 7 is OptNeg.
  const plainMsg = micInput(plain);
  const optNeg = lw11 && (plain[11] & 0x80) !== 0;
  const expected = optNeg
    ? computeJoinAcceptMic({
        optNeg: true,
        jsIntKey: deriveJoinServerKeys({ nwkKey: rootKey, devEui: ctx.devEui }).jsIntKey,
        joinReqType: 0xff,
        joinEui: ctx.joinEui,
        devNonce: ctx.devNonce,
        msg: plainMsg,
      })
    : computeJoinAcceptMic({ key: rootKey, msg: plainMsg });
  if (!micEquals(expected, plain.subarray(plain.length - MIC_LENGTH))) {
    return { ok: false, reason: 'MIC_FAILED', message: 'join-accept MIC does not verify' };
  }
  let accept: JoinAcceptPlaintext;
  try {
    accept = decodeJoinAcceptPlaintext(plain);
  } catch (e) {
    if (e instanceof LorawanError) return { ok: false, reason: 'MALFORMED', message: e.message };
    throw e;
  }
  const checksJoinNonce = ctx.macVersion === '1.0.4' || lw11;
  if (checksJoinNonce && ctx.lastJoinNonce !== undefined && accept.joinNonce <= ctx.lastJoinNonce) {
    return {
      ok: false,
      reason: 'JOIN_NONCE_REPLAY',
      message: `JoinNonce ${accept.joinNonce} is not above the last accepted ${ctx.lastJoinNonce}`,
    };
  }
  const { joinNonce, netId } = accept;
  const devNonce = ctx.devNonce;
  if (!lw11) {
    const k = deriveSessionKeys10({ appKey: ctx.keys.appKey, joinNonce, netId, devNonce });
    return { ok: true, accept, mode: '1.0', keys: sessionKeys10As11(k) };
  }
  const keys = optNeg
    ? deriveSessionKeys11({
        optNeg: true,
        appKey: ctx.keys.appKey,
        nwkKey: rootKey,
        joinNonce,
        joinEui: ctx.joinEui,
        devNonce,
      })
    : deriveSessionKeys11({ optNeg: false, nwkKey: rootKey, joinNonce, netId, devNonce });
  return { ok: true, accept, mode: optNeg ? '1.1' : '1.1-optneg0', keys };
}
