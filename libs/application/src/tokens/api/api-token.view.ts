import { ApiProperty } from '@nestjs/swagger';
import { ApiTokenInfo, CreatedApiToken } from '../api-token.service';

/** A token as listed: no secret. */
export class ApiTokenView {
  @ApiProperty({ description: 'Token id, for DELETE' })
  id!: string;

  @ApiProperty()
  applicationId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'May read events but not send downlinks' })
  readOnly!: boolean;

  @ApiProperty({ description: 'ISO 8601' })
  createdAt!: string;
}

export class CreatedApiTokenView extends ApiTokenView {
  @ApiProperty({
    description:
      'The token: `Authorization: Bearer <token>`, or the MQTT password. Shown once; only its SHA-256 is kept.',
    example: 'lns_3q2-7wVbK9mXb0oQ1N7d4mZQyGxJ3rT5uV8wY0aB2cD',
  })
  token!: string;
}

export function toApiTokenView(t: ApiTokenInfo): ApiTokenView {
  return {
    id: t.id,
    applicationId: t.applicationId,
    name: t.name,
    readOnly: t.readOnly,
    createdAt: t.createdAt.toISOString(),
  };
}

export function toCreatedApiTokenView(t: CreatedApiToken): CreatedApiTokenView {
  return { ...toApiTokenView(t), token: t.token };
}
