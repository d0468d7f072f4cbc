import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { MAX_PUBLIC_KEY_PEM } from '@lns/lorawan';
import { AsKeyInfo, CreatedAsKey } from './as-key.service';

export class CreateAsKeyDto {
  @ApiProperty({
    description:
      "The application server's RSA public key, PEM (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`), 2048 to 16384 bits",
    example:
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…\n-----END PUBLIC KEY-----\n',
  })
  @IsString()
  @Length(1, MAX_PUBLIC_KEY_PEM)
  publicKey!: string;

  @ApiPropertyOptional({ description: 'Whom the key is for, kept with it', example: 'ACME metering AS' })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name?: string;
}

export class AsKeyParams {
  @ApiProperty({ description: 'KEK label of the AS key', example: 'js-astk-3f9c2a7d41be0c55' })
  @IsString()
  @Matches(/^[\x21-\x7e]{1,64}$/, { message: 'kekLabel must be 1 to 64 printable ASCII characters' })
  kekLabel!: string;
}

/** An AS key as listed: no key material. */
export class AsKeyView {
  @ApiProperty({
    description:
      'KEK label: what a claim names (`kekLabel`), and the `KEKLabel` of the AppSKey envelopes wrapped under it',
    example: 'js-astk-3f9c2a7d41be0c55',
  })
  kekLabel!: string;

  @ApiProperty({ nullable: true, type: String })
  name!: string | null;

  @ApiProperty({
    description: 'SHA-256 of the AS public key (DER SubjectPublicKeyInfo) it was encrypted for, hex',
  })
  publicKeySha256!: string;

  @ApiProperty({ description: 'ISO 8601' })
  createdAt!: string;

  @ApiPropertyOptional({ description: 'ISO 8601; absent while the key is in use' })
  revokedAt?: string;
}

export class CreatedAsKeyView extends AsKeyView {
  @ApiProperty({
    description:
      'The new ASTK encrypted under the given public key: RSA-OAEP, SHA-256 (and MGF1-SHA-256), base64. Not kept in this form.',
  })
  wrappedKey!: string;
}

export function toAsKeyView(k: AsKeyInfo): AsKeyView {
  const view: AsKeyView = {
    kekLabel: k.kekLabel,
    name: k.name,
    publicKeySha256: k.publicKeySha256,
    createdAt: k.createdAt.toISOString(),
  };
  if (k.revokedAt) view.revokedAt = k.revokedAt.toISOString();
  return view;
}

export function toCreatedAsKeyView(k: CreatedAsKey): CreatedAsKeyView {
  return { ...toAsKeyView(k), wrappedKey: k.wrappedKey };
}
