/** Misuse of a simulated device (what a real stack reports as a status code), distinct from LorawanError. */
export type DeviceErrorCode =
  | 'BAD_CONFIG'
  | 'NOT_ACTIVATED'
  | 'ABP_DEVICE'
  | 'DEVNONCE_EXHAUSTED'
  | 'FCNT_EXHAUSTED'
  | 'NO_CHANNEL'
  | 'BAD_DATA_RATE'
  | 'BAD_FPORT'
  | 'PAYLOAD_TOO_LONG'
  | 'NO_TRANSMISSION';

export class DeviceError extends Error {
  constructor(
    readonly code: DeviceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceError';
  }
}
