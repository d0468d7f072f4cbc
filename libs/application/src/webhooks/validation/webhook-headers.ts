import { DELIVERY_ID_HEADER, EVENT_HEADER } from '../delivery/http-transport';

export const MAX_WEBHOOK_HEADERS = 32;
export const MAX_HEADER_NAME_LENGTH = 128;
export const MAX_HEADER_VALUE_LENGTH = 4096;

/** RFC 9110 §5.6.2 token: a field name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 §5.5 field-value: visible characters, space, tab and obs-text; no CR, LF or NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Set by the server on every POST (or by HTTP itself): a webhook may not set them. */
const RESERVED = new Set(
  [
    'Content-Type',
    'Content-Length',
    'Host',
    'Connection',
    'Keep-Alive',
    'Transfer-Encoding',
    'TE',
    'Trailer',
    'Upgrade',
    'Expect',
    'Proxy-Connection',
    'User-Agent',
    EVENT_HEADER,
    DELIVERY_ID_HEADER,
  ].map((h) => h.toLowerCase()),
);

/** Why `value` is not a set of extra headers, naming the header; null when it is one. */
export function webhookHeadersProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'must be an object of header names to string values';
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_WEBHOOK_HEADERS) return `must have at most ${MAX_WEBHOOK_HEADERS} headers`;
  const seen = new Set<string>();
  for (const [name, v] of entries) {
    if (name.length > MAX_HEADER_NAME_LENGTH) {
      return `header name ${JSON.stringify(name.slice(0, 32))}… is longer than ${MAX_HEADER_NAME_LENGTH} characters`;
    }
    if (!TOKEN.test(name))
      return `header name ${JSON.stringify(name)} is not an HTTP token (RFC 9110 §5.6.2)`;
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) return `header ${name} is set by the server`;
    if (seen.has(lower)) return `header ${name} is given twice (names are case-insensitive)`;
    seen.add(lower);
    if (typeof v !== 'string') return `header ${name} must have a string value`;
    if (v.length > MAX_HEADER_VALUE_LENGTH) {
      return `header ${name} value is longer than ${MAX_HEADER_VALUE_LENGTH} characters`;
    }
    if (!FIELD_VALUE.test(v)) {
      return `header ${name} value has a character HTTP does not allow (CR, LF, NUL, control or beyond U+00FF)`;
    }
  }
  return null;
}
