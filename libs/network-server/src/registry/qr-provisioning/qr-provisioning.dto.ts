import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';

export class ProvisionFromQrDto {
  @ApiProperty({
    description: 'The TR005 code read from the device label, with its owner token (`O`)',
    example: 'LW:D0:70B3D57ED0000001:0004A30B001C0530:00000000:O3C9G1S5XQ8W2M7R4KD0TZHBN:C1A2B',
  })
  @IsString({ message: 'qr must be a string' })
  @Length(1, 1024, { message: 'qr must be 1 to 1024 characters' })
  qr!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'applicationId must be a UUID' })
  applicationId!: string;

  @ApiProperty({ format: 'uuid', description: 'Its LoRaWAN version must be the device’s (1.0.x or 1.1)' })
  @IsUUID(undefined, { message: 'deviceProfileId must be a UUID' })
  deviceProfileId!: string;

  @ApiPropertyOptional({ description: 'Default: the serial number on the label, else the DevEUI' })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;
}
