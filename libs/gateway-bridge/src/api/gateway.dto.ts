import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';

/** Region names of the LoRaWAN Regional Parameters (RP002-1.0.4 §1.1). */
export const REGIONS = [
  'EU868',
  'US915',
  'CN779',
  'EU433',
  'AU915',
  'CN470',
  'AS923',
  'AS923-2',
  'AS923-3',
  'AS923-4',
  'KR920',
  'IN865',
  'RU864',
] as const;

const EUI = /^[0-9a-f]{16}$/;
const lowercase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value;

export class CreateGatewayDto {
  @ApiProperty({ description: 'Gateway EUI, 16 hex digits (stored lowercase)', example: '0016c001ff10a235' })
  @Transform(lowercase)
  @IsString()
  @Matches(EUI, { message: 'gatewayId must be 16 hex digits' })
  gatewayId!: string;

  @ApiProperty({ example: 'rooftop', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ enum: REGIONS, example: 'EU868' })
  @IsOptional()
  @IsIn(REGIONS)
  region?: string;
}

export class GatewayIdParam {
  @ApiProperty({ description: 'Gateway EUI, 16 hex digits', example: '0016c001ff10a235' })
  @Transform(lowercase)
  @IsString()
  @Matches(EUI, { message: 'gatewayId must be 16 hex digits' })
  gatewayId!: string;
}
