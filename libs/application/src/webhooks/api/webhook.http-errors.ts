import { mapError } from '@lns/api';
import { WebhookLimitError, WebhookNotFoundError } from '../webhook-errors';

export const webhookNotFound = mapError(WebhookNotFoundError, {
  status: 404,
  field: 'webhookId',
  reason: 'no such webhook in this application',
});

export const webhookLimit = mapError(WebhookLimitError, (err) => ({
  status: 409,
  field: 'url',
  reason: `an application has at most ${err.limit} webhooks`,
}));
