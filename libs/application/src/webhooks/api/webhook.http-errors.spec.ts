import { mappedErrorBody } from '@lns/api';
import { WebhookLimitError, WebhookNotFoundError } from '../webhook-errors';
import { webhookLimit, webhookNotFound } from './webhook.http-errors';

describe('webhook errors over HTTP', () => {
  it('a missing webhook is a 404 naming webhookId', () => {
    expect(mappedErrorBody([webhookNotFound], new WebhookNotFoundError('app1', 'wh1'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'application app1 has no webhook wh1',
      fields: [{ field: 'webhookId', reason: 'no such webhook in this application' }],
    });
  });

  it('one webhook too many is a 409 naming url and the limit', () => {
    expect(JSON.stringify(mappedErrorBody([webhookLimit], new WebhookLimitError('app1', 10)))).toBe(
      '{"statusCode":409,"error":"Conflict","message":"application app1 already has 10 webhooks, the most it may have","fields":[{"field":"url","reason":"an application has at most 10 webhooks"}]}',
    );
  });
});
