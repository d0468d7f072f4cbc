import { deriveSessionKeys10, deriveSessionKeys11, wrapKey } from '@lns/lorawan';
import { KeyEnvelope, KeyWrapping, SessionKeysAnswer } from './join-request';

export interface DeriveParams {
  /** The device is LoRaWAN 1.1 (has a NwkKey). */
  lorawan11: boolean;
  optNeg: boolean;
  appKey: Buffer;
  nwkKey?: Buffer;
  joinNonce: number;
  netId: number;
  /** JoinEUI, printed order (used with OptNeg = 1). */
  joinEui: Buffer;
  /** DevNonce, or RJcount for a rejoin. */
  devNonce: number;
}

export interface DerivedKeys {
  keys: SessionKeysAnswer;
  appSKey: Buffer;
}

/**
 * Session keys per version (L102 §6.2.5, L104 §6.2.6, L11 §6.2.3):
 * - 1.0.x: NwkSKey/AppSKey from AppKey with NetID;
 * - 1.1 device, OptNeg = 0 (a 1.0 network): from NwkKey alone, returned in the 1.0 shape, NwkSKey =
 *   FNwkSIntKey (L11 l.1589-1592);
 * - 1.1, OptNeg = 1: FNwkSIntKey/SNwkSIntKey/NwkSEncKey from NwkKey, AppSKey from AppKey, with JoinEUI.
 */
export function deriveAnswerKeys(p: DeriveParams): DerivedKeys {
  if (!p.lorawan11) {
    const k = deriveSessionKeys10({
      appKey: p.appKey,
      joinNonce: p.joinNonce,
      netId: p.netId,
      devNonce: p.devNonce,
    });
    return { keys: { nwkSKey: k.nwkSKey, appSKey: k.appSKey }, appSKey: k.appSKey };
  }
  const nwkKey = p.nwkKey as Buffer;
  if (!p.optNeg) {
    const k = deriveSessionKeys11({
      optNeg: false,
      nwkKey,
      joinNonce: p.joinNonce,
      netId: p.netId,
      devNonce: p.devNonce,
    });
    return { keys: { nwkSKey: k.fNwkSIntKey, appSKey: k.appSKey }, appSKey: k.appSKey };
  }
  const k = deriveSessionKeys11({
    optNeg: true,
    appKey: p.appKey,
    nwkKey,
    joinNonce: p.joinNonce,
    joinEui: p.joinEui,
    devNonce: p.devNonce,
  });
  return { keys: { ...k }, appSKey: k.appSKey };
}

/**
 * The AppSKey leaves the join server only wrapped when the caller names a KEK (RFC 3394, as the TS002
 * KeyEnvelope): the `appSKey` field is then removed from `keys`.
 */
export function sealAppSKey(
  derived: DerivedKeys,
  wrapping: KeyWrapping | undefined,
): { keys: SessionKeysAnswer; appSKeyEnvelope?: KeyEnvelope } {
  if (!wrapping) return { keys: derived.keys };
  const aesKey = wrapKey({ kek: wrapping.kek, key: derived.appSKey }).toString('hex');
  const { appSKey: _clear, ...keys } = derived.keys;
  return { keys, appSKeyEnvelope: { kekLabel: wrapping.kekLabel, aesKey } };
}
