/** What went wrong, for a caller's `switch`; the message says it in words. */
export type AsClientErrorCode =
  /** The AS private key: not PEM, not RSA, or too small. */
  | 'BAD_PRIVATE_KEY'
  /** An argument of the wrong type, length or encoding; the message names it. */
  | 'BAD_INPUT'
  /** RSA-OAEP decryption or RFC 3394 unwrap failed: another key, or corrupted data. */
  | 'UNWRAP_FAILED'
  /** An AppSKey envelope under a KEK label whose ASTK was never added. */
  | 'UNKNOWN_KEK_LABEL'
  /** An `up` event with data but no `joinServerContext`: not an end-to-end session. */
  | 'NO_SESSION_KEY'
  /** A downlink for a device whose session (join or up event) was not seen yet. */
  | 'UNKNOWN_DEVICE';

/** The only error the SDK throws; never carries key material. */
export class AsClientError extends Error {
  constructor(
    readonly code: AsClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AsClientError';
  }
}
