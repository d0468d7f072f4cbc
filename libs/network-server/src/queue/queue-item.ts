/** A downlink waiting for its device: the hot copy of a `device_queue_items` row. */
export interface QueueItem {
  id: string;
  devEui: string;
  /** 1..223. */
  fPort: number;
  /** Plain payload, or for `isEncrypted` items the FRMPayload the AS encrypted with AppSKey. */
  data: Buffer;
  confirmed: boolean;
  isEncrypted: boolean;
  /**
   * The AFCntDown (1.1) or FCntDown (1.0.x) the AS encrypted with (`isEncrypted`); for plain
   * items the counter of the latest transmission, null before the first.
   */
  fCntDown: number | null;
  /** Transmissions so far. */
  attempts: number;
  /** ms since the epoch, or null for no expiry. */
  expiresAt: number | null;
  createdAt: number;
}

/** A confirmed item sent and not yet acknowledged: it stays at the head until its ACK or its last retry. */
export function awaitsAck(item: QueueItem | undefined): boolean {
  return item !== undefined && item.confirmed && item.attempts > 0;
}

export type QueueErrorKind = 'DEVICE_NOT_FOUND' | 'INVALID' | 'QUEUE_FULL';

/** Why an item was refused; `field` names the request field at fault. */
export class QueueError extends Error {
  constructor(
    readonly kind: QueueErrorKind,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'QueueError';
  }
}

/** What an application asks to enqueue (REST or MQTT `command/down`). */
export interface EnqueueRequest {
  fPort: number;
  data: Buffer;
  confirmed?: boolean;
  isEncrypted?: boolean;
  fCntDown?: number;
  expiresAt?: number;
}
