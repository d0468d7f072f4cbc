import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { MAX_JOIN_EUIS } from '../join-server-record';

const PEM_MAX = 64 * 1024;

/**
 * `POST /api/join-servers`: an external join server reached over LoRaWAN Backend Interfaces (TS002).
 * The DTO checks types only; the registry's rules (join-server-record.ts) check values and report every
 * wrong field at once.
 */
export class CreateJoinServerDto {
  @ApiProperty({ example: 'manufacturer JS', minLength: 1, maxLength: 100 })
  @IsString()
  name!: string;

  @ApiProperty({
    description: 'its full Backend Interfaces endpoint, http:// or https://',
    example: 'https://js.example.net/api/backend-interfaces',
  })
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({
    type: [String],
    description: `JoinEUIs routed to it (16 hex digits each, at most ${MAX_JOIN_EUIS}); a JoinEUI goes to one join server`,
    example: ['70b3d57ed0000001'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_JOIN_EUIS)
  @IsString({ each: true })
  joinEuis?: string[];

  @ApiPropertyOptional({
    description: 'label of the KEK shared with the join server (TS002 KeyEnvelope KEKLabel)',
    example: 'ns-000013',
  })
  @IsOptional()
  @IsString()
  kekLabel?: string;

  @ApiPropertyOptional({
    description:
      'the KEK (32, 48 or 64 hex digits): session keys the join server wraps under it (RFC 3394) are unwrapped with it. Write-only',
  })
  @IsOptional()
  @IsString()
  kek?: string;

  @ApiPropertyOptional({ description: 'bearer token sent with each request. Write-only' })
  @IsOptional()
  @IsString()
  token?: string;

  @ApiPropertyOptional({
    description: 'PEM: CA certificate(s) its TLS certificate must chain to (https only)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(PEM_MAX)
  caCert?: string;

  @ApiPropertyOptional({ description: 'PEM: our client certificate for mutual TLS (with clientKey)' })
  @IsOptional()
  @IsString()
  @MaxLength(PEM_MAX)
  clientCert?: string;

  @ApiPropertyOptional({ description: 'PEM: the private key of clientCert, unencrypted. Write-only' })
  @IsOptional()
  @IsString()
  @MaxLength(PEM_MAX)
  clientKey?: string;
}

export class JoinServerIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'id must be a UUID' })
  id!: string;
}

class JoinServerTlsView {
  @ApiProperty({ description: 'a CA certificate is registered' }) caCert!: boolean;
  @ApiProperty({ description: 'a client certificate (mutual TLS) is registered' }) clientCert!: boolean;
}

export class JoinServerViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String] }) joinEuis!: string[];
  @ApiProperty({ type: String, nullable: true }) kekLabel!: string | null;
  @ApiProperty({ description: 'a KEK is registered (never returned)' }) hasKek!: boolean;
  @ApiProperty({ description: 'a bearer token is registered (never returned)' }) hasToken!: boolean;
  @ApiProperty({ type: JoinServerTlsView }) tls!: JoinServerTlsView;
  @ApiProperty() createdAt!: string;
}

export class CreatedJoinServerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
}
