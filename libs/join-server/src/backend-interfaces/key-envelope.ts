import { LorawanError, unwrapKey, wrapKey } from '@lns/lorawan';
import { KeyWrapping } from '../join/join-request';
import { Ts002KeyEnvelope } from './ts002';
import { isJsonObject, parseHex, toHex, Ts002FieldError } from './ts002-fields';

/**
 * TS002 KeyEnvelope (§22 Key Transport Security; ChirpStack `KeyEnvelope`): the session key wrapped
 * (RFC 3394) under the KEK its label names, or, with an empty label, the key in clear.
 */
export function sealKeyEnvelope(key: Buffer, wrapping?: KeyWrapping): Ts002KeyEnvelope {
  if (!wrapping) return { KEKLabel: '', AESKey: toHex(key) };
  return { KEKLabel: wrapping.kekLabel, AESKey: toHex(wrapKey({ kek: wrapping.kek, key })) };
}

export type KeyEnvelopeErrorCode =
  /** Not an envelope, or its AESKey is not hex of the right length. */
  | 'MALFORMED'
  /** Wrapped under a KEK whose label the receiver does not hold. */
  | 'UNKNOWN_KEK'
  /** The RFC 3394 integrity check failed: another key under the same label, or a damaged envelope. */
  | 'UNWRAP_FAILED';

export class KeyEnvelopeError extends Error {
  constructor(
    readonly code: KeyEnvelopeErrorCode,
    /** The TS002 field, e.g. `NwkSKey`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'KeyEnvelopeError';
  }
}

/** Reads the envelope's label without opening it; throws KeyEnvelopeError MALFORMED. */
export function envelopeLabel(env: unknown, field: string): string {
  if (!isJsonObject(env))
    throw new KeyEnvelopeError('MALFORMED', field, 'expected a KeyEnvelope {KEKLabel, AESKey}');
  const label = env.KEKLabel ?? '';
  if (typeof label !== 'string')
    throw new KeyEnvelopeError('MALFORMED', field, 'KEKLabel: expected a string');
  return label;
}

/**
 * The 16-byte key of an envelope: in clear when the label is empty, else unwrapped with the KEK
 * `kekFor(label)` returns. Throws KeyEnvelopeError; never puts key material in a message.
 */
export function openKeyEnvelope(
  env: unknown,
  field: string,
  kekFor: (label: string) => Buffer | undefined,
): Buffer {
  const label = envelopeLabel(env, field);
  const raw = (env as Record<string, unknown>).AESKey;
  let aesKey: Buffer;
  try {
    aesKey = parseHex(raw, `${field}.AESKey`, label === '' ? [16] : [24]);
  } catch (e) {
    if (e instanceof Ts002FieldError) throw new KeyEnvelopeError('MALFORMED', field, e.message);
    throw e;
  }
  if (label === '') return aesKey;
  const kek = kekFor(label);
  if (!kek)
    throw new KeyEnvelopeError('UNKNOWN_KEK', field, `wrapped under KEK "${label}", which is not known here`);
  try {
    return unwrapKey({ kek, wrapped: aesKey });
  } catch (e) {
    if (e instanceof LorawanError) {
      throw new KeyEnvelopeError('UNWRAP_FAILED', field, `does not unwrap with KEK "${label}" (${e.code})`);
    }
    throw e;
  }
}
