import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Matches } from 'class-validator';
import { DEV_NONCE_POLICIES, DevNoncePolicy, JS_MAC_VERSIONS, JsMacVersion } from '../device/js-device';

const lowercase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value;

export class DevEuiParam {
  @ApiProperty({ description: 'DevEUI, 16 hex digits', example: '0004a30b001c0530' })
  @Transform(lowercase)
  @IsString()
  @Matches(/^[0-9a-f]{16}$/, { message: 'devEui must be 16 hex digits' })
  devEui!: string;
}

export class DevNoncePolicyDto {
  @ApiProperty({
    enum: DEV_NONCE_POLICIES,
    description:
      '`counter`: DevNonce must increase (LoRaWAN 1.0.4, 1.1); `set`: a DevNonce is never accepted twice ' +
      '(1.0.0-1.0.3, last 1024 remembered); `off`: no DevNonce check (escape hatch, weakens replay protection)',
  })
  @IsIn(DEV_NONCE_POLICIES, { message: `policy must be one of ${DEV_NONCE_POLICIES.join(', ')}` })
  policy!: DevNoncePolicy;
}

/** A join-server device as operators see it: never a key. */
export class JsDeviceViewDto {
  @ApiProperty({ example: '0004a30b001c0530' })
  devEui!: string;
  @ApiProperty({ example: '70b3d57ed0000000' })
  joinEui!: string;
  @ApiProperty({ enum: JS_MAC_VERSIONS })
  macVersion!: JsMacVersion;
  @ApiProperty({ enum: DEV_NONCE_POLICIES })
  devNoncePolicy!: DevNoncePolicy;
  @ApiProperty({ nullable: true, type: Number, description: 'DevNonce of the last accepted join-request' })
  lastDevNonce!: number | null;
  @ApiProperty({ description: '`set` policy: how many used DevNonces are remembered' })
  usedDevNonceCount!: number;
  @ApiProperty({ description: 'JoinNonce of the last join-accept (0: none yet)' })
  lastJoinNonce!: number;
  @ApiProperty({
    description:
      "true when the device's root keys come from a manufacturer record (POST /api/js/devices): provisioned with its QR code / owner token, never given keys by an operator",
  })
  manufacturerRecord!: boolean;
  @ApiProperty({
    description:
      "true while an owner's claim holds the manufacturer record (POST /api/js/claims, or POST /api/devices/qr); false after a release, and for operators' devices",
  })
  claimed!: boolean;
  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt!: string;
}
