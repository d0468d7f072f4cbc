/*
 * How what the UDP worker received travels to the main thread: one DatagramBatch per worker
 * event-loop turn. Pure: no thread, no socket here, testable alone.
 *
 * Relative imports only: the worker loads this file without the @lns/* path mapping.
 */
import { DeduplicatedUplink, FirstCopy } from '../dedup/deduplicated-uplink';
import { PacketType, ProtocolVersion } from '../semtech-udp/packet-type';
import { COPY_TEXTS, packCopy, unpackCopy, WorkerPushData } from './worker-handover';

/**
 * Fields of `DatagramBatch.meta`, per item: a datagram, a PUSH_DATA the worker decoded, the
 * first copy of an uplink its deduplication opened a window for, or an uplink it deduplicated.
 */
export const META_FIELDS = 10;
const KIND = 0;
/** Bytes of the item in `DatagramBatch.bytes`: the datagram, or the uplink's PHYPayload; 0 for a PUSH_DATA. */
const LENGTH = 1;
const PORT = 2;
/** When the socket had it; an uplink's first copy. */
const RECEIVED_AT = 3;
const ACKED = 4;
/** PUSH_DATA: version, token, rxpk count, bad CRC, good packets. Uplink and first copy: window due, copies. */
const A = 5;
const B = 6;
const C = 7;
const D = 8;
const E = 9;
const KIND_DATAGRAM = 0;
const KIND_PUSH_DATA = 1;
const KIND_UPLINK = 2;
const KIND_FIRST_COPY = 3;

/** What a decoded PUSH_DATA seldom has: refused rxpk, a status report. */
type PushDataNotes = Pick<WorkerPushData, 'rejected' | 'stat' | 'statError'>;

/**
 * What the worker received during one event-loop turn, the uplinks its deduplication handed
 * over, and the outcome of the sends the main thread asked a reply for. One postMessage:
 * `bytes`, `meta` and `copies` are transferred, not copied; the strings and the rest are cloned.
 */
export interface DatagramBatch {
  type: 'batch';
  /** Per item, end to end: a datagram's bytes, an uplink's PHYPayload. */
  bytes: ArrayBuffer;
  /** META_FIELDS numbers per item. */
  meta: Float64Array;
  /** Sender address per item ('' for an uplink). */
  addresses: string[];
  /** COPY_FIELDS numbers per copy of the uplinks (worker-handover.ts). */
  copies: Float64Array;
  /** Per PUSH_DATA its gateway id; per uplink and first copy its deduplication id, then COPY_TEXTS per copy. */
  texts: string[];
  /** [item index, notes] of the PUSH_DATA that carry any. */
  notes: Array<[number, PushDataNotes]>;
  /** The worker's deduplication since the last batch: copies, late, overflow; and its size now. */
  dedup: [number, number, number, number];
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

/** A PUSH_DATA the worker acknowledged and decoded; its packets went to the worker's deduplication. */
export interface ReceivedPushData {
  kind: 'pushData';
  push: WorkerPushData;
  address: string;
  port: number;
  receivedAt: number;
}

/** An uplink the worker deduplicated. */
export interface ReceivedUplink {
  kind: 'uplink';
  uplink: DeduplicatedUplink;
}

/** The first copy of an uplink the worker's deduplication is collecting. */
export interface ReceivedFirstCopy {
  kind: 'firstCopy';
  first: FirstCopy;
}

export type ReceivedItem = ReceivedDatagram | ReceivedPushData | ReceivedFirstCopy | ReceivedUplink;

/** What the worker's deduplication did with one copy (Deduplicator.add). */
export type CopyOutcome = 'first' | 'copy' | 'late' | 'overflow';

/** Collects what the worker has for the main thread and packs it into one DatagramBatch. */
export class DatagramBatcher {
  private msgs: Uint8Array[] = [];
  private addresses: string[] = [];
  private numbers: number[] = [];
  private copies: number[] = [];
  private texts: string[] = [];
  private notes: Array<[number, PushDataNotes]> = [];
  private dedup: [number, number, number] = [0, 0, 0];
  private sent: Array<[number, string | null]> = [];
  private byteLength = 0;
  private dropped = 0;
  private refused = 0;

  get empty(): boolean {
    return (
      this.addresses.length === 0 &&
      this.sent.length === 0 &&
      this.dropped === 0 &&
      this.refused === 0 &&
      this.dedup[0] + this.dedup[1] + this.dedup[2] === 0
    );
  }

  addDropped(): void {
    this.dropped++;
  }

  addRefused(): void {
    this.refused++;
  }

  add(msg: Buffer, address: string, port: number, receivedAt: number, acked: boolean): void {
    this.push(KIND_DATAGRAM, msg, address, port, receivedAt, acked ? 1 : 0, 0, 0, 0, 0, 0);
  }

  /** A PUSH_DATA acknowledged and decoded in the worker: its header and counts, its packets went to the dedup. */
  addPushData(push: WorkerPushData, address: string, port: number, receivedAt: number): void {
    const { header } = push;
    if (push.rejected.length > 0 || push.stat || push.statError) {
      const notes: PushDataNotes = { rejected: push.rejected };
      if (push.stat) notes.stat = push.stat;
      if (push.statError) notes.statError = push.statError;
      this.notes.push([this.addresses.length, notes]);
    }
    this.texts.push(header.gatewayId!);
    const { version, token } = header;
    this.push(
      KIND_PUSH_DATA,
      null,
      address,
      port,
      receivedAt,
      1,
      version,
      token,
      push.rxpkCount,
      push.badCrc,
      push.packets,
    );
  }

  /** The first copy of an uplink whose dedup window just opened in the worker. */
  addFirstCopy(first: FirstCopy): void {
    this.texts.push(first.deduplicationId);
    packCopy(first.copy, this.copies, this.texts);
    const { phyPayload, receivedAt } = first.copy;
    this.push(KIND_FIRST_COPY, phyPayload, '', 0, receivedAt, 0, first.windowDueAt, 1, 0, 0, 0);
  }

  /** An uplink whose dedup window closed in the worker. */
  addUplink(uplink: DeduplicatedUplink): void {
    this.texts.push(uplink.deduplicationId);
    for (const copy of uplink.copies) packCopy(copy, this.copies, this.texts);
    this.push(
      KIND_UPLINK,
      uplink.phyPayload,
      '',
      0,
      uplink.firstReceivedAt,
      0,
      uplink.windowDueAt,
      uplink.copies.length,
      0,
      0,
      0,
    );
  }

  /** What the worker's deduplication did with one copy. */
  countCopy(outcome: CopyOutcome): void {
    this.dedup[0]++;
    if (outcome === 'late') this.dedup[1]++;
    else if (outcome === 'overflow') this.dedup[2]++;
  }

  addSent(id: number, error: string | null): void {
    this.sent.push([id, error]);
  }

  /** The batch and its transfer list, with the dedup's size now; the batcher starts empty again. */
  take(dedupSize = 0): { batch: DatagramBatch; transfer: ArrayBuffer[] } {
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
      copies: Float64Array.from(this.copies),
      texts: this.texts,
      notes: this.notes,
      dedup: [...this.dedup, dedupSize],
      sent: this.sent,
      dropped: this.dropped,
      refused: this.refused,
    };
    this.msgs = [];
    this.addresses = [];
    this.numbers = [];
    this.copies = [];
    this.texts = [];
    this.notes = [];
    this.dedup = [0, 0, 0];
    this.sent = [];
    this.byteLength = 0;
    this.dropped = 0;
    this.refused = 0;
    return {
      batch,
      transfer: [batch.bytes, batch.meta.buffer as ArrayBuffer, batch.copies.buffer as ArrayBuffer],
    };
  }

  private push(
    kind: number,
    bytes: Uint8Array | null,
    address: string,
    port: number,
    receivedAt: number,
    acked: number,
    a: number,
    b: number,
    c: number,
    d: number,
    e: number,
  ): void {
    const length = bytes ? bytes.length : 0;
    if (bytes) this.msgs.push(bytes);
    this.addresses.push(address);
    this.numbers.push(kind, length, port, receivedAt, acked, a, b, c, d, e);
    this.byteLength += length;
  }
}

/** The deduplicated uplinks a batch carries. */
export function uplinksIn(batch: DatagramBatch): number {
  let n = 0;
  for (let m = KIND; m < batch.meta.length; m += META_FIELDS) if (batch.meta[m] === KIND_UPLINK) n++;
  return n;
}

/**
 * The items of a batch in the order received. `now`: when the main thread takes the batch, an
 * uplink's `windowClosedAt` (the network server got it then).
 */
export function* unpackBatch(batch: DatagramBatch, now = Date.now()): Generator<ReceivedItem> {
  const { bytes, meta, addresses, copies, texts } = batch;
  const notes = new Map(batch.notes);
  let offset = 0;
  let row = 0;
  let text = 0;
  for (let i = 0; i < addresses.length; i++) {
    const m = i * META_FIELDS;
    const length = meta[m + LENGTH];
    const kind = meta[m + KIND];
    if (kind === KIND_DATAGRAM) {
      yield {
        kind: 'datagram',
        msg: Buffer.from(bytes, offset, length),
        address: addresses[i],
        port: meta[m + PORT],
        receivedAt: meta[m + RECEIVED_AT],
        acked: meta[m + ACKED] === 1,
      };
    } else if (kind === KIND_PUSH_DATA) {
      const push: WorkerPushData = {
        header: {
          version: meta[m + A] as ProtocolVersion,
          token: meta[m + B],
          type: PacketType.PUSH_DATA,
          gatewayId: texts[text++],
        },
        rxpkCount: meta[m + C],
        badCrc: meta[m + D],
        packets: meta[m + E],
        rejected: [],
      };
      const n = notes.get(i);
      if (n) Object.assign(push, n);
      yield {
        kind: 'pushData',
        push,
        address: addresses[i],
        port: meta[m + PORT],
        receivedAt: meta[m + RECEIVED_AT],
      };
    } else if (kind === KIND_FIRST_COPY) {
      const phyPayload = Buffer.from(new Uint8Array(bytes, offset, length));
      const deduplicationId = texts[text++];
      const copy = unpackCopy(copies, row++, texts, text, phyPayload);
      text += COPY_TEXTS;
      yield { kind: 'firstCopy', first: { deduplicationId, copy, windowDueAt: meta[m + A] } };
    } else {
      // Copied out of the batch: a view would keep the whole batch alive as long as the uplink.
      const phyPayload = Buffer.from(new Uint8Array(bytes, offset, length));
      const deduplicationId = texts[text++];
      const count = meta[m + B];
      const uplinkCopies = new Array<DeduplicatedUplink['copies'][number]>(count);
      for (let k = 0; k < count; k++) {
        uplinkCopies[k] = unpackCopy(copies, row++, texts, text, phyPayload);
        text += COPY_TEXTS;
      }
      yield {
        kind: 'uplink',
        uplink: {
          deduplicationId,
          phyPayload,
          copies: uplinkCopies,
          firstReceivedAt: meta[m + RECEIVED_AT],
          windowDueAt: meta[m + A],
          windowClosedAt: now,
        },
      };
    }
    offset += length;
  }
}
