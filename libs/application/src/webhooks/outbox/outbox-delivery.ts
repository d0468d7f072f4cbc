import { WebhookEventType } from '../webhook-event-types';
import { WebhookOutboxEntity } from './webhook-outbox.entity';

/** One event on its way to one webhook: an outbox row, in memory. */
export interface OutboxDelivery {
  /** Increasing in the process: the endpoint's delivery order. */
  id: number;
  webhookId: string;
  /** `X-LNS-Delivery-Id`, the same on every attempt. */
  deliveryId: string;
  applicationId: string;
  devEui: string;
  event: WebhookEventType;
  /** The event's JSON, as on MQTT. */
  body: string;
  /** When the event happened (ms since the epoch). */
  createdAt: number;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
}

export function toOutboxRow(d: OutboxDelivery): WebhookOutboxEntity {
  const row = new WebhookOutboxEntity();
  row.id = d.id;
  row.webhookId = d.webhookId;
  row.deliveryId = d.deliveryId;
  row.applicationId = d.applicationId;
  row.devEui = d.devEui;
  row.event = d.event;
  row.body = d.body;
  row.createdAt = d.createdAt;
  row.attempts = d.attempts;
  row.nextAttemptAt = d.nextAttemptAt;
  row.lastError = d.lastError;
  return row;
}

export function fromOutboxRow(row: WebhookOutboxEntity): OutboxDelivery {
  return {
    id: row.id,
    webhookId: row.webhookId,
    deliveryId: row.deliveryId,
    applicationId: row.applicationId,
    devEui: row.devEui,
    event: row.event as WebhookEventType,
    body: row.body,
    createdAt: row.createdAt,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
  };
}
