/**
 * Typed errors of the protocol core. Decoders never throw anything else on bad input:
 * callers switch on `code`, never on message text.
 */
export type LorawanErrorCode =
  | 'TOO_SHORT' // fewer bytes than the structure needs
  | 'TOO_LONG' // more bytes than the structure allows
  | 'BAD_LENGTH' // a length that matches no valid layout
  | 'BAD_MAJOR' // MHDR Major is not LoRaWAN R1
  | 'BAD_MTYPE' // an MType not valid where it was found
  | 'BAD_FOPTS' // FOpts present where the spec forbids them (e.g. FPort 0)
  | 'BAD_FIELD' // a field value outside its range
  | 'BAD_KEY' // a key of the wrong size
  | 'UNWRAP_FAILED' // RFC 3394 integrity check failed
  | 'UNKNOWN_REGION'
  | 'UNKNOWN_DATA_RATE';

export class LorawanError extends Error {
  constructor(
    readonly code: LorawanErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LorawanError';
  }
}

/** Throws TOO_SHORT unless `buf` holds at least `need` bytes from `offset`. */
export function requireBytes(buf: Buffer, offset: number, need: number, what: string): void {
  if (offset + need > buf.length) {
    throw new LorawanError(
      'TOO_SHORT',
      `${what}: needs ${need} bytes at offset ${offset}, have ${buf.length - offset}`,
    );
  }
}
