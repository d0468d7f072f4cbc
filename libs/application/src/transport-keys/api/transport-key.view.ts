import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CreatedTransportKey, TransportKeyInfo } from '../transport-key.service';

/** A transport key as listed: no key material. */
export class TransportKeyView {
  @ApiProperty({
    description: 'KEK label: `joinServerContext.appSKey.kekLabel` of the sessions wrapped under it',
  })
  kekLabel!: string;

  @ApiProperty()
  applicationId!: string;

  @ApiProperty({
    description: 'SHA-256 of the AS public key (DER SubjectPublicKeyInfo) it was encrypted for, hex',
  })
  publicKeySha256!: string;

  @ApiProperty({ description: 'ISO 8601' })
  createdAt!: string;

  @ApiPropertyOptional({ description: 'ISO 8601; absent while the key is in use' })
  revokedAt?: string;

  @ApiProperty({ description: "New joins of the application's devices are wrapped under this key" })
  current!: boolean;
}

export class CreatedTransportKeyView extends TransportKeyView {
  @ApiProperty({
    description:
      'The new ASTK encrypted under the given public key: RSA-OAEP, SHA-256 (and MGF1-SHA-256), base64. Not kept in this form.',
  })
  wrappedKey!: string;
}

export function toTransportKeyView(k: TransportKeyInfo): TransportKeyView {
  const view: TransportKeyView = {
    kekLabel: k.kekLabel,
    applicationId: k.applicationId,
    publicKeySha256: k.publicKeySha256,
    createdAt: k.createdAt.toISOString(),
    current: k.current,
  };
  if (k.revokedAt) view.revokedAt = k.revokedAt.toISOString();
  return view;
}

export function toCreatedTransportKeyView(k: CreatedTransportKey): CreatedTransportKeyView {
  return { ...toTransportKeyView(k), wrappedKey: k.wrappedKey };
}
