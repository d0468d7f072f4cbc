import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../webhook-event-types';
import { WebhookInfo } from '../webhook.service';

/** A webhook as shown: header names, never their values. */
export class WebhookView {
  @ApiProperty({ description: 'Webhook id, for DELETE' })
  id!: string;

  @ApiProperty()
  applicationId!: string;

  @ApiProperty({ description: 'Where events are POSTed (with `?event=<type>` added)' })
  url!: string;

  @ApiProperty({
    description: 'Names of the extra headers; their values are never shown again',
    type: [String],
  })
  headerNames!: string[];

  @ApiProperty({ description: 'Event types sent', enum: WEBHOOK_EVENT_TYPES, isArray: true })
  events!: WebhookEventType[];

  @ApiProperty({ description: 'ISO 8601' })
  createdAt!: string;

  @ApiProperty({ description: 'Deliveries waiting in the outbox (in flight, retrying or queued)' })
  pending!: number;

  @ApiProperty({ description: 'Consecutive failed attempts; 0 while the endpoint answers' })
  failures!: number;

  @ApiProperty({
    description: 'While failing: no attempt before this (ISO 8601)',
    nullable: true,
    type: String,
  })
  nextAttemptAt!: string | null;

  @ApiProperty({ description: 'The last failure, since start', nullable: true, type: String })
  lastError!: string | null;

  @ApiProperty({ description: 'When it happened (ISO 8601)', nullable: true, type: String })
  lastErrorAt!: string | null;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function toWebhookView(w: WebhookInfo): WebhookView {
  return {
    id: w.id,
    applicationId: w.applicationId,
    url: w.url,
    headerNames: w.headerNames,
    events: w.events,
    createdAt: w.createdAt.toISOString(),
    pending: w.pending,
    failures: w.status.failures,
    nextAttemptAt: iso(w.status.nextAttemptAt),
    lastError: w.status.lastError,
    lastErrorAt: iso(w.status.lastErrorAt),
  };
}
