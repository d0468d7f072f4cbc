/*
 * What gateways heard and what the deduplication makes of it. Relative imports only: the UDP
 * worker deduplicates (udp-worker.ts) and loads these files without the @lns/* path mapping.
 */
import { RxPacket } from '../semtech-udp/rxpk';

/** One radio packet a gateway received: one event per rxpk, copies from several gateways arrive apart. */
export interface UplinkReceived extends RxPacket {
  /** Server clock (ms since the epoch) when the datagram arrived. */
  receivedAt: number;
}

/**
 * The first copy of a PHYPayload, handed over the moment the deduplication opens its window
 * (Deduplicator's `onFirst`): the network server checks the frame and commits its counter while
 * the window still collects the other gateways' copies. `deduplicationId` also names the
 * DeduplicatedUplink that follows when the window closes.
 */
export interface FirstCopy {
  deduplicationId: string;
  copy: UplinkReceived;
  /** When the window will close: the copy's arrival + the window. */
  windowDueAt: number;
}

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
  /**
   * Server clock (ms) when the network server got the uplink: its dedup window closed, on this
   * thread, or in the UDP worker (then when the network server routed it, HandOverQueue).
   */
  windowClosedAt: number;
}
