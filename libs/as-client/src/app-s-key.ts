import { LorawanError, unwrapKey } from '@lns/lorawan';
import { aesKeyOf, bytesOf } from './encoding';
import { AsClientError } from './errors';

/**
 * `joinServerContext.appSKey` of an end-to-end application's `up` and `join` events (ChirpStack's shape,
 * the LoRaWAN Backend Interfaces KeyEnvelope): the AppSKey wrapped under the ASTK named `kekLabel`.
 */
export interface AppSKeyEnvelope {
  kekLabel: string;
  /** RFC 3394 wrap of the AppSKey (24 bytes), base64 as in the events. */
  aesKey: string | Buffer;
}

export interface UnwrapAppSKeyParams {
  /** The ASTK of the envelope's `kekLabel` (unwrapTransportKey). */
  astk: Buffer;
  envelope: AppSKeyEnvelope;
}

/**
 * The session's AppSKey: RFC 3394 unwrap (with its integrity check) of the envelope under the ASTK, as the
 * LoRaWAN Backend Interfaces specify key transport (TS002 KeyEnvelope). A wrong ASTK fails the check
 * instead of yielding a wrong key.
 */
export function unwrapAppSKey(p: UnwrapAppSKeyParams): Buffer {
  const astk = aesKeyOf(p.astk, 'astk', [16, 24, 32]);
  if (!p.envelope || typeof p.envelope.kekLabel !== 'string') {
    throw new AsClientError('BAD_INPUT', 'envelope: expected {kekLabel, aesKey}');
  }
  const wrapped = bytesOf(p.envelope.aesKey, 'envelope.aesKey');
  if (wrapped.length !== 24) {
    throw new AsClientError(
      'BAD_INPUT',
      `envelope.aesKey: ${wrapped.length} bytes, a wrapped AppSKey has 24`,
    );
  }
  try {
    return unwrapKey({ kek: astk, wrapped });
  } catch (err) {
    if (!(err instanceof LorawanError)) throw err;
    throw new AsClientError(
      'UNWRAP_FAILED',
      `envelope (KEK label ${p.envelope.kekLabel}): RFC 3394 integrity check failed, the ASTK is not this label's`,
    );
  }
}
