import { ApplicationEventType } from '@lns/event-bus';

/** The application events a webhook can ask for: the MQTT event topics' last level (CONTRACT.md). */
export const WEBHOOK_EVENT_TYPES = [
  'up',
  'join',
  'ack',
  'txack',
  'status',
  'log',
] as const satisfies readonly ApplicationEventType[];

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(v: unknown): v is WebhookEventType {
  return typeof v === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(v);
}
