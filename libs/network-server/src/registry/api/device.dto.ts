import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { JOIN_SERVER_PATTERN } from '../device-rules';
import { Activation, ACTIVATIONS } from '../registry-inputs';
import { DEV_ADDR_HEX, EUI_HEX, IsTags, KEY_HEX, Lowercase } from './formats';

const U32_MAX = 0xffff_ffff;
const KEY_DOC = {
  description: '32 hex digits; write-only: never returned',
  example: '2b7e151628aed2a6abf7158809cf4f3c',
};

function KeyField(name: string): PropertyDecorator {
  return (target, key) => {
    Lowercase()(target, key);
    IsOptional()(target, key);
    IsString()(target, key);
    Matches(KEY_HEX, { message: `${name} must be 32 hex digits` })(target, key);
  };
}

function CounterField(name: string): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsInt({ message: `${name} must be an integer` })(target, key);
    Min(0)(target, key);
    Max(U32_MAX)(target, key);
  };
}

/** An ABP device's session as it was personalised. */
export class AbpActivationDto {
  @ApiProperty({
    description: '8 hex digits; any DevAddr (devices moved from other networks keep theirs)',
    example: '26011bda',
  })
  @Lowercase()
  @IsString()
  @Matches(DEV_ADDR_HEX, { message: 'devAddr must be 8 hex digits' })
  devAddr!: string;

  @ApiPropertyOptional({ ...KEY_DOC, description: `LoRaWAN 1.0.x: the NwkSKey. ${KEY_DOC.description}` })
  @KeyField('nwkSKey')
  nwkSKey?: string;

  @ApiPropertyOptional({
    ...KEY_DOC,
    description: `Required, except for end-to-end applications, which refuse it (only the application server holds it). ${KEY_DOC.description}`,
  })
  @KeyField('appSKey')
  appSKey?: string;

  @ApiPropertyOptional({ ...KEY_DOC, description: `LoRaWAN 1.1 only. ${KEY_DOC.description}` })
  @KeyField('fNwkSIntKey')
  fNwkSIntKey?: string;

  @ApiPropertyOptional({ ...KEY_DOC, description: `LoRaWAN 1.1 only. ${KEY_DOC.description}` })
  @KeyField('sNwkSIntKey')
  sNwkSIntKey?: string;

  @ApiPropertyOptional({ ...KEY_DOC, description: `LoRaWAN 1.1 only. ${KEY_DOC.description}` })
  @KeyField('nwkSEncKey')
  nwkSEncKey?: string;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: U32_MAX, description: 'the next FCntUp expected' })
  @CounterField('fCntUp')
  fCntUp?: number;

  @ApiPropertyOptional({
    default: 0,
    minimum: 0,
    maximum: U32_MAX,
    description: 'the next FCntDown (1.0.x, every port) or NFCntDown (1.1)',
  })
  @CounterField('fCntDown')
  fCntDown?: number;

  @ApiPropertyOptional({
    default: 0,
    minimum: 0,
    maximum: U32_MAX,
    description: 'LoRaWAN 1.1 only: the next AFCntDown (application downlinks)',
  })
  @CounterField('aFCntDown')
  aFCntDown?: number;
}

export class CreateDeviceDto {
  @ApiProperty({ description: '16 hex digits (stored lowercase)', example: '0004a30b001c0530' })
  @Lowercase()
  @IsString()
  @Matches(EUI_HEX, { message: 'devEui must be 16 hex digits' })
  devEui!: string;

  @ApiPropertyOptional({ description: '16 hex digits; required for OTAA', example: '70b3d57ed0000000' })
  @Lowercase()
  @IsOptional()
  @IsString()
  @Matches(EUI_HEX, { message: 'joinEui must be 16 hex digits' })
  joinEui?: string;

  @ApiProperty({ minLength: 1, maxLength: 100, example: 'meter 42' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'applicationId must be a UUID' })
  applicationId!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'deviceProfileId must be a UUID' })
  deviceProfileId!: string;

  @ApiProperty({ enum: ACTIVATIONS })
  @IsIn(ACTIVATIONS, { message: `activation must be one of ${ACTIVATIONS.join(', ')}` })
  activation!: Activation;

  @ApiPropertyOptional({
    default: 'local',
    description: "OTAA: 'local' (the embedded join server) or an external join server's id",
  })
  @IsOptional()
  @IsString()
  @Matches(JOIN_SERVER_PATTERN, { message: "joinServer must be 'local' or a join server id" })
  joinServer?: string;

  @ApiPropertyOptional({
    ...KEY_DOC,
    description: `OTAA on the local join server: the AppKey (1.0.x: the only root key). Refused for an external join server. ${KEY_DOC.description}`,
  })
  @KeyField('appKey')
  appKey?: string;

  @ApiPropertyOptional({
    ...KEY_DOC,
    description: `LoRaWAN 1.1 OTAA on the local join server: the NwkKey. ${KEY_DOC.description}`,
  })
  @KeyField('nwkKey')
  nwkKey?: string;

  @ApiPropertyOptional({ type: AbpActivationDto, description: 'required for ABP' })
  @IsOptional()
  @IsObject({ message: 'abp must be an object' })
  @ValidateNested()
  @Type(() => AbpActivationDto)
  abp?: AbpActivationDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { building: 'B2' },
  })
  @IsOptional()
  @IsTags()
  tags?: Record<string, string>;
}

export class DeviceListQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'only this application’s devices' })
  @IsOptional()
  @IsUUID(undefined, { message: 'applicationId must be a UUID' })
  applicationId?: string;
}

export class DevEuiParam {
  @ApiProperty({ description: '16 hex digits', example: '0004a30b001c0530' })
  @Lowercase()
  @IsString()
  @Matches(EUI_HEX, { message: 'devEui must be 16 hex digits' })
  devEui!: string;
}
