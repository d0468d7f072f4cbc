/*
 * The messages between the main thread and the UDP worker (udp-worker.ts), and the two
 * pure parts of the worker: which datagrams it acknowledges itself, and how received
 * datagrams travel to the main thread in batches. No thread, no socket here: testable alone.
 *
 * Relative imports only: the worker loads this file without the @lns/* path mapping.
 */
import { encodePushAck } from '../semtech-udp/acks';
import { parseHeader } from '../semtech-udp/header';
import { parseJsonObject } from '../semtech-udp/json-body';
import { GATEWAY_HEADER_LENGTH, PacketType } from '../semtech-udp/packet-type';

/** Given to the worker at start (workerData). */
export interface UdpWorkerData {
  host: string;
  port: number;
  recvBufferSize: number;
  /** Int32 [0]: datagrams the main thread has handled, wrapping (see Backlog). */
  progress: SharedArrayBuffer;
  /** Int32 [0]: 1 while new PUSH_DATA are refused (IntakeGuard). */
  intake: SharedArrayBuffer;
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
  /** The socket is closed and every datagram received before has been posted. */
  | { type: 'closed' };

/** Fields of `DatagramBatch.meta`, per datagram. */
export const META_FIELDS = 4;
const META_LENGTH = 0;
const META_PORT = 1;
const META_RECEIVED_AT = 2;
const META_ACKED = 3;

/**
 * What the worker received during one event-loop turn, and the outcome of the sends the
 * main thread asked a reply for. One postMessage: `bytes` and `meta` are transferred, not
 * copied; only `addresses` (short strings) and `sent` are cloned.
 */
export interface DatagramBatch {
  type: 'batch';
  /** The datagrams, end to end. */
  bytes: ArrayBuffer;
  /** META_FIELDS numbers per datagram: length, sender port, receivedAt (ms), 1 when acked. */
  meta: Float64Array;
  /** Sender address per datagram. */
  addresses: string[];
  /** [id, error message or null] per finished send. */
  sent: Array<[number, string | null]>;
  /** Datagrams dropped unanswered since the last batch: the main thread was too far behind (Backlog). */
  dropped: number;
  /** PUSH_DATA refused unanswered since the last batch: uplinks were published late (IntakeGuard). */
  refused: number;
}

/** One datagram of a batch, as the main thread handles it. */
export interface ReceivedDatagram {
  /** A view into the batch's bytes, not a copy. */
  msg: Buffer;
  address: string;
  port: number;
  receivedAt: number;
  /** True when the worker already answered it (PUSH_ACK or PULL_ACK). */
  acked: boolean;
}

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

  /** The PUSH_ACK or PULL_ACK to send at once, or null. Never throws. */
  ackFor(msg: Buffer): Buffer | null {
    const header = parseHeader(msg);
    if (!header.ok) return null;
    const h = header.value;
    // PULL_DATA is left to the main thread: its PULL_ACK then means the server knows the gateway's
    // new pull address (NAT rebinding), so a PULL_RESP right after it goes to the right port. One
    // PULL_DATA per gateway every few seconds costs the main thread nothing.
    if (h.type !== PacketType.PUSH_DATA || !this.accepts(h.gatewayId!)) return null;
    // The same check the main thread makes before its PUSH_ACK: a body that is no JSON object gets none.
    return parseJsonObject(msg, GATEWAY_HEADER_LENGTH).ok ? encodePushAck(h.version, h.token) : null;
  }
}

/** Collects datagrams in the worker and packs them into one DatagramBatch. */
export class DatagramBatcher {
  private msgs: Buffer[] = [];
  private addresses: string[] = [];
  private numbers: number[] = [];
  private sent: Array<[number, string | null]> = [];
  private byteLength = 0;
  private dropped = 0;
  private refused = 0;

  get empty(): boolean {
    return this.msgs.length === 0 && this.sent.length === 0 && this.dropped === 0 && this.refused === 0;
  }

  addDropped(): void {
    this.dropped++;
  }

  addRefused(): void {
    this.refused++;
  }

  add(msg: Buffer, address: string, port: number, receivedAt: number, acked: boolean): void {
    this.msgs.push(msg);
    this.addresses.push(address);
    this.numbers.push(msg.length, port, receivedAt, acked ? 1 : 0);
    this.byteLength += msg.length;
  }

  addSent(id: number, error: string | null): void {
    this.sent.push([id, error]);
  }

  /** The batch and its transfer list; the batcher starts empty again. */
  take(): { batch: DatagramBatch; transfer: ArrayBuffer[] } {
    const bytes = new Uint8Array(this.byteLength);
    let offset = 0;
    for (const m of this.msgs) {
      bytes.set(m, offset);
      offset += m.length;
    }
    const batch: DatagramBatch = {
      type: 'batch',
      bytes: bytes.buffer,
      meta: Float64Array.from(this.numbers),
      addresses: this.addresses,
      sent: this.sent,
      dropped: this.dropped,
      refused: this.refused,
    };
    this.msgs = [];
    this.addresses = [];
    this.numbers = [];
    this.sent = [];
    this.byteLength = 0;
    this.dropped = 0;
    this.refused = 0;
    return { batch, transfer: [batch.bytes, batch.meta.buffer as ArrayBuffer] };
  }
}

/** The datagrams of a batch in the order received. */
export function* unpackBatch(batch: DatagramBatch): Generator<ReceivedDatagram> {
  const { bytes, meta, addresses } = batch;
  let offset = 0;
  for (let i = 0; i < addresses.length; i++) {
    const m = i * META_FIELDS;
    const length = meta[m + META_LENGTH];
    yield {
      msg: Buffer.from(bytes, offset, length),
      address: addresses[i],
      port: meta[m + META_PORT],
      receivedAt: meta[m + META_RECEIVED_AT],
      acked: meta[m + META_ACKED] === 1,
    };
    offset += length;
  }
}
