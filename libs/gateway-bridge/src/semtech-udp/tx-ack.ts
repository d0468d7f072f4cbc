import { GATEWAY_HEADER_LENGTH } from './packet-type';
import { isEmptyBody, parseJsonObject } from './json-body';
import { isFiniteNumber, isObject } from './json-fields';
import { Decoded, fail, ok } from './semtech-udp-error';

/**
 * The `txpk_ack.error` values of PROTOCOL.TXT §6 (sx1302_hal PROTOCOL.md rev 1.5), plus
 * UNKNOWN for a value none of them is. TX_POWER was an error before rev 1.5 and is a
 * warning since; both forms are read. A full JIT queue is reported as COLLISION_PACKET.
 */
export const TX_ACK_ERRORS = [
  'NONE',
  'TOO_LATE',
  'TOO_EARLY',
  'COLLISION_PACKET',
  'COLLISION_BEACON',
  'TX_FREQ',
  'TX_POWER',
  'GPS_UNLOCKED',
  'UNKNOWN',
] as const;
export type TxAckError = (typeof TX_ACK_ERRORS)[number];

export interface TxAckWarning {
  /** e.g. TX_POWER: the downlink went out at another power, given in `value`. */
  warning: string;
  value?: number | string;
}

export interface TxAck {
  error: TxAckError;
  /** The gateway's own word when it mapped to UNKNOWN. */
  rawError?: string;
  warning?: TxAckWarning;
}

/**
 * The optional JSON of a TX_ACK (PROTOCOL.TXT §5.5, §6). lora_pkt_fwd sends a bare
 * 12-byte datagram when the downlink was accepted; a JSON without `txpk_ack`, and an
 * empty or "NONE" error, mean the same.
 */
export function decodeTxAck(buf: Buffer): Decoded<TxAck> {
  if (isEmptyBody(buf, GATEWAY_HEADER_LENGTH)) return ok({ error: 'NONE' });
  const body = parseJsonObject(buf, GATEWAY_HEADER_LENGTH);
  if (!body.ok) return body;
  const ack = body.value.txpk_ack;
  if (ack === undefined) return ok({ error: 'NONE' });
  if (!isObject(ack)) return fail('BAD_FIELD', 'txpk_ack must be an object', 'txpk_ack');
  if (ack.error !== undefined && typeof ack.error !== 'string') {
    return fail('BAD_FIELD', 'txpk_ack.error must be a string', 'txpk_ack.error');
  }
  if (ack.warn !== undefined && typeof ack.warn !== 'string') {
    return fail('BAD_FIELD', 'txpk_ack.warn must be a string', 'txpk_ack.warn');
  }
  if (ack.value !== undefined && !isFiniteNumber(ack.value) && typeof ack.value !== 'string') {
    return fail('BAD_FIELD', 'txpk_ack.value must be a number or a string', 'txpk_ack.value');
  }
  const result: TxAck = { error: 'NONE' };
  const raw = ack.error;
  if (raw !== undefined && raw !== '' && raw !== 'NONE') {
    if ((TX_ACK_ERRORS as readonly string[]).includes(raw)) {
      result.error = raw as TxAckError;
    } else {
      result.error = 'UNKNOWN';
      result.rawError = raw;
    }
  }
  if (ack.warn !== undefined && ack.warn !== '' && ack.warn !== 'NONE') {
    result.warning =
      ack.value === undefined ? { warning: ack.warn } : { warning: ack.warn, value: ack.value };
  }
  return ok(result);
}
