import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BridgeCounters, GatewayRegistry, UnknownGateway } from '../gateway/gateway-registry';
import { GatewayCounters, GatewayState, isConnected } from '../gateway/gateway-state';
import { GatewayLocation, GatewayStat, TX_ACK_ERRORS } from '../semtech-udp';

export class GatewayLocationView implements GatewayLocation {
  @ApiProperty({ example: 46.24 }) latitude!: number;
  @ApiProperty({ example: 3.2523 }) longitude!: number;
  @ApiPropertyOptional({ example: 145 }) altitude?: number;
}

export class GatewayCountersView implements GatewayCounters {
  @ApiProperty({ description: 'PUSH_DATA datagrams received' }) pushData!: number;
  @ApiProperty({ description: 'PULL_DATA datagrams received' }) pullData!: number;
  @ApiProperty({ description: 'rxpk received' }) rxReceived!: number;
  @ApiProperty({ description: 'rxpk forwarded to the network server' }) rxOk!: number;
  @ApiProperty({ description: 'rxpk dropped for a failed CRC' }) rxBadCrc!: number;
  @ApiProperty({ description: 'PULL_RESP sent' }) txSent!: number;
  @ApiProperty({ description: 'TX_ACK without error' }) txOk!: number;
  @ApiProperty({
    description: 'TX_ACK errors by reason',
    example: { TOO_LATE: 1 },
    type: 'object',
    additionalProperties: { type: 'integer' },
    propertyNames: { enum: [...TX_ACK_ERRORS] },
  } as never)
  txErrors!: GatewayCounters['txErrors'];
  @ApiProperty({ description: 'datagrams, rxpk or stat refused for their content' }) malformed!: number;
}

export class GatewayView {
  @ApiProperty({ example: '0016c001ff10a235' }) gatewayId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String, example: 'EU868' }) region!: string | null;
  @ApiProperty({ description: 'false: accepted only because gateways.allowUnknown is on; not persisted' })
  registered!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'last datagram of any kind' })
  lastSeenAt!: string | null;
  @ApiProperty({ description: 'a PULL_DATA keep-alive arrived within the last 30 s' }) connected!: boolean;
  @ApiProperty({ nullable: true, type: Number, enum: [1, 2] }) protocolVersion!: 1 | 2 | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'source of the latest PULL_DATA',
    example: '192.0.2.1:40123',
  })
  pullAddress!: string | null;
  @ApiProperty({ nullable: true, type: GatewayLocationView }) location!: GatewayLocationView | null;
  @ApiProperty({ nullable: true, type: Object, description: 'the latest stat report' })
  lastStat!: GatewayStat | null;
  @ApiProperty({ type: GatewayCountersView }) counters!: GatewayCountersView;
}

export class UnknownGatewayView {
  @ApiProperty() gatewayId!: string;
  @ApiProperty() firstSeenAt!: string;
  @ApiProperty() lastSeenAt!: string;
  @ApiProperty() datagrams!: number;
  @ApiProperty({ example: '192.0.2.7:1700' }) lastAddress!: string;
}

export class BridgeStatsView implements BridgeCounters {
  @ApiProperty({ nullable: true, type: Number }) udpPort!: number | null;
  @ApiProperty() allowUnknown!: boolean;
  @ApiProperty({ description: 'every datagram received' }) datagrams!: number;
  @ApiProperty({ description: 'datagrams, rxpk or stat refused, from any sender' }) malformed!: number;
  @ApiProperty({ description: 'datagrams from unregistered gateways, ignored' })
  unknownGatewayDatagrams!: number;
  @ApiProperty({ description: 'TX_ACK matching no pending PULL_RESP' }) txAckUnmatched!: number;
  @ApiProperty({ description: 'PULL_RESP whose TX_ACK never came' }) txAckMissing!: number;
  @ApiProperty({ type: [UnknownGatewayView], description: 'most recent first, at most 1000' })
  unknownGateways!: UnknownGatewayView[];
}

export function toGatewayView(gw: GatewayState, now: number): GatewayView {
  return {
    gatewayId: gw.gatewayId,
    name: gw.name,
    region: gw.region,
    registered: gw.registered,
    createdAt: gw.createdAt.toISOString(),
    lastSeenAt: gw.lastSeenAt === null ? null : new Date(gw.lastSeenAt).toISOString(),
    connected: isConnected(gw, now),
    protocolVersion: gw.protocolVersion,
    pullAddress: gw.pullAddress ? `${gw.pullAddress.address}:${gw.pullAddress.port}` : null,
    location: gw.location,
    lastStat: gw.lastStat,
    counters: { ...gw.counters, txErrors: { ...gw.counters.txErrors } },
  };
}

function toUnknownView(u: UnknownGateway): UnknownGatewayView {
  return {
    gatewayId: u.gatewayId,
    firstSeenAt: new Date(u.firstSeenAt).toISOString(),
    lastSeenAt: new Date(u.lastSeenAt).toISOString(),
    datagrams: u.datagrams,
    lastAddress: `${u.lastAddress.address}:${u.lastAddress.port}`,
  };
}

export function toBridgeStatsView(
  registry: GatewayRegistry,
  udpPort: number | null,
  allowUnknown: boolean,
): BridgeStatsView {
  return {
    udpPort,
    allowUnknown,
    ...registry.counters,
    unknownGateways: registry.unknownGateways().map(toUnknownView),
  };
}
