import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAC_VERSIONS, MacVersion } from '@lns/storage';
import { DeviceSession, usesSharedFCntDown } from '../../session/device-session';
import { DeviceContext } from '../device-registry';
import { ACTIVATIONS, Activation } from '../registry-inputs';

/** A device's activation state, from its session in memory. Never a key. */
export class DeviceStateView {
  @ApiProperty({ description: 'has a session (ABP, or OTAA after a join)' }) activated!: boolean;
  @ApiProperty({ nullable: true, type: String, example: '26011bda', description: '8 hex digits' })
  devAddr!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'the next FCntUp expected' }) fCntUp!:
    number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'the next FCntDown (1.0.x) or NFCntDown (1.1)' })
  fCntDown!: number | null;
  @ApiPropertyOptional({ description: 'LoRaWAN 1.1: the next NFCntDown' }) nFCntDown?: number;
  @ApiPropertyOptional({ description: 'LoRaWAN 1.1: the next AFCntDown' }) aFCntDown?: number;
  @ApiProperty({ nullable: true, type: String, description: 'last authenticated uplink' })
  lastSeenAt!: string | null;
  @ApiProperty({ enum: MAC_VERSIONS }) macVersion!: MacVersion;
  @ApiPropertyOptional({ description: 'the data rate the device uses, as the network believes' })
  dataRate?: number;
}

export class DeviceView {
  @ApiProperty({ example: '0004a30b001c0530' }) devEui!: string;
  @ApiProperty({ nullable: true, type: String }) joinEui!: string | null;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ format: 'uuid' }) applicationId!: string;
  @ApiProperty({ format: 'uuid' }) deviceProfileId!: string;
  @ApiProperty({ enum: ACTIVATIONS }) activation!: Activation;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "'local' or an external join server's id; null for ABP",
  })
  joinServer!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) tags!: Record<string, string>;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: DeviceStateView }) state!: DeviceStateView;
}

export function toDeviceStateView(ctx: DeviceContext, session: DeviceSession | undefined): DeviceStateView {
  if (!session) {
    return {
      activated: false,
      devAddr: null,
      fCntUp: null,
      fCntDown: null,
      lastSeenAt: null,
      macVersion: ctx.profile.macVersion,
    };
  }
  const shared = usesSharedFCntDown(session.macVersion);
  return {
    activated: true,
    devAddr: (session.devAddr >>> 0).toString(16).padStart(8, '0'),
    fCntUp: session.fCntUp,
    fCntDown: session.nFCntDown,
    ...(shared ? {} : { nFCntDown: session.nFCntDown, aFCntDown: session.aFCntDown }),
    lastSeenAt: session.lastSeenAt === undefined ? null : new Date(session.lastSeenAt).toISOString(),
    macVersion: session.macVersion,
    // Before the first uplink the MAC state holds only the region's boot guess.
    ...(session.lastSeenAt !== undefined ? { dataRate: session.mac.dataRate } : {}),
  };
}

/** Picks the fields to show one by one, so a key added to the entity later cannot leak. */
export function toDeviceView(ctx: DeviceContext, session: DeviceSession | undefined): DeviceView {
  const d = ctx.device;
  return {
    devEui: d.devEui,
    joinEui: d.joinEui,
    name: d.name,
    description: d.description,
    applicationId: d.applicationId,
    deviceProfileId: d.deviceProfileId,
    activation: d.activation,
    joinServer: d.joinServer,
    tags: { ...d.tags },
    createdAt: d.createdAt.toISOString(),
    state: toDeviceStateView(ctx, session),
  };
}
