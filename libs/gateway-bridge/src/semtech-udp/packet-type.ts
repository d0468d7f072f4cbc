/**
 * Byte 3 of every datagram: what it is (PROTOCOL.TXT §3.2-§5.5). PUSH_DATA, PULL_DATA
 * and TX_ACK come from the gateway; PUSH_ACK, PULL_ACK and PULL_RESP from the server.
 */
export const PacketType = {
  PUSH_DATA: 0x00,
  PUSH_ACK: 0x01,
  PULL_DATA: 0x02,
  PULL_RESP: 0x03,
  PULL_ACK: 0x04,
  TX_ACK: 0x05,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

export const PACKET_TYPE_NAMES: Record<PacketType, string> = {
  0: 'PUSH_DATA',
  1: 'PUSH_ACK',
  2: 'PULL_DATA',
  3: 'PULL_RESP',
  4: 'PULL_ACK',
  5: 'TX_ACK',
};

/**
 * Byte 0. Version 1 is packet_forwarder v1.x-v2.x (PROTOCOL.TXT rev 1.0-1.2: no TX_ACK,
 * PULL_RESP bytes 1-2 unused); version 2 is rev 1.3+ (lora_pkt_fwd v3-v4, sx1302_hal:
 * TX_ACK and a random PULL_RESP token). A server answers with the version it received.
 */
export type ProtocolVersion = 1 | 2;

/** version, token (2), identifier. */
export const HEADER_LENGTH = 4;
/** The header plus the 8-byte gateway EUI of PUSH_DATA, PULL_DATA and TX_ACK. */
export const GATEWAY_HEADER_LENGTH = 12;
