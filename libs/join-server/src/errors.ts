/** Why a join-server management call was refused; callers switch on `code`, never on text. */
export type JoinServerErrorCode =
  /** No device with this DevEUI in the join server. */
  | 'UNKNOWN_DEVICE'
  /** A field is missing or out of range; `field` names it. */
  | 'BAD_FIELD';

export class JoinServerError extends Error {
  constructor(
    readonly code: JoinServerErrorCode,
    message: string,
    /** The input field at fault, for BAD_FIELD (and `devEui` for UNKNOWN_DEVICE). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'JoinServerError';
  }
}
