import { UplinkReceived } from '@lns/gateway-bridge';

/**
 * One PHYPayload after the dedup window: the copies every gateway heard, handled once.
 * `deduplicationId` is a UUID that names this uplink in events and logs.
 */
export interface DeduplicatedUplink {
  deduplicationId: string;
  phyPayload: Buffer;
  /** Every gateway's copy, best SNR first. */
  copies: UplinkReceived[];
  /** Server clock (ms) of the first copy, when the socket had it. */
  firstReceivedAt: number;
  /** When the window was due to close: firstReceivedAt + the window. How late an uplink is handled counts from here. */
  windowDueAt: number;
  /** Server clock (ms) when the dedup window closed. */
  windowClosedAt: number;
}
