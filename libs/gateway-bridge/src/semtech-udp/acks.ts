import { HEADER_LENGTH, PacketType, ProtocolVersion } from './packet-type';

function encodeAck(version: ProtocolVersion, token: number, type: PacketType): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_LENGTH);
  buf[0] = version;
  buf.writeUInt16BE(token, 1);
  buf[3] = type;
  return buf;
}

/** PUSH_ACK (PROTOCOL.TXT §3.3): 4 bytes, the version and token of the PUSH_DATA. */
export function encodePushAck(version: ProtocolVersion, token: number): Buffer {
  return encodeAck(version, token, PacketType.PUSH_ACK);
}

/** PULL_ACK (PROTOCOL.TXT §5.3): 4 bytes, the version and token of the PULL_DATA. */
export function encodePullAck(version: ProtocolVersion, token: number): Buffer {
  return encodeAck(version, token, PacketType.PULL_ACK);
}
