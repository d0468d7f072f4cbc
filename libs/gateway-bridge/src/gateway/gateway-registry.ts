import { Injectable } from '@nestjs/common';
import { emptyCounters, GatewayState, UdpAddress } from './gateway-state';

/** Counters of the bridge as a whole, for datagrams no gateway can be charged with. */
export interface BridgeCounters {
  /** Every datagram received on the UDP port. */
  datagrams: number;
  /** Datagrams refused for their form or content (including those also counted per gateway). */
  malformed: number;
  /** Datagrams from gateways that are not registered (and not accepted by allowUnknown). */
  unknownGatewayDatagrams: number;
  /** TX_ACK whose token matches no pending PULL_RESP (late, duplicated or forged). */
  txAckUnmatched: number;
  /** PULL_RESP whose TX_ACK never came within the wait. */
  txAckMissing: number;
}

export interface UnknownGateway {
  gatewayId: string;
  firstSeenAt: number;
  lastSeenAt: number;
  datagrams: number;
  lastAddress: UdpAddress;
}

/**
 * Distinct unknown EUIs remembered (for the log-once rule and the stats route). Past it
 * new EUIs are still counted but neither logged nor listed: random EUIs must not grow
 * memory or the log without bound.
 */
export const MAX_UNKNOWN_TRACKED = 1000;
/** Unregistered gateways let in by allowUnknown, for the same reason. */
export const MAX_UNREGISTERED = 10_000;

/** The in-memory table of gateways, keyed by EUI (16 lowercase hex digits). No I/O. */
@Injectable()
export class GatewayRegistry {
  private readonly gateways = new Map<string, GatewayState>();
  private readonly unknown = new Map<string, UnknownGateway>();
  private unregisteredCount = 0;
  readonly counters: BridgeCounters = {
    datagrams: 0,
    malformed: 0,
    unknownGatewayDatagrams: 0,
    txAckUnmatched: 0,
    txAckMissing: 0,
  };

  /**
   * Called when a gateway enters or leaves the table (not when its entry is replaced):
   * the UDP worker acknowledges the datagrams of the gateways in it by itself.
   */
  onMembership: ((gatewayId: string, present: boolean) => void) | undefined;

  /** False once allowUnknown may let no further gateway in (MAX_UNREGISTERED). */
  get roomForUnregistered(): boolean {
    return this.unregisteredCount < MAX_UNREGISTERED;
  }

  get(gatewayId: string): GatewayState | undefined {
    return this.gateways.get(gatewayId);
  }

  /** Unordered, for the write-behind. */
  all(): IterableIterator<GatewayState> {
    return this.gateways.values();
  }

  list(): GatewayState[] {
    return [...this.gateways.values()].sort((a, b) => a.gatewayId.localeCompare(b.gatewayId));
  }

  /** Adds or replaces a gateway; a registered one stops being unknown. */
  put(gw: GatewayState): void {
    const previous = this.gateways.get(gw.gatewayId);
    if (previous && !previous.registered) this.unregisteredCount--;
    if (!gw.registered) this.unregisteredCount++;
    this.gateways.set(gw.gatewayId, gw);
    if (gw.registered) this.unknown.delete(gw.gatewayId);
    if (!previous) this.onMembership?.(gw.gatewayId, true);
  }

  remove(gatewayId: string): GatewayState | undefined {
    const gw = this.gateways.get(gatewayId);
    if (!gw) return undefined;
    this.gateways.delete(gatewayId);
    if (!gw.registered) this.unregisteredCount--;
    this.onMembership?.(gatewayId, false);
    return gw;
  }

  /** An in-memory entry for a gateway let in by `gateways.allowUnknown`; undefined when full. */
  addUnregistered(gatewayId: string, now: number): GatewayState | undefined {
    if (!this.roomForUnregistered) return undefined;
    const gw = newGatewayState(gatewayId, '', null, new Date(now), false);
    this.put(gw);
    return gw;
  }

  /**
   * Counts a datagram from an unknown gateway. True the first time this EUI is seen,
   * so that the caller logs it once and then stays quiet.
   */
  noteUnknown(gatewayId: string, from: UdpAddress, now: number): boolean {
    this.counters.unknownGatewayDatagrams++;
    const seen = this.unknown.get(gatewayId);
    if (seen) {
      seen.datagrams++;
      seen.lastSeenAt = now;
      seen.lastAddress = from;
      return false;
    }
    if (this.unknown.size >= MAX_UNKNOWN_TRACKED) return false;
    this.unknown.set(gatewayId, {
      gatewayId,
      firstSeenAt: now,
      lastSeenAt: now,
      datagrams: 1,
      lastAddress: from,
    });
    return true;
  }

  unknownGateways(): UnknownGateway[] {
    return [...this.unknown.values()].sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }
}

export function newGatewayState(
  gatewayId: string,
  name: string,
  region: string | null,
  createdAt: Date,
  registered: boolean,
): GatewayState {
  return {
    gatewayId,
    name,
    region,
    createdAt,
    registered,
    lastSeenAt: null,
    location: null,
    protocolVersion: null,
    pullAddress: null,
    lastPullAt: null,
    lastStat: null,
    counters: emptyCounters(),
    dirty: false,
  };
}
