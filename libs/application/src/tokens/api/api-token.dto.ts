import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';

export class CreateApiTokenDto {
  @ApiProperty({ description: 'What the token is for', example: 'dashboard', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({
    description: 'May read events but not send downlinks (MQTT: no publishing)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  readOnly?: boolean;
}

export class ApplicationIdParam {
  @ApiProperty({ description: 'Application id', example: '5f0c1f62-3b0a-4c36-9d0e-0f1c2a3b4c5d' })
  @IsString()
  @Length(1, 36)
  id!: string;
}

export class ApiTokenParams extends ApplicationIdParam {
  @ApiProperty({ description: 'Token id (not the token)', example: '0b8f3a8e-6e5d-4f6b-9a53-5d3c0f0e2a11' })
  @IsString()
  @Length(1, 36)
  tokenId!: string;
}
