import { bytesOf } from './encoding';
import { AsClientError } from './errors';
import type { JoinServerContext, TunnelJoinEvent, TunnelUpEvent } from './tunnel-application';

/**
 * An event body as the server sends it: the payload of an MQTT message or the body of a webhook request
 * (the same ChirpStack v4 JSON, docs/webhooks.md), as bytes, as text, or already parsed.
 */
export type TunnelEventBody = string | Uint8Array | object;

/** The fields every event of the server carries besides the tunnel's (kept as they came). */
interface EventCommon {
  /** Names one uplink (or join) across its copies: the MQTT message and each webhook delivery of it. */
  deduplicationId?: string;
  time?: string;
}

/** A checked `up` event: what TunnelApplication.decryptUp needs is typed, the other fields kept as they came. */
export type ParsedUpEvent = TunnelUpEvent & EventCommon & Record<string, unknown>;

/** A checked `join` event, for TunnelApplication.handleJoin. */
export type ParsedJoinEvent = TunnelJoinEvent & EventCommon & Record<string, unknown>;

const DEV_EUI = /^[0-9a-fA-F]{16}$/;
const DEV_ADDR = /^[0-9a-fA-F]{8}$/;
/** RFC 3394 wraps a 16-byte AppSKey into 24 bytes (a 64-bit integrity block more). */
const WRAPPED_APP_S_KEY_BYTES = 24;

/**
 * An `up` event of an end-to-end application, checked before anything is decrypted: the errors name the
 * field and say why, so an AS can answer a webhook with a 400 and log the reason. `BAD_INPUT` for a body
 * that is not JSON or not an `up` event (a `join` has no `fCnt`, an `ack` no `devAddr`), `NO_SESSION_KEY`
 * for data without `joinServerContext`: the uplink of an application that is not end-to-end, whose `data`
 * the network already decrypted. A frame without application payload (no FPort, or FPort 0) has neither
 * `data` nor `joinServerContext` and passes.
 */
export function parseUpEvent(body: TunnelEventBody): ParsedUpEvent {
  const event = objectOf(body, 'up');
  const devEui = devEuiOf(event, 'up');
  stringMatching(event, 'devAddr', DEV_ADDR, '8 hex digits', 'up');
  if (event.fCnt === undefined) {
    throw new AsClientError('BAD_INPUT', 'fCnt: missing: not an up event (only up events have fCnt)');
  }
  if (!isInteger(event.fCnt, 0xffffffff)) {
    throw new AsClientError('BAD_INPUT', 'fCnt: expected an integer from 0 to 4294967295');
  }
  if (event.fPort !== undefined && !isInteger(event.fPort, 255)) {
    throw new AsClientError('BAD_INPUT', 'fPort: expected an integer from 0 to 255');
  }
  if (event.data !== undefined) {
    if (typeof event.data !== 'string') throw new AsClientError('BAD_INPUT', 'data: expected base64');
    bytesOf(event.data, 'data');
    if (event.joinServerContext === undefined) {
      throw new AsClientError(
        'NO_SESSION_KEY',
        `up of ${devEui}: data without joinServerContext: not an uplink of an end-to-end application`,
      );
    }
  }
  if (event.joinServerContext !== undefined) checkJoinServerContext(event.joinServerContext);
  return event as ParsedUpEvent;
}

/**
 * A `join` event of an end-to-end application: `BAD_INPUT` naming the field for a body that is not one,
 * `NO_SESSION_KEY` for a join without `joinServerContext` (an application that is not end-to-end, or one
 * whose join server sent no AppSKey envelope).
 */
export function parseJoinEvent(body: TunnelEventBody): ParsedJoinEvent {
  const event = objectOf(body, 'join');
  const devEui = devEuiOf(event, 'join');
  stringMatching(event, 'devAddr', DEV_ADDR, '8 hex digits', 'join');
  if (event.fCnt !== undefined) {
    throw new AsClientError('BAD_INPUT', 'fCnt: present: an up event, not a join event');
  }
  if (event.joinServerContext === undefined) {
    throw new AsClientError(
      'NO_SESSION_KEY',
      `join of ${devEui}: no joinServerContext: not a join of an end-to-end application`,
    );
  }
  checkJoinServerContext(event.joinServerContext);
  return event as ParsedJoinEvent;
}

/** The body as a JSON object. The error never quotes the body: a wrong body may hold anything. */
function objectOf(body: TunnelEventBody, type: string): Record<string, unknown> {
  let value: unknown = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      throw new AsClientError('BAD_INPUT', `${type} event: the body is not JSON`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AsClientError('BAD_INPUT', `${type} event: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

function devEuiOf(event: Record<string, unknown>, type: string): string {
  const info = event.deviceInfo;
  const devEui =
    typeof info === 'object' && info !== null ? (info as { devEui?: unknown }).devEui : undefined;
  if (typeof devEui !== 'string' || !DEV_EUI.test(devEui)) {
    throw new AsClientError('BAD_INPUT', `deviceInfo.devEui: expected 16 hex digits (in ${anEvent(type)})`);
  }
  return devEui.toLowerCase();
}

function stringMatching(
  event: Record<string, unknown>,
  field: string,
  pattern: RegExp,
  what: string,
  type: string,
): void {
  const value = event[field];
  if (value === undefined) throw new AsClientError('BAD_INPUT', `${field}: missing: not ${anEvent(type)}`);
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new AsClientError('BAD_INPUT', `${field}: expected ${what}`);
  }
}

/** `{sessionKeyId, appSKey: {kekLabel, aesKey}}`, the AppSKey envelope checked for its size, not opened. */
function checkJoinServerContext(value: unknown): asserts value is JoinServerContext {
  const name = 'joinServerContext';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AsClientError('BAD_INPUT', `${name}: expected {sessionKeyId, appSKey: {kekLabel, aesKey}}`);
  }
  const ctx = value as { sessionKeyId?: unknown; appSKey?: unknown };
  // An empty id is allowed: a session without one (TunnelApplication then caches by envelope).
  if (typeof ctx.sessionKeyId !== 'string') {
    throw new AsClientError('BAD_INPUT', `${name}.sessionKeyId: expected a string`);
  }
  const envelope = ctx.appSKey as { kekLabel?: unknown; aesKey?: unknown } | null | undefined;
  if (typeof envelope !== 'object' || envelope === null) {
    throw new AsClientError('BAD_INPUT', `${name}.appSKey: expected {kekLabel, aesKey}`);
  }
  if (typeof envelope.kekLabel !== 'string' || envelope.kekLabel === '') {
    throw new AsClientError('BAD_INPUT', `${name}.appSKey.kekLabel: expected a non-empty string`);
  }
  if (typeof envelope.aesKey !== 'string') {
    throw new AsClientError('BAD_INPUT', `${name}.appSKey.aesKey: expected base64`);
  }
  const wrapped = bytesOf(envelope.aesKey, `${name}.appSKey.aesKey`);
  if (wrapped.length !== WRAPPED_APP_S_KEY_BYTES) {
    throw new AsClientError(
      'BAD_INPUT',
      `${name}.appSKey.aesKey: ${wrapped.length} bytes, a wrapped AppSKey has ${WRAPPED_APP_S_KEY_BYTES}`,
    );
  }
}

/** "an up event", "a join event". */
function anEvent(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} event`;
}

function isInteger(value: unknown, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}
