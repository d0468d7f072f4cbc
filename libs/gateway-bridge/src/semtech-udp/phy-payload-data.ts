import { isUint } from './json-fields';
import { Decoded, fail, ok } from './semtech-udp-error';

/** The LoRa PHY length field is one byte: no radio packet is longer (SX1301/SX1302 datasheets). */
export const MAX_PHY_PAYLOAD_LENGTH = 255;
/**
 * 255 bytes are 340 base64 characters; a longer string is refused before it is decoded,
 * so an oversized `data` costs a length check, not an allocation.
 */
export const MAX_BASE64_LENGTH = 400;

/**
 * Standard and URL-safe base64 digits, padding optional. The URL-safe digits are
 * accepted because PROTOCOL.TXT's own rxpk example uses `-` (§4); each digit still maps
 * to one 6-bit value, so accepting both alphabets cannot change the decoded bytes.
 */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * The rxpk `data` (PROTOCOL.TXT §4: "Base64 encoded RF packet payload, padded") checked
 * against its `size`. Node's decoder skips characters it does not know, so the alphabet
 * is checked first: a stray character would otherwise shorten the payload silently.
 */
export function decodePhyPayloadData(data: unknown, size: unknown, field: string): Decoded<Buffer> {
  if (typeof data !== 'string') return fail('BAD_FIELD', 'data must be a base64 string', `${field}.data`);
  if (data.length > MAX_BASE64_LENGTH) {
    return fail(
      'PAYLOAD_TOO_LARGE',
      `data of ${data.length} base64 characters, at most ${MAX_BASE64_LENGTH}`,
      `${field}.data`,
    );
  }
  const unpadded = data.endsWith('==') ? data.length - 2 : data.endsWith('=') ? data.length - 1 : data.length;
  // A lone digit after full quartets encodes no byte: the string was cut.
  if (!BASE64.test(data) || unpadded % 4 === 1 || (unpadded !== data.length && data.length % 4 !== 0)) {
    return fail('BAD_FIELD', 'data is not base64', `${field}.data`);
  }
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > MAX_PHY_PAYLOAD_LENGTH) {
    return fail(
      'PAYLOAD_TOO_LARGE',
      `data of ${bytes.length} bytes, a PHY payload has at most ${MAX_PHY_PAYLOAD_LENGTH}`,
      `${field}.data`,
    );
  }
  if (!isUint(size, MAX_PHY_PAYLOAD_LENGTH)) {
    return fail('BAD_FIELD', `size must be an integer 0-${MAX_PHY_PAYLOAD_LENGTH}`, `${field}.size`);
  }
  if (size !== bytes.length) {
    return fail('SIZE_MISMATCH', `size ${size} but data holds ${bytes.length} bytes`, `${field}.size`);
  }
  return ok(bytes);
}
