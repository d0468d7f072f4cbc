import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBase64,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { MAX_APP_FPORT, MIN_APP_FPORT } from '../queue/device-queue.service';

const EUI = /^[0-9a-f]{16}$/;
const lowercase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value;

export class DevEuiParam {
  @ApiProperty({ description: 'DevEUI, 16 hex digits', example: '0102030405060708' })
  @Transform(lowercase)
  @IsString()
  @Matches(EUI, { message: 'devEui must be 16 hex digits' })
  devEui!: string;
}

export class EnqueueDownlinkDto {
  @ApiProperty({ minimum: MIN_APP_FPORT, maximum: MAX_APP_FPORT, example: 10 })
  @IsInt()
  @Min(MIN_APP_FPORT)
  @Max(MAX_APP_FPORT)
  fPort!: number;

  @ApiProperty({
    description:
      'Payload, base64. Tunnel (end-to-end) applications: the FRMPayload encrypted with AppSKey for fCntDown',
    example: 'AQID',
  })
  @IsString()
  @IsBase64({}, { message: 'data must be base64' })
  data!: string;

  @ApiPropertyOptional({
    description: 'Wait for the device to acknowledge it (retried up to downlink.maxRetries)',
  })
  @IsOptional()
  @IsBoolean()
  confirmed?: boolean;

  @ApiPropertyOptional({
    description: 'data is already encrypted by the application server (tunnel applications)',
  })
  @IsOptional()
  @IsBoolean()
  isEncrypted?: boolean;

  @ApiPropertyOptional({
    description: 'With isEncrypted: the AFCntDown (1.1) or FCntDown (1.0.x) the payload was encrypted with',
    minimum: 0,
    maximum: 0xffffffff,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(0xffffffff)
  fCntDown?: number;

  @ApiPropertyOptional({
    description: 'Drop it if not sent by then (ISO 8601)',
    example: '2030-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class EnqueuedView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ description: 'The counter of an isEncrypted item' }) fCntDown?: number;
}

export class QueueItemView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() devEui!: string;
  @ApiProperty() fPort!: number;
  @ApiProperty({ description: 'base64' }) data!: string;
  @ApiProperty() confirmed!: boolean;
  @ApiProperty() isEncrypted!: boolean;
  @ApiPropertyOptional({ description: 'Counter of the latest transmission, or the AS-given one' })
  fCntDown?: number;
  @ApiProperty({ description: 'Transmissions so far' }) attempts!: number;
  @ApiProperty({ description: 'Sent and waiting for the device ACK' }) isPending!: boolean;
  @ApiPropertyOptional() expiresAt?: string;
  @ApiProperty() createdAt!: string;
}

/** ChirpStack v4's shape for `GET /api/devices/{devEui}/queue`. */
export class QueueView {
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [QueueItemView] }) result!: QueueItemView[];
}
