/**
 * Reading TS002 fields: hex as ChirpStack writes and reads it (lowercase out; any case and an optional
 * "0x" prefix in, as its `hex_encode` deserializer accepts). A field that is missing or wrong throws
 * Ts002FieldError naming it, which a server answers with ResultCode MalformedRequest.
 */

export class Ts002FieldError extends Error {
  constructor(
    /** The TS002 field name, e.g. `DevEUI` or `NwkSKey.AESKey`. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'Ts002FieldError';
  }
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Lowercase hex, the form ChirpStack emits. */
export function toHex(b: Buffer): string {
  return b.toString('hex');
}

/** `lengths`: the byte lengths allowed (any when omitted). */
export function readHex(obj: Record<string, unknown>, field: string, lengths?: readonly number[]): Buffer {
  const v = obj[field];
  if (v === undefined || v === null) throw new Ts002FieldError(field, 'missing');
  return parseHex(v, field, lengths);
}

/** Absent, null and "" all mean "not given" (ChirpStack skips empty optional hex fields). */
export function readOptionalHex(
  obj: Record<string, unknown>,
  field: string,
  lengths?: readonly number[],
): Buffer | undefined {
  const v = obj[field];
  if (v === undefined || v === null || v === '') return undefined;
  return parseHex(v, field, lengths);
}

export function parseHex(v: unknown, field: string, lengths?: readonly number[]): Buffer {
  if (typeof v !== 'string') throw new Ts002FieldError(field, 'expected a hex string');
  const s = v.startsWith('0x') || v.startsWith('0X') ? v.slice(2) : v;
  if (!HEX.test(s)) throw new Ts002FieldError(field, 'expected hex digits, two per byte');
  const b = Buffer.from(s, 'hex');
  if (lengths && !lengths.includes(b.length)) {
    const want = lengths.map((n) => `${n * 2}`).join(' or ');
    throw new Ts002FieldError(field, `expected ${want} hex digits, got ${s.length}`);
  }
  return b;
}

export function readString(obj: Record<string, unknown>, field: string, maxLength = 256): string {
  const v = obj[field];
  if (typeof v !== 'string' || v.length === 0)
    throw new Ts002FieldError(field, 'expected a non-empty string');
  if (v.length > maxLength) throw new Ts002FieldError(field, `longer than ${maxLength} characters`);
  return v;
}

export function readUint(obj: Record<string, unknown>, field: string, max: number): number {
  const v = obj[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new Ts002FieldError(field, `expected an integer 0..${max}`);
  }
  return v;
}

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
