import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { webhookHeadersProblem } from '../validation/webhook-headers';
import { MAX_WEBHOOK_URL_LENGTH, webhookUrlProblem } from '../validation/webhook-url';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../webhook-event-types';

/** A class-validator rule from a "why not" function, whose answer becomes the field's reason. */
function Satisfies(name: string, problem: (v: unknown) => string | null, options?: ValidationOptions) {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (v: unknown) => problem(v) === null,
        defaultMessage: (args) => problem(args?.value) ?? 'is invalid',
      },
    },
    options,
  );
}

export class CreateWebhookDto {
  @ApiProperty({
    description:
      'Where events are POSTed, http:// or https://; `?event=<type>` is added. No credentials in the URL: use `headers`.',
    example: 'https://example.com/lns/events?source=lns',
    maxLength: MAX_WEBHOOK_URL_LENGTH,
  })
  @Satisfies('isWebhookUrl', webhookUrlProblem)
  url!: string;

  @ApiPropertyOptional({
    description:
      'Extra headers sent with every POST (e.g. Authorization). Kept sealed; listings show their names only.',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { Authorization: 'Bearer 3q2-7wVbK9mXb0oQ' },
  })
  @IsOptional()
  @Satisfies('isWebhookHeaders', webhookHeadersProblem)
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'Event types to send; every type when absent',
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    example: ['up', 'join'],
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty({ message: 'must list at least one event type, or be left out for every type' })
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events?: WebhookEventType[];
}

export class WebhookApplicationParam {
  @ApiProperty({ description: 'Application id', example: '5f0c1f62-3b0a-4c36-9d0e-0f1c2a3b4c5d' })
  @IsString()
  @Length(1, 36)
  id!: string;
}

export class WebhookParams extends WebhookApplicationParam {
  @ApiProperty({ description: 'Webhook id', example: '0b8f3a8e-6e5d-4f6b-9a53-5d3c0f0e2a11' })
  @IsString()
  @Length(1, 36)
  webhookId!: string;
}
