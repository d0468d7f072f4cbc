import { Injectable } from '@nestjs/common';
import { DelayHistogram, PUBLISH_DELAY_BOUNDS_MS } from '../delay-histogram';

/** Copies per deduplicated uplink: 1, 2, 3, 4, and 5 or more. */
export type DedupSizeBucket = '1' | '2' | '3' | '4' | '5+';

export interface UplinkCounters {
  /** Every gateway's copy: 'uplink.received' events, and what the UDP worker's dedup reports. */
  copies: number;
  /** Uplinks after deduplication. */
  deduplicated: number;
  /** Copies that arrived after the window, within the cooldown, dropped. */
  lateCopies: number;
  /** New PHYPayloads refused because the dedup map was full. */
  dedupOverflow: number;
  /** Deduplicated uplinks by number of copies. */
  dedupSizes: Record<DedupSizeBucket, number>;
  /** Copies in all deduplicated uplinks (the sum of the dedup sizes, for the metrics histogram). */
  dedupCopies: number;
  joinRequests: number;
  rejoinRequests: number;
  /** Join/rejoin-requests dropped: no join handler, or a rejoin of a 1.0 device. */
  joinDropped: number;
  dataUplinks: number;
  /** MTypes a network server does not take (downlinks, join-accepts, proprietary), and Major ≠ 0. */
  otherMTypes: number;
  /** Frames that do not decode. */
  malformed: number;
  /** No session has the frame's DevAddr. */
  unknownDevAddr: number;
  /** Data frames no session's MIC verified. */
  micFailures: number;
  /** MIC computations (several per frame when sessions share a DevAddr). */
  micAttempts: number;
  /** Frames whose DevAddr had more candidate sessions than MAX_MIC_ATTEMPTS allows to try. */
  micAttemptLimit: number;
  /** Authentic frames with an old counter (UPLINK_F_CNT_REPLAY). */
  replays: number;
  /** Repetitions of the last frame (NbTrans, unacknowledged confirmed uplinks). */
  retransmissions: number;
  /** Counter jumps beyond MAX_FCNT_GAP (LoRaWAN < 1.0.4). */
  fCntGapRefused: number;
  /** Uplinks accepted and published. */
  accepted: number;
  /** Of those, the ones verified and committed on their first copy, while their window ran (checkEarly). */
  checkedEarly: number;
  /** Uplinks whose session could not be committed: not published. */
  persistFailures: number;
}

export interface DownlinkCounters {
  /** Downlink decisions that produced a frame. */
  frames: number;
  /** Class A frames that waited for a commit of their own FCntDown (the uplink's had not reserved it). */
  fCntDownCommits: number;
  rx1: number;
  rx2: number;
  classC: number;
  joinAccepts: number;
  /** TX_ACK without error (or a protocol-1 gateway's silence). */
  txOk: number;
  /** TX_ACK errors by code, e.g. { TOO_LATE: 1 }. */
  txErrors: Record<string, number>;
  /** sendDownlink refused (gateway not connected, bad txpk, socket). */
  sendErrors: number;
  /** The same, by the bridge's DownlinkErrorCode, e.g. { GATEWAY_NOT_CONNECTED: 1 }. */
  sendErrorCodes: Record<string, number>;
  /** Windows passed over because their time had come before the frame could be sent. */
  windowsMissed: number;
  /** No TX_ACK within the wait; counted as sent. */
  txAckTimeouts: number;
  /** No gateway available (none connected, all over their duty-cycle budget, RX2 missed). */
  noGateway: number;
  /** Frames never transmitted after every window was tried. */
  failed: number;
  /** Queue items: expired, too large, stale AS counter, acknowledged, not acknowledged. */
  expired: number;
  payloadTooLarge: number;
  staleFCntDown: number;
  acknowledged: number;
  notAcknowledged: number;
}

/** Plain counters of the network server, for the stats route and, later, metrics. */
@Injectable()
export class NetworkCounters {
  readonly uplink: UplinkCounters = {
    copies: 0,
    deduplicated: 0,
    lateCopies: 0,
    dedupOverflow: 0,
    dedupSizes: { '1': 0, '2': 0, '3': 0, '4': 0, '5+': 0 },
    dedupCopies: 0,
    joinRequests: 0,
    rejoinRequests: 0,
    joinDropped: 0,
    dataUplinks: 0,
    otherMTypes: 0,
    malformed: 0,
    unknownDevAddr: 0,
    micFailures: 0,
    micAttempts: 0,
    micAttemptLimit: 0,
    replays: 0,
    retransmissions: 0,
    fCntGapRefused: 0,
    accepted: 0,
    checkedEarly: 0,
    persistFailures: 0,
  };

  readonly downlink: DownlinkCounters = {
    frames: 0,
    fCntDownCommits: 0,
    rx1: 0,
    rx2: 0,
    classC: 0,
    joinAccepts: 0,
    txOk: 0,
    txErrors: {},
    sendErrors: 0,
    sendErrorCodes: {},
    windowsMissed: 0,
    txAckTimeouts: 0,
    noGateway: 0,
    failed: 0,
    expired: 0,
    payloadTooLarge: 0,
    staleFCntDown: 0,
    acknowledged: 0,
    notAcknowledged: 0,
  };

  /** Data uplinks: dedup window due → `up` event published. */
  readonly publishDelay = new DelayHistogram(PUBLISH_DELAY_BOUNDS_MS);
  /** The first part of publishDelay: dedup window due → closed (a busy event loop). */
  readonly windowCloseDelay = new DelayHistogram(PUBLISH_DELAY_BOUNDS_MS);
  /** The other large part: session marked → committed (its group commit gathering, queueing and writing). */
  readonly commitWait = new DelayHistogram(PUBLISH_DELAY_BOUNDS_MS);

  dedupSize(copies: number): void {
    const bucket: DedupSizeBucket = copies >= 5 ? '5+' : (String(copies) as DedupSizeBucket);
    this.uplink.dedupSizes[bucket]++;
    this.uplink.dedupCopies += copies;
  }

  txError(code: string): void {
    this.downlink.txErrors[code] = (this.downlink.txErrors[code] ?? 0) + 1;
  }

  sendErrorCode(code: string): void {
    this.downlink.sendErrorCodes[code] = (this.downlink.sendErrorCodes[code] ?? 0) + 1;
  }

  /** A deep copy, for JSON. */
  snapshot(): { uplink: UplinkCounters; downlink: DownlinkCounters } {
    return structuredClone({ uplink: this.uplink, downlink: this.downlink });
  }
}
