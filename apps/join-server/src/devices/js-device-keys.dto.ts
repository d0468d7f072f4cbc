import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { JS_MAC_VERSIONS, JsMacVersion } from '@lns/join-server';

/** `PUT /api/join-server/devices/{devEui}`: a device's root keys on this join server. */
export class JsDeviceKeysDto {
  @ApiProperty({ description: '16 hex digits', example: '70b3d57ed0000001' })
  @IsString()
  @Matches(/^[0-9a-fA-F]{16}$/, { message: 'joinEui must be 16 hex digits' })
  joinEui!: string;

  @ApiProperty({ enum: JS_MAC_VERSIONS, example: '1.0.4' })
  @IsIn(JS_MAC_VERSIONS, { message: `macVersion must be one of ${JS_MAC_VERSIONS.join(', ')}` })
  macVersion!: JsMacVersion;

  @ApiProperty({
    description: '32 hex digits; write-only: never returned',
    example: '2b7e151628aed2a6abf7158809cf4f3c',
  })
  @IsString()
  @Matches(/^[0-9a-fA-F]{32}$/, { message: 'appKey must be 32 hex digits' })
  appKey!: string;

  @ApiPropertyOptional({ description: 'LoRaWAN 1.1 only (required there): 32 hex digits; write-only' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-fA-F]{32}$/, { message: 'nwkKey must be 32 hex digits' })
  nwkKey?: string;
}

export class JsDeviceKeysResult {
  @ApiProperty({ description: 'true when the device was new' }) created!: boolean;
}
