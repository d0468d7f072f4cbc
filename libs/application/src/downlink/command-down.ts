import { ApplicationDownlinkRequest, LogCode } from '@lns/event-bus';
import { CommandTopic } from '../mqtt/topics';

/**
 * The largest FRMPayload of any data rate in any region: N = 242 bytes (RP002-1.0.4, e.g.
 * EU868 DR4..7 M/N 250/242). The data rate a downlink goes out on may allow less; the
 * network server checks that when it schedules (log code DOWNLINK_PAYLOAD_SIZE).
 */
export const MAX_DOWNLINK_PAYLOAD = 242;

/** Application ports: 0 carries MAC commands, 224 the test protocol, 225..255 are RFU (LoRaWAN 1.0.4 §4.3.2). */
export const MIN_APPLICATION_FPORT = 1;
export const MAX_APPLICATION_FPORT = 223;

/** A command is a few hundred bytes; anything far larger is refused before it is parsed. */
export const MAX_COMMAND_BYTES = 4096;

const MAX_F_CNT = 0xffffffff;
const DEV_EUI = /^[0-9a-fA-F]{16}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Why a command was refused: the field, in the command's JSON words, and the rule it broke. */
export interface CommandDownError {
  field: string;
  reason: string;
  code: Extract<LogCode, 'DOWNLINK_CODEC' | 'DOWNLINK_PAYLOAD_SIZE'>;
}

export type CommandDownResult =
  { ok: true; value: ApplicationDownlinkRequest } | { ok: false; error: CommandDownError };

const fail = (field: string, reason: string, code: CommandDownError['code'] = 'DOWNLINK_CODEC') =>
  ({ ok: false, error: { field, reason, code } }) as const;

/** Standard base64, padding optional, nothing Buffer.from would silently skip. */
function decodeBase64(s: string): Buffer | null {
  if (!BASE64.test(s) || s.length % 4 === 1) return null;
  const bytes = Buffer.from(s, 'base64');
  const canonical = bytes.toString('base64').replace(/=+$/, '');
  return canonical === s.replace(/=+$/, '') ? bytes : null;
}

function isInteger(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * A `…/command/down` message, ChirpStack v4's JSON: `{devEui?, confirmed?, fPort, data,
 * fCntDown?, isEncrypted?}` (`data` base64). Unknown fields are ignored, as ChirpStack
 * does. The DevEUI of the topic is the device; a `devEui` in the body must name the same.
 * Whether the device exists and belongs to the application is the network server's check.
 */
export function parseCommandDown(topic: CommandTopic, payload: Buffer): CommandDownResult {
  if (!DEV_EUI.test(topic.devEui)) return fail('devEui', 'the topic must name a DevEUI of 16 hex digits');
  const devEui = topic.devEui.toLowerCase();
  if (payload.length > MAX_COMMAND_BYTES) return fail('body', `must be at most ${MAX_COMMAND_BYTES} bytes`);

  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return fail('body', 'must be JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return fail('body', 'must be a JSON object');
  }
  const c = body as Record<string, unknown>;

  if (c.devEui !== undefined) {
    if (typeof c.devEui !== 'string' || !DEV_EUI.test(c.devEui)) {
      return fail('devEui', 'must be 16 hex digits');
    }
    if (c.devEui.toLowerCase() !== devEui) return fail('devEui', `must match the topic's DevEUI ${devEui}`);
  }
  if (c.confirmed !== undefined && typeof c.confirmed !== 'boolean') {
    return fail('confirmed', 'must be true or false');
  }
  if (c.fPort === undefined) return fail('fPort', 'is required');
  if (!isInteger(c.fPort, MIN_APPLICATION_FPORT, MAX_APPLICATION_FPORT)) {
    return fail('fPort', `must be an integer ${MIN_APPLICATION_FPORT}-${MAX_APPLICATION_FPORT}`);
  }
  if (c.data === undefined) {
    return fail('data', 'is required (base64 bytes; payload codecs are not supported)');
  }
  const data = typeof c.data === 'string' ? decodeBase64(c.data) : null;
  if (!data) return fail('data', 'must be base64');
  if (data.length > MAX_DOWNLINK_PAYLOAD) {
    return fail(
      'data',
      `must be at most ${MAX_DOWNLINK_PAYLOAD} bytes, got ${data.length}`,
      'DOWNLINK_PAYLOAD_SIZE',
    );
  }
  if (c.isEncrypted !== undefined && typeof c.isEncrypted !== 'boolean') {
    return fail('isEncrypted', 'must be true or false');
  }
  const isEncrypted = c.isEncrypted === true;
  if (c.fCntDown !== undefined) {
    if (!isInteger(c.fCntDown, 0, MAX_F_CNT)) return fail('fCntDown', `must be an integer 0-${MAX_F_CNT}`);
    // Plain applications' downlinks are counted by the network server.
    if (!isEncrypted) return fail('fCntDown', 'is only given with isEncrypted: true');
  } else if (isEncrypted) {
    // The AS encrypted the FRMPayload with the AppSKey for one AFCntDown (LoRaWAN 1.1 §4.3.3).
    return fail('fCntDown', 'is required with isEncrypted: true');
  }

  const value: ApplicationDownlinkRequest = {
    applicationId: topic.applicationId,
    devEui,
    fPort: c.fPort,
    data: data.toString('base64'),
    confirmed: c.confirmed === true,
  };
  if (isEncrypted) {
    value.isEncrypted = true;
    value.fCntDown = c.fCntDown as number;
  }
  return { ok: true, value };
}
