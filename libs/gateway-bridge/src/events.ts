import { GatewayStat, RxPacket, TxAckError, TxAckWarning } from './semtech-udp';

/** One radio packet a gateway received: one event per rxpk, copies from several gateways arrive apart. */
export interface UplinkReceived extends RxPacket {
  /** Server clock (ms since the epoch) when the datagram arrived. */
  receivedAt: number;
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
    'gateway.stats': GatewayStatsReceived;
    'downlink.txack': DownlinkTxAck;
  }
}
