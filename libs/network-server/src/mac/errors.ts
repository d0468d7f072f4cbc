/** Typed errors of the MAC layer: callers switch on `code`, never on message text. */
export type MacLayerErrorCode =
  /** `requestCommand` was given something that is not a network-side request (an answer, an uplink command). */
  | 'NOT_A_REQUEST'
  /** A field of the command is out of its range (the message names it). */
  | 'BAD_COMMAND'
  /** The device's LoRaWAN version or region does not know the command. */
  | 'UNSUPPORTED_COMMAND'
  /** A setting given to `initialState` is not valid in the region. */
  | 'BAD_SETTING'
  /** The join-accept CFList cannot be read. */
  | 'BAD_CFLIST';

export class MacLayerError extends Error {
  constructor(
    readonly code: MacLayerErrorCode,
    message: string,
    /** The offending field, for 4xx answers that name it. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'MacLayerError';
  }
}
