import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { REGION_NAMES } from '@lns/lorawan';
import { DeviceProfileEntity, MAC_VERSIONS, MacVersion } from '@lns/storage';
import { REG_PARAMS_REVISIONS } from '../profile-rules';

export class CreateDeviceProfileDto {
  @ApiProperty({ example: 'EU868 class A sensor', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: REGION_NAMES, example: 'EU868' })
  @IsIn(REGION_NAMES, { message: `region must be one of ${REGION_NAMES.join(', ')}` })
  region!: string;

  @ApiProperty({ enum: MAC_VERSIONS, example: '1.0.3', description: 'LoRaWAN version the device implements' })
  @IsIn(MAC_VERSIONS, { message: `macVersion must be one of ${MAC_VERSIONS.join(', ')}` })
  macVersion!: MacVersion;

  @ApiPropertyOptional({ enum: REG_PARAMS_REVISIONS, example: 'RP002-1.0.3' })
  @IsOptional()
  @IsIn(REG_PARAMS_REVISIONS, {
    message: `regParamsRevision must be one of ${REG_PARAMS_REVISIONS.join(', ')}`,
  })
  regParamsRevision?: string;

  @ApiPropertyOptional({ default: false, description: 'the device can be a Class C device' })
  @IsOptional()
  @IsBoolean()
  supportsClassC?: boolean;

  @ApiPropertyOptional({ default: true, description: 'the network may drive data rate, power and NbTrans' })
  @IsOptional()
  @IsBoolean()
  adrEnabled?: boolean;

  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: 15, description: 'RX1 delay, seconds' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(15)
  rx1Delay?: number;

  @ApiPropertyOptional({
    default: 0,
    minimum: 0,
    description: "RX1 data rate offset; at most the region's maximum",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  rx1DrOffset?: number;

  @ApiPropertyOptional({
    description: 'RX2 data rate index (a downlink data rate of the region); default: the region’s',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  rx2DataRate?: number;

  @ApiPropertyOptional({ description: 'RX2 frequency, Hz; default: the region’s', example: 869525000 })
  @IsOptional()
  @IsInt()
  rx2Frequency?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 8,
    description: 'US915/AU915: the sub-band the network uses; default all',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8)
  subBand?: number;
}

export class DeviceProfileView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: REGION_NAMES }) region!: string;
  @ApiProperty({ enum: MAC_VERSIONS }) macVersion!: MacVersion;
  @ApiProperty({ nullable: true, type: String, enum: REG_PARAMS_REVISIONS }) regParamsRevision!:
    string | null;
  @ApiProperty() supportsClassC!: boolean;
  @ApiProperty() adrEnabled!: boolean;
  @ApiProperty() rx1Delay!: number;
  @ApiProperty() rx1DrOffset!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'null: the region default' }) rx2DataRate!:
    number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'null: the region default' }) rx2Frequency!:
    number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'null: every channel' }) subBand!: number | null;
  @ApiProperty() createdAt!: string;
}

export function toDeviceProfileView(p: DeviceProfileEntity): DeviceProfileView {
  return {
    id: p.id,
    name: p.name,
    region: p.region,
    macVersion: p.macVersion,
    regParamsRevision: p.regParamsRevision,
    supportsClassC: p.supportsClassC,
    adrEnabled: p.adrEnabled,
    rx1Delay: p.rx1Delay,
    rx1DrOffset: p.rx1DrOffset,
    rx2DataRate: p.rx2DataRate,
    rx2Frequency: p.rx2Frequency,
    subBand: p.subBand,
    createdAt: p.createdAt.toISOString(),
  };
}
