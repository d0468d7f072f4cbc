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
import { GATEWAY_HEADER_LENGTH, PacketType, ProtocolVersion } from '../semtech-udp/packet-type';
import { RxPacket } from '../semtech-udp/rxpk';
import { DecodedPushData, packPacket, plainPushData, unpackPacket } from './decoded-push-data';

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

/** Fields of `DatagramBatch.meta`, per item (a datagram, or a PUSH_DATA the worker decoded). */
export const META_FIELDS = 10;
const META_LENGTH = 0;
const META_PORT = 1;
const META_RECEIVED_AT = 2;
const META_ACKED = 3;
/** 0: a datagram (its bytes); 1: a decoded PUSH_DATA (its packets' PHYPayloads, end to end). */
const META_KIND = 4;
const META_VERSION = 5;
const META_TOKEN = 6;
const META_RXPK_COUNT = 7;
const META_BAD_CRC = 8;
const META_PACKETS = 9;
const KIND_DATAGRAM = 0;
const KIND_PUSH_DATA = 1;

/**
 * What the worker received during one event-loop turn, and the outcome of the sends the
 * main thread asked a reply for. One postMessage: `bytes`, `meta` and `packets` are
 * transferred, not copied; only the strings (addresses, gateway ids, times) and `sent` are cloned.
 */
export interface DatagramBatch {
  type: 'batch';
  /** Per item, end to end: a datagram's bytes, or a decoded PUSH_DATA's PHYPayloads. */
  bytes: ArrayBuffer;
  /** META_FIELDS numbers per item: length, sender port, receivedAt (ms), 1 when acked, kind, then a decoded PUSH_DATA's header and counts. */
  meta: Float64Array;
  /** Sender address per item. */
  addresses: string[];
  /** PACKET_FIELDS numbers per packet of the decoded PUSH_DATA (decoded-push-data.ts). */
  packets: Float64Array;
  /** Per decoded PUSH_DATA its gateway id, then two strings per packet (packPacket). */
  texts: string[];
  /** [id, error message or null] per finished send. */
  sent: Array<[number, string | null]>;
  /** Datagrams dropped unanswered since the last batch: the main thread was too far behind (Backlog). */
  dropped: number;
  /** PUSH_DATA refused unanswered since the last batch: uplinks were published late (IntakeGuard). */
  refused: number;
}

/** One datagram of a batch, as the main thread handles it. */
export interface ReceivedDatagram {
  kind: 'datagram';
  /** A view into the batch's bytes, not a copy. */
  msg: Buffer;
  address: string;
  port: number;
  receivedAt: number;
  /** True when the worker already answered it (PUSH_ACK or PULL_ACK). */
  acked: boolean;
}

/** A PUSH_DATA the worker acknowledged and decoded (decoded-push-data.ts). */
export interface ReceivedPushData {
  kind: 'pushData';
  push: DecodedPushData;
  address: string;
  port: number;
  receivedAt: number;
}

export type ReceivedItem = ReceivedDatagram | ReceivedPushData;

/** What the worker makes of a datagram before forwarding it (AckPolicy.judge). */
export interface Judgement {
  /** The PUSH_ACK to send at once, or null. */
  ack: Buffer | null;
  /** Set with the ack when the PUSH_DATA is plain enough to hand over decoded. */
  push: DecodedPushData | null;
}

const NOTHING: Judgement = { ack: null, push: null };

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

  /** The PUSH_ACK to send at once, or null. Never throws. */
  ackFor(msg: Buffer): Buffer | null {
    return this.judge(msg, false).ack;
  }

  /**
   * The PUSH_ACK to send at once, and, with `decode`, the PUSH_DATA decoded when it is plain
   * (decoded-push-data.ts). Never throws.
   */
  judge(msg: Buffer, decode = true): Judgement {
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
    return { ack: encodePushAck(h.version, h.token), push: decode ? plainPushData(h, body.value) : null };
  }
}

/** Collects datagrams in the worker and packs them into one DatagramBatch. */
export class DatagramBatcher {
  private msgs: Buffer[] = [];
  private addresses: string[] = [];
  private numbers: number[] = [];
  private packets: number[] = [];
  private texts: string[] = [];
  private sent: Array<[number, string | null]> = [];
  private byteLength = 0;
  private dropped = 0;
  private refused = 0;

  get empty(): boolean {
    return this.addresses.length === 0 && this.sent.length === 0 && this.dropped === 0 && this.refused === 0;
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
    this.numbers.push(msg.length, port, receivedAt, acked ? 1 : 0, KIND_DATAGRAM, 0, 0, 0, 0, 0);
    this.byteLength += msg.length;
  }

  /** A PUSH_DATA acknowledged and decoded here (AckPolicy.judge): its packets, not its bytes. */
  addPushData(push: DecodedPushData, address: string, port: number, receivedAt: number): void {
    const { header, content } = push;
    let length = 0;
    for (const p of content.packets) {
      packPacket(p, this.packets, this.texts, this.msgs);
      length += p.phyPayload.length;
    }
    this.addresses.push(address);
    this.texts.push(header.gatewayId!);
    this.numbers.push(
      length,
      port,
      receivedAt,
      1,
      KIND_PUSH_DATA,
      header.version,
      header.token,
      content.rxpkCount,
      content.badCrc,
      content.packets.length,
    );
    this.byteLength += length;
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
      packets: Float64Array.from(this.packets),
      texts: this.texts,
      sent: this.sent,
      dropped: this.dropped,
      refused: this.refused,
    };
    this.msgs = [];
    this.addresses = [];
    this.numbers = [];
    this.packets = [];
    this.texts = [];
    this.sent = [];
    this.byteLength = 0;
    this.dropped = 0;
    this.refused = 0;
    return {
      batch,
      transfer: [batch.bytes, batch.meta.buffer as ArrayBuffer, batch.packets.buffer as ArrayBuffer],
    };
  }
}

/** The items of a batch in the order received. */
export function* unpackBatch(batch: DatagramBatch): Generator<ReceivedItem> {
  const { bytes, meta, addresses, packets, texts } = batch;
  let offset = 0;
  let row = 0;
  let text = 0;
  for (let i = 0; i < addresses.length; i++) {
    const m = i * META_FIELDS;
    const length = meta[m + META_LENGTH];
    if (meta[m + META_KIND] === KIND_DATAGRAM) {
      yield {
        kind: 'datagram',
        msg: Buffer.from(bytes, offset, length),
        address: addresses[i],
        port: meta[m + META_PORT],
        receivedAt: meta[m + META_RECEIVED_AT],
        acked: meta[m + META_ACKED] === 1,
      };
      offset += length;
      continue;
    }
    // Packed in addPushData's order: each packet's strings, then the gateway id.
    const count = meta[m + META_PACKETS];
    const gatewayId = texts[text + 2 * count];
    const decoded: RxPacket[] = new Array<RxPacket>(count);
    for (let k = 0; k < count; k++) {
      const p = unpackPacket(gatewayId, packets, row++, texts, text, bytes, offset);
      decoded[k] = p;
      offset += p.phyPayload.length;
      text += 2;
    }
    text++;
    yield {
      kind: 'pushData',
      push: {
        header: {
          version: meta[m + META_VERSION] as ProtocolVersion,
          token: meta[m + META_TOKEN],
          type: PacketType.PUSH_DATA,
          gatewayId,
        },
        content: {
          packets: decoded,
          rxpkCount: meta[m + META_RXPK_COUNT],
          badCrc: meta[m + META_BAD_CRC],
          rejected: [],
        },
      },
      address: addresses[i],
      port: meta[m + META_PORT],
      receivedAt: meta[m + META_RECEIVED_AT],
    };
  }
}
