import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { MAX_PUBLIC_KEY_PEM } from '@lns/lorawan';

export class CreateTransportKeyDto {
  @ApiProperty({
    description:
      "The application server's RSA public key, PEM (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`), 2048 to 16384 bits",
    example:
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…\n-----END PUBLIC KEY-----\n',
  })
  @IsString()
  @Length(1, MAX_PUBLIC_KEY_PEM)
  publicKey!: string;
}

export class TransportKeyAppParam {
  @ApiProperty({ description: 'Application id', example: '5f0c1f62-3b0a-4c36-9d0e-0f1c2a3b4c5d' })
  @IsString()
  @Length(1, 36)
  id!: string;
}

export class TransportKeyParams extends TransportKeyAppParam {
  @ApiProperty({ description: 'KEK label of the transport key', example: 'astk-3f9c2a7d41be0c55' })
  @IsString()
  @Length(1, 64)
  kekLabel!: string;
}
