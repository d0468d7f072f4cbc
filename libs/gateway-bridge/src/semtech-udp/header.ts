import {
  GATEWAY_HEADER_LENGTH,
  HEADER_LENGTH,
  PACKET_TYPE_NAMES,
  PacketType,
  ProtocolVersion,
} from './packet-type';
import { Decoded, fail, ok } from './semtech-udp-error';

export interface DatagramHeader {
  version: ProtocolVersion;
  /** Bytes 1-2, big-endian. Opaque: the peer only echoes it back. */
  token: number;
  type: PacketType;
  /** Bytes 4-11 (PUSH_DATA, PULL_DATA, TX_ACK only): the gateway EUI, 16 lowercase hex digits. */
  gatewayId?: string;
}

function carriesGatewayId(type: PacketType): boolean {
  return type === PacketType.PUSH_DATA || type === PacketType.PULL_DATA || type === PacketType.TX_ACK;
}

/**
 * The fixed part of any datagram (PROTOCOL.TXT §3.2-§5.5): version, token, identifier,
 * and the gateway EUI where the type has one. Checks every length before reading.
 */
export function parseHeader(buf: Buffer): Decoded<DatagramHeader> {
  if (buf.length < HEADER_LENGTH) {
    return fail('TOO_SHORT', `datagram of ${buf.length} bytes, a header needs ${HEADER_LENGTH}`);
  }
  const version = buf[0];
  if (version !== 1 && version !== 2)
    return fail('BAD_VERSION', `protocol version ${version}, expected 1 or 2`);
  const type = buf[3];
  if (!(type in PACKET_TYPE_NAMES)) return fail('UNKNOWN_TYPE', `unknown identifier 0x${type.toString(16)}`);
  const header: DatagramHeader = { version, token: buf.readUInt16BE(1), type: type as PacketType };
  if (carriesGatewayId(header.type)) {
    if (buf.length < GATEWAY_HEADER_LENGTH) {
      return fail(
        'TOO_SHORT',
        `${PACKET_TYPE_NAMES[header.type]} of ${buf.length} bytes, needs ${GATEWAY_HEADER_LENGTH} (header and gateway EUI)`,
      );
    }
    // The forwarder writes htonl(hi32), htonl(lo32): the EUI is MSB first, as printed.
    header.gatewayId = buf.toString('hex', HEADER_LENGTH, GATEWAY_HEADER_LENGTH);
  }
  return ok(header);
}
