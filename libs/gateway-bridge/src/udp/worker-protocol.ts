/*
 * The messages between the main thread and the UDP worker (udp-worker.ts), and the pure
 * parts of the worker: which datagrams it acknowledges itself, and how far behind the main
 * thread may fall. The batches are in datagram-batch.ts. No thread, no socket here: testable alone.
 *
 * Relative imports only: the worker loads this file without the @lns/* path mapping.
 */
import { encodePushAck } from '../semtech-udp/acks';
import { DatagramHeader, parseHeader } from '../semtech-udp/header';
import { parseJsonObject } from '../semtech-udp/json-body';
import { GATEWAY_HEADER_LENGTH, PacketType } from '../semtech-udp/packet-type';
import { DatagramBatch } from './datagram-batch';

/** Given to the worker at start (workerData). */
export interface UdpWorkerData {
  host: string;
  port: number;
  recvBufferSize: number;
  /** Int32 [0]: datagrams the main thread has handled, wrapping (see Backlog). */
  progress: SharedArrayBuffer;
  /** Int32 [0]: 1 while new PUSH_DATA are refused (IntakeGuard). */
  intake: SharedArrayBuffer;
  /** The deduplication the worker runs on the packets of the PUSH_DATA it acknowledges (config dedup.*). */
  dedup: { windowMs: number; cooldownMs: number };
}

/** A PUSH_DATA (PROTOCOL.TXT §3.2: byte 3 is the identifier, 0x00), told without parsing. */
export function isPushData(msg: Uint8Array): boolean {
  return msg.length >= 4 && msg[3] === PacketType.PUSH_DATA;
}

/**
 * How far behind the main thread may fall before the worker drops new datagrams unanswered,
 * as a full kernel buffer would (tail drop): datagrams not yet handled, at most what the main
 * thread handles in this time at its measured rate. Past it an uplink's RX1 is near lost
 * anyway, and a queue bounded by a fixed count is seconds long when the main thread is
 * starved (measured: a 16,384-datagram bound gave a p50 latency of 9 s).
 */
export const MAX_BACKLOG_MS = 500;
/**
 * But never fewer (a burst after a quiet spell, before any rate was measured). A stall of the
 * main thread (GC) lowers the smoothed rate only by 30 % per sample, so it keeps its room.
 */
export const MIN_BACKLOG = 1_024;
/** Nor more, for memory (about 20 MB of datagrams and their senders). */
export const MAX_BACKLOG = 65_536;
/** How often the worker measures the main thread's rate (datagrams handled per second). */
export const RATE_SAMPLE_MS = 250;

/**
 * The main thread's progress, shared without messages: it adds each batch's length once
 * handled (handledMore); the worker compares with what it forwarded (admit). Int32
 * counters that wrap: their differences stay right.
 */
export class Backlog {
  private readonly handled: Int32Array;
  private forwarded = 0;
  /** The main thread's rate, smoothed over a few samples; 0 until measured. */
  private rate = 0;
  private sampledAt: number | null = null;
  private sampledHandled = 0;
  private limit = MIN_BACKLOG;

  constructor(progress: SharedArrayBuffer) {
    this.handled = new Int32Array(progress);
  }

  static create(): SharedArrayBuffer {
    return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  }

  /** Datagrams forwarded that the main thread may still be behind by. */
  get maxBacklog(): number {
    return this.limit;
  }

  /** Worker: true while there is room for a datagram received at `now` (then counted forwarded). */
  admit(now: number): boolean {
    const handled = Atomics.load(this.handled, 0);
    if (this.sampledAt === null) {
      this.sampledAt = now;
      this.sampledHandled = handled;
    } else if (now - this.sampledAt >= RATE_SAMPLE_MS) {
      const perSecond = (((handled - this.sampledHandled) | 0) * 1000) / (now - this.sampledAt);
      this.rate = this.rate === 0 ? perSecond : 0.7 * this.rate + 0.3 * perSecond;
      this.limit = Math.min(MAX_BACKLOG, Math.max(MIN_BACKLOG, (this.rate * MAX_BACKLOG_MS) / 1000));
      this.sampledAt = now;
      this.sampledHandled = handled;
    }
    if (((this.forwarded - handled) | 0) >= this.limit) return false;
    this.forwarded = (this.forwarded + 1) | 0;
    return true;
  }

  /** Main thread: `count` more datagrams handled. */
  handledMore(count: number): void {
    Atomics.add(this.handled, 0, count);
  }
}

/** Main → worker. */
export type ToUdpWorker =
  /**
   * The gateways whose PUSH_DATA the worker acknowledges itself (PULL_DATA: the main thread).
   * `reset` replaces the set (start, restart); otherwise `add`/`remove` are changes.
   */
  | { type: 'accepted'; reset: boolean; add: string[]; remove: string[]; allowUnknown: boolean }
  /** A datagram to send; `id` > 0 asks for a `sent` reply once the kernel has it (PULL_RESP). */
  | { type: 'send'; id: number; datagram: Uint8Array; address: string; port: number }
  | { type: 'close' };

/** Worker → main. */
export type FromUdpWorker =
  | { type: 'listening'; port: number }
  | { type: 'bindError'; message: string }
  /** An error of the bound socket (it stays open), for the main thread's log. */
  | { type: 'socketError'; message: string }
  | DatagramBatch
  /**
   * The socket is closed and every datagram received before has been posted; `dropped`
   * uplinks were still in their dedup window and were not handed over.
   */
  | { type: 'closed'; dropped: number };

/** What the worker makes of a datagram before forwarding it (AckPolicy.judge). */
export interface Judgement {
  /** The PUSH_ACK to send at once, or null. */
  ack: Buffer | null;
  /** With the ack: the PUSH_DATA's header and JSON object, for the worker to decode (worker-handover.ts). */
  pushData: { header: DatagramHeader; body: Record<string, unknown> } | null;
}

const NOTHING: Judgement = { ack: null, pushData: null };

/**
 * The worker's share of the acknowledgement rules of GatewayBridgeService, for the same
 * inputs the same answer: PUSH_DATA whose header parses and whose body is a JSON object
 * (PROTOCOL.TXT §3.2), and PULL_DATA (§5.2), from a gateway the main thread accepts.
 * Anything else gets no answer here; the main thread still sees it and decides.
 */
export class AckPolicy {
  private accepted = new Set<string>();
  private allowUnknown = false;

  apply(msg: Extract<ToUdpWorker, { type: 'accepted' }>): void {
    if (msg.reset) this.accepted = new Set(msg.add);
    else for (const id of msg.add) this.accepted.add(id);
    for (const id of msg.remove) this.accepted.delete(id);
    this.allowUnknown = msg.allowUnknown;
  }

  accepts(gatewayId: string): boolean {
    return this.allowUnknown || this.accepted.has(gatewayId);
  }

  /** The PUSH_ACK to send at once, with the PUSH_DATA parsed so far. Never throws. */
  judge(msg: Buffer): Judgement {
    const header = parseHeader(msg);
    if (!header.ok) return NOTHING;
    const h = header.value;
    // PULL_DATA is left to the main thread: its PULL_ACK then means the server knows the gateway's
    // new pull address (NAT rebinding), so a PULL_RESP right after it goes to the right port. One
    // PULL_DATA per gateway every few seconds costs the main thread nothing.
    if (h.type !== PacketType.PUSH_DATA || !this.accepts(h.gatewayId!)) return NOTHING;
    // The same check the main thread makes before its PUSH_ACK: a body that is no JSON object gets none.
    const body = parseJsonObject(msg, GATEWAY_HEADER_LENGTH);
    if (!body.ok) return NOTHING;
    return { ack: encodePushAck(h.version, h.token), pushData: { header: h, body: body.value } };
  }
}
