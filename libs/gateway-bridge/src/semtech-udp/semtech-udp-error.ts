/**
 * Why a datagram, or a part of one, was refused. The codec never throws on bad input:
 * every decoder returns `Decoded<T>`, and callers switch on `code`, never on text.
 */
export type SemtechUdpErrorCode =
  | 'TOO_SHORT' // fewer bytes than the datagram type needs
  | 'BAD_VERSION' // byte 0 is neither 1 nor 2
  | 'UNKNOWN_TYPE' // byte 3 is no PROTOCOL.TXT identifier
  | 'BAD_JSON' // the JSON part does not parse, or is not an object
  | 'BAD_FIELD' // a field is missing, of the wrong type or out of range
  | 'TOO_MANY_RXPK' // more rxpk than any packet forwarder sends in one datagram
  | 'PAYLOAD_TOO_LARGE' // `data` longer than a LoRa PHY payload can be
  | 'SIZE_MISMATCH' // `size` is not the decoded length of `data`
  | 'BAD_CRC'; // the radio packet failed its CRC (rxpk `stat` -1)

export interface SemtechUdpError {
  code: SemtechUdpErrorCode;
  message: string;
  /** The JSON field at fault, as a path (`rxpk[2].freq`), when there is one. */
  field?: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: SemtechUdpError };

export function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: SemtechUdpErrorCode, message: string, field?: string): Decoded<T> {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}
