import { DeduplicatedUplink, FirstCopy, UplinkReceived } from './dedup/deduplicated-uplink';
import { GatewayStat, TxAckError, TxAckWarning } from './semtech-udp';

export type { DeduplicatedUplink, FirstCopy, UplinkReceived } from './dedup/deduplicated-uplink';

/** What the UDP worker's deduplication did since its last report (its counters are the network server's). */
export interface UplinkDedupReport {
  /** Copies taken in (every gateway's rxpk). */
  copies: number;
  /** Copies after their window, dropped. */
  late: number;
  /** New PHYPayloads refused: the dedup map was full. */
  overflow: number;
  /** Distinct PHYPayloads the worker holds now (collecting or cooling down). */
  size: number;
}

/** A gateway's status report (PUSH_DATA `stat`). */
export interface GatewayStatsReceived {
  gatewayId: string;
  stat: GatewayStat;
  receivedAt: number;
}

/** The gateway's answer to a PULL_RESP (TX_ACK, protocol version 2 only). */
export interface DownlinkTxAck {
  gatewayId: string;
  /** The id the caller gave sendDownlink(). */
  downlinkId: string;
  /** The PULL_RESP token the TX_ACK echoed. */
  token: number;
  error: TxAckError;
  /** The gateway's own word when `error` is UNKNOWN. */
  rawError?: string;
  warning?: TxAckWarning;
  receivedAt: number;
}

declare module '@lns/event-bus' {
  interface EventMap {
    'uplink.received': UplinkReceived;
    /** An uplink the UDP worker deduplicated: its copies never came one by one as 'uplink.received'. */
    'uplink.deduplicated': DeduplicatedUplink;
    /** The first copy of an uplink the UDP worker is deduplicating; its 'uplink.deduplicated' follows with the same id. */
    'uplink.first': FirstCopy;
    'uplink.dedup.report': UplinkDedupReport;
    'gateway.stats': GatewayStatsReceived;
    'downlink.txack': DownlinkTxAck;
  }
}
