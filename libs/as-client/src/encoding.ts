import { AsClientError } from './errors';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DEV_ADDR = /^[0-9a-fA-F]{8}$/;

/** Base64 (the API's and the events' encoding of bytes) or bytes as they are; anything else is refused. */
export function bytesOf(value: unknown, name: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  // Buffer.from(…, 'base64') skips what it does not understand: check first, so garbage is not decoded.
  if (typeof value === 'string' && BASE64.test(value)) return Buffer.from(value, 'base64');
  throw new AsClientError('BAD_INPUT', `${name}: expected base64 or a Buffer`);
}

/** Bytes only (Buffer or Uint8Array). */
export function bufferOf(value: unknown, name: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new AsClientError('BAD_INPUT', `${name}: expected a Buffer`);
}

/** A 16-byte AES key given as a Buffer (keys stay Buffers inside an application server too). */
export function aesKeyOf(value: unknown, name: string, lengths: readonly number[] = [16]): Buffer {
  if (!Buffer.isBuffer(value) || !lengths.includes(value.length)) {
    throw new AsClientError('BAD_INPUT', `${name}: expected a Buffer of ${lengths.join(', ')} bytes`);
  }
  return value;
}

/** DevAddr as the events print it (8 hex digits) or as a number, printed (big-endian) order. */
export function devAddrOf(value: unknown): number {
  if (typeof value === 'string' && DEV_ADDR.test(value)) return parseInt(value, 16) >>> 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  throw new AsClientError('BAD_INPUT', 'devAddr: expected 8 hex digits or a 32-bit unsigned integer');
}

/** A full 32-bit frame counter. */
export function counterOf(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  throw new AsClientError('BAD_INPUT', `${name}: expected an integer from 0 to 4294967295`);
}
