import { Txpk } from '../semtech-udp';

/** What the network server asks the bridge to send. */
export interface DownlinkRequest {
  /** EUI, 16 hex digits. */
  gatewayId: string;
  /** The caller's id, returned in the `downlink.txack` event. */
  downlinkId: string;
  /**
   * The radio packet. Class A: `tmst` = classATimestamp(uplink rx.tmst, RX delay µs),
   * i.e. (tmst + delay) mod 2^32. Class C: `imme: true`.
   */
  txpk: Txpk;
}

export interface DownlinkSent {
  /** The PULL_RESP token (0 under protocol version 1). */
  token: number;
  /** False for protocol version 1 gateways, which send no TX_ACK. */
  txAckExpected: boolean;
}

export type DownlinkErrorCode =
  | 'GATEWAY_NOT_CONNECTED' // unknown gateway, or no PULL_DATA within CONNECTED_WITHIN_MS
  | 'INVALID_TXPK' // the txpk cannot be encoded; `field` names the culprit
  | 'SEND_FAILED'; // the socket refused the datagram

export class DownlinkError extends Error {
  constructor(
    readonly code: DownlinkErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DownlinkError';
  }
}
