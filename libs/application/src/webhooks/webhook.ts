import { KeyCipher } from '@lns/storage';
import { isWebhookEventType, WebhookEventType } from './webhook-event-types';
import { WebhookEntity } from './webhook.entity';

/** A webhook as the process holds it: headers in clear, in memory only. */
export interface Webhook {
  id: string;
  applicationId: string;
  url: string;
  headers: Readonly<Record<string, string>>;
  /** null: every event type. */
  events: ReadonlySet<WebhookEventType> | null;
  createdAt: Date;
}

/** The stored headers cannot be read (another master key, a damaged row). */
export class WebhookUnreadableError extends Error {
  constructor(readonly webhookId: string) {
    super(`webhook ${webhookId}: its headers cannot be unsealed with this master key`);
    this.name = 'WebhookUnreadableError';
  }
}

/** KeyCipher's additional data: a sealed value moved to another webhook does not open. */
function sealContext(id: string): string {
  return `webhook:${id}:headers`;
}

export function toWebhookRow(cipher: KeyCipher, w: Webhook): WebhookEntity {
  const row = new WebhookEntity();
  row.id = w.id;
  row.applicationId = w.applicationId;
  row.url = w.url;
  row.headers = cipher.encrypt(Buffer.from(JSON.stringify(w.headers), 'utf8'), sealContext(w.id));
  row.events = w.events ? [...w.events].join(',') : null;
  row.createdAt = w.createdAt;
  return row;
}

/** Throws WebhookUnreadableError. */
export function fromWebhookRow(cipher: KeyCipher, row: WebhookEntity): Webhook {
  let headers: Record<string, string>;
  try {
    headers = JSON.parse(cipher.decrypt(row.headers, sealContext(row.id)).toString('utf8')) as Record<
      string,
      string
    >;
  } catch {
    throw new WebhookUnreadableError(row.id);
  }
  return {
    id: row.id,
    applicationId: row.applicationId,
    url: row.url,
    headers,
    events: row.events === null ? null : new Set(row.events.split(',').filter(isWebhookEventType)),
    createdAt: row.createdAt,
  };
}
