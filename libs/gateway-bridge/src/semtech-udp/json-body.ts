import { Decoded, fail, ok } from './semtech-udp-error';

const OPEN_BRACE = 0x7b;

/**
 * The JSON object that ends a datagram ("JSON object, starting with {, ending with }",
 * PROTOCOL.TXT §3.2, §5.4, §5.5). Trailing NUL bytes, which some forwarders copy from
 * their C string buffer, are ignored.
 */
export function parseJsonObject(buf: Buffer, offset: number): Decoded<Record<string, unknown>> {
  let end = buf.length;
  while (end > offset && buf[end - 1] === 0) end--;
  let start = offset;
  while (start < end && isJsonSpace(buf[start])) start++;
  if (start >= end) return fail('BAD_JSON', 'no JSON object after the header');
  // Refusing anything but an object before parsing keeps arrays and numbers cheap to reject.
  if (buf[start] !== OPEN_BRACE) return fail('BAD_JSON', 'the JSON part is not an object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8', start, end));
  } catch (err) {
    return fail('BAD_JSON', `JSON does not parse: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return fail('BAD_JSON', 'the JSON part is not an object');
  }
  return ok(parsed as Record<string, unknown>);
}

/** True when nothing but whitespace or NULs follows `offset`: TX_ACK "no JSON" (PROTOCOL.TXT §5.5). */
export function isEmptyBody(buf: Buffer, offset: number): boolean {
  for (let i = offset; i < buf.length; i++) {
    if (buf[i] !== 0 && !isJsonSpace(buf[i])) return false;
  }
  return true;
}

function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}
