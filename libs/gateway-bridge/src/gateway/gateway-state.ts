import { GatewayLocation, GatewayStat, ProtocolVersion, TxAckError } from '../semtech-udp';

/** Per-gateway counters since registration; persisted with the gateway. */
export interface GatewayCounters {
  /** PUSH_DATA datagrams received. */
  pushData: number;
  /** PULL_DATA datagrams received (keep-alives). */
  pullData: number;
  /** rxpk elements received, whatever became of them. */
  rxReceived: number;
  /** rxpk forwarded as `uplink.received`. */
  rxOk: number;
  /** rxpk with CRC failed (`stat` -1), dropped. */
  rxBadCrc: number;
  /** PULL_RESP sent. */
  txSent: number;
  /** TX_ACK without error. */
  txOk: number;
  /** TX_ACK errors by reason, e.g. { TOO_LATE: 2 }. */
  txErrors: Partial<Record<TxAckError, number>>;
  /** Datagrams, rxpk or stat from this gateway refused for their content. */
  malformed: number;
}

export function emptyCounters(): GatewayCounters {
  return {
    pushData: 0,
    pullData: 0,
    rxReceived: 0,
    rxOk: 0,
    rxBadCrc: 0,
    txSent: 0,
    txOk: 0,
    txErrors: {},
    malformed: 0,
  };
}

export interface UdpAddress {
  address: string;
  port: number;
}

/**
 * Everything the bridge knows of one gateway. Lives in memory and is authoritative on
 * the hot path; the database copy is written behind (GatewayService).
 */
export interface GatewayState {
  gatewayId: string;
  name: string;
  region: string | null;
  createdAt: Date;
  /** False for a gateway accepted only because `gateways.allowUnknown` is on: never persisted. */
  registered: boolean;
  /** ms since the epoch, any datagram. */
  lastSeenAt: number | null;
  location: GatewayLocation | null;
  protocolVersion: ProtocolVersion | null;
  /** Source of the latest PULL_DATA: where PULL_RESP goes (NAT, PROTOCOL.TXT §5.2). */
  pullAddress: UdpAddress | null;
  lastPullAt: number | null;
  lastStat: GatewayStat | null;
  counters: GatewayCounters;
  /** Changed since the last write-behind. */
  dirty: boolean;
}

/**
 * A gateway is connected while its PULL_DATA keep-alives arrive: lora_pkt_fwd sends one
 * every keepalive_interval (10 s in the reference global_conf.json); three missed ones
 * mean its NAT mapping may be gone and a PULL_RESP would be lost.
 */
export const CONNECTED_WITHIN_MS = 30_000;

export function isConnected(gw: GatewayState, now: number): boolean {
  return gw.pullAddress !== null && gw.lastPullAt !== null && now - gw.lastPullAt <= CONNECTED_WITHIN_MS;
}
