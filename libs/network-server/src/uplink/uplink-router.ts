import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { DataUpFrame, decodePhyPayload, LorawanError, MType, PhyPayload } from '@lns/lorawan';
import { JoinRequestHandler } from '../join/join-request-handler';
import { DataUplinkHandler } from './data-uplink.handler';
import { HandOverQueue } from './hand-over-queue';
import { DeduplicatedUplink, Deduplicator, FirstCopy } from '@lns/gateway-bridge';
import { NetworkCounters } from './network-counters';

/**
 * The entry of the network server: every 'uplink.received' copy goes through the Deduplicator
 * (the UDP worker deduplicates what it receives itself: its 'uplink.deduplicated' come here
 * whole), and each deduplicated uplink is routed by MType (L11 §4.2.1): join- and rejoin-requests to the
 * JoinRequestHandler (when a join server is wired in), data uplinks to the data pipeline.
 * Anything else a gateway may hear (downlinks of other networks, join-accepts, proprietary
 * frames, Major ≠ 0) is counted and dropped.
 *
 * The first copy of a data uplink goes to the data pipeline as its window opens
 * ('uplink.first', or the Deduplicator's `onFirst`): it verifies the frame and commits its
 * counter while the window runs (DataUplinkHandler.checkEarly).
 */
@Injectable()
export class UplinkRouter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Uplink');
  private dedup!: Deduplicator;
  private offs: Array<() => void> = [];
  /**
   * Uplinks from the worker, in the order it sent them, and first copies when none waits. The
   * network server gets an uplink when it routes it: that is its `windowClosedAt`.
   */
  private readonly fromWorker = new HandOverQueue<DeduplicatedUplink | FirstCopy>((item) => {
    if ('copy' in item) return this.routeFirst(item);
    item.windowClosedAt = Date.now();
    this.route(item);
  });
  /** Distinct PHYPayloads the UDP worker's deduplication holds, at its last report. */
  private workerDedupSize = 0;

  constructor(
    @Inject(LNS_CONFIG) private readonly config: LnsConfig,
    private readonly bus: EventBus,
    private readonly data: DataUplinkHandler,
    private readonly counters: NetworkCounters,
    @Optional() private readonly joins?: JoinRequestHandler,
  ) {}

  onModuleInit(): void {
    this.dedup = new Deduplicator(
      { windowMs: this.config.dedup.windowMs, cooldownMs: this.config.dedup.cooldownMs },
      (uplink) => this.route(uplink),
      (first) => this.routeFirst(first),
    );
    const c = this.counters.uplink;
    this.offs = [
      this.bus.on('uplink.received', (copy) => {
        c.copies++;
        const outcome = this.dedup.add(copy);
        if (outcome === 'late') c.lateCopies++;
        else if (outcome === 'overflow') c.dedupOverflow++;
      }),
      // Deduplicated in the UDP worker already (the default): counted there, routed here, sliced.
      // Its window still runs: it may wait for the uplinks whose window closed.
      this.bus.on('uplink.first', (first) => this.fromWorker.pushSpare(first)),
      this.bus.on('uplink.deduplicated', (uplink) => this.fromWorker.push(uplink)),
      this.bus.on('uplink.dedup.report', (report) => {
        c.copies += report.copies;
        c.lateCopies += report.late;
        c.dedupOverflow += report.overflow;
        this.workerDedupSize = report.size;
      }),
    ];
  }

  onModuleDestroy(): void {
    for (const off of this.offs) off();
    const dropped = (this.dedup?.stop() ?? 0) + this.fromWorker.stop();
    if (dropped > 0)
      this.logger.warn(`${dropped} uplinks still in their dedup window at shutdown were not handled`);
  }

  /** Distinct PHYPayloads in the dedup window or cooldown, here and in the UDP worker. */
  get dedupSize(): number {
    return (this.dedup?.size ?? 0) + this.workerDedupSize;
  }

  route(uplink: DeduplicatedUplink): void {
    const c = this.counters.uplink;
    c.deduplicated++;
    this.counters.dedupSize(uplink.copies.length);
    const mType = mTypeOf(uplink.phyPayload);
    switch (mType) {
      case MType.JoinRequest:
      case MType.RejoinRequest:
      case MType.UnconfirmedDataUp:
      case MType.ConfirmedDataUp:
        break;
      default:
        c.otherMTypes++;
        return;
    }
    let frame: PhyPayload;
    try {
      frame = decodePhyPayload(uplink.phyPayload);
    } catch (err) {
      if (!(err instanceof LorawanError)) throw err;
      c.malformed++;
      return;
    }
    switch (frame.mType) {
      case MType.JoinRequest:
        c.joinRequests++;
        if (!this.joins) return void c.joinDropped++;
        return this.run(uplink, this.joins.handleJoinRequest(uplink, frame));
      case MType.RejoinRequest:
        c.rejoinRequests++;
        if (!this.joins) return void c.joinDropped++;
        return this.run(uplink, this.joins.handleRejoinRequest(uplink, frame));
      case MType.UnconfirmedDataUp:
      case MType.ConfirmedDataUp:
        c.dataUplinks++;
        return this.run(uplink, this.data.handle(uplink, frame));
    }
  }

  /**
   * A data uplink's first copy, checked while its window runs. Anything else waits for the
   * window's end, and so does whatever this check does not accept (route handles it then).
   */
  routeFirst(first: FirstCopy): void {
    // Its window closed meanwhile (this thread is behind): the uplink comes next, checked in full.
    if (Date.now() >= first.windowDueAt) return;
    const phyPayload = first.copy.phyPayload;
    const mType = mTypeOf(phyPayload);
    if (mType !== MType.UnconfirmedDataUp && mType !== MType.ConfirmedDataUp) return;
    try {
      this.data.checkEarly(first, decodePhyPayload(phyPayload) as DataUpFrame);
    } catch (err) {
      // A frame that does not decode is counted when its window closes (route); a failure of the
      // check is logged. Either way the uplink is handled in full when its window closes.
      if (err instanceof LorawanError) return;
      this.logger.error(
        `uplink ${first.deduplicationId}, early check: ${err instanceof Error ? err.stack : String(err)}`,
      );
    }
  }

  /** A handler's failure is logged and ends there: the next uplink is not affected. */
  private run(uplink: DeduplicatedUplink, work: Promise<void>): void {
    work.catch((err: unknown) =>
      this.logger.error(
        `uplink ${uplink.deduplicationId}: ${err instanceof Error ? err.stack : String(err)}`,
      ),
    );
  }
}

/** The MType of a PHYPayload by its MHDR; undefined when empty or not LoRaWAN R1 (Major ≠ 0, L11 §4.2.2: dropped). */
function mTypeOf(phyPayload: Buffer): MType | undefined {
  const mhdr = phyPayload[0];
  if (mhdr === undefined || (mhdr & 0x03) !== 0) return undefined;
  return (mhdr >>> 5) as MType;
}
