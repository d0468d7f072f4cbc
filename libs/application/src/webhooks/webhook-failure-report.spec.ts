import { LogEvent } from '@lns/event-bus';
import { OutboxDelivery } from './outbox/outbox-delivery';
import { displayUrl, failureReport } from './webhook-failure-report';

const hook = { id: 'w1', url: 'https://hooks.example.com/in?token=secret' };
const delivery = (overrides: Partial<OutboxDelivery> = {}): OutboxDelivery => ({
  id: 1,
  webhookId: 'w1',
  deliveryId: 'd-1',
  applicationId: 'app',
  devEui: '0102030405060708',
  event: 'up',
  body: JSON.stringify({ deviceInfo: { devEui: '0102030405060708', deviceName: 'meter' }, fCnt: 1 }),
  createdAt: 0,
  attempts: 3,
  nextAttemptAt: null,
  lastError: null,
  ...overrides,
});
const NOW = new Date('2025-11-21T12:00:00Z');

describe('displayUrl', () => {
  it('shows scheme, host and path; never the query', () => {
    expect(displayUrl('https://hooks.example.com:8443/in?token=secret')).toBe(
      'https://hooks.example.com:8443/in',
    );
    expect(displayUrl('not a url')).toBe('(invalid URL)');
  });
});

describe('failureReport', () => {
  it("is a log event of the delivery's device, naming the webhook, the event and why", () => {
    const e = failureReport(
      delivery(),
      hook,
      { kind: 'expired', reason: 'not delivered within 24 h', status: 503 },
      NOW,
    );
    expect(e).toEqual({
      type: 'log',
      applicationId: 'app',
      devEui: '0102030405060708',
      payload: {
        time: '2025-11-21T12:00:00.000Z',
        deviceInfo: { devEui: '0102030405060708', deviceName: 'meter' },
        level: 'ERROR',
        code: 'UNKNOWN',
        description: 'webhook https://hooks.example.com/in: up event not delivered within 24 h',
        context: {
          integration: 'webhook',
          webhookId: 'w1',
          url: 'https://hooks.example.com/in',
          event: 'up',
          deliveryId: 'd-1',
          failure: 'expired',
          reason: 'not delivered within 24 h',
          attempts: '3',
          status: '503',
        },
      },
    });
  });

  it('counts the refused attempt itself', () => {
    const e = failureReport(
      delivery({ attempts: 0 }),
      hook,
      { kind: 'rejected', reason: 'HTTP 404', status: 404 },
      NOW,
    );
    const log = e!.payload as LogEvent;
    expect(log.description).toBe('webhook https://hooks.example.com/in refused the up event: HTTP 404');
    expect(log.context).toMatchObject({ attempts: '1', status: '404', failure: 'rejected' });
  });

  it('makes up a minimal deviceInfo for a body it cannot read', () => {
    const e = failureReport(
      delivery({ body: 'not json' }),
      hook,
      { kind: 'rejected', reason: 'HTTP 400', status: 400 },
      NOW,
    );
    expect((e!.payload as LogEvent).deviceInfo).toMatchObject({
      applicationId: 'app',
      devEui: '0102030405060708',
    });
  });

  it('is null for the failure of a report of a webhook failure, and only for that', () => {
    const report = failureReport(
      delivery(),
      hook,
      { kind: 'rejected', reason: 'HTTP 400', status: 400 },
      NOW,
    )!;
    const again = delivery({ event: 'log', body: JSON.stringify(report.payload) });
    expect(failureReport(again, hook, { kind: 'rejected', reason: 'HTTP 400', status: 400 })).toBeNull();
    const otherLog = delivery({ event: 'log', body: JSON.stringify({ context: { field: 'data' } }) });
    expect(
      failureReport(otherLog, hook, { kind: 'rejected', reason: 'HTTP 400', status: 400 }),
    ).not.toBeNull();
  });
});
