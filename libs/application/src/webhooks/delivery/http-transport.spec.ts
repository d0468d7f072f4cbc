import { TestEndpoint } from '../webhook-test-support';
import { HttpWebhookTransport } from './http-transport';

const BODY = JSON.stringify({ devEui: '0102030405060708', data: 'AQI=' });

describe('HttpWebhookTransport', () => {
  let endpoint: TestEndpoint;
  const transports: HttpWebhookTransport[] = [];
  const transport = (url: string, headers: Record<string, string> = {}, timeoutMs = 1_000) => {
    const t = new HttpWebhookTransport(url, headers, { timeoutMs, maxSockets: 2 });
    transports.push(t);
    return t;
  };

  beforeEach(async () => {
    endpoint = await TestEndpoint.start();
  });
  afterEach(async () => {
    transports.splice(0).forEach((t) => t.close());
    await endpoint.close();
  });

  it('POSTs the JSON with the configured headers, X-LNS-Event, X-LNS-Delivery-Id and ?event=', async () => {
    const t = transport(endpoint.url('/in'), { Authorization: 'Bearer s3cret', 'X-Tenant': 'a' });
    expect(await t.post({ event: 'up', deliveryId: 'd-1', body: BODY })).toEqual({
      kind: 'delivered',
      status: 204,
    });
    const [r] = endpoint.requests;
    expect(r).toMatchObject({ method: 'POST', url: '/in?event=up', body: BODY });
    expect(r.headers).toMatchObject({
      authorization: 'Bearer s3cret',
      'x-tenant': 'a',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(BODY)),
      'x-lns-event': 'up',
      'x-lns-delivery-id': 'd-1',
    });
  });

  it("keeps the URL's own query as written and appends event=", async () => {
    const t = transport(`${endpoint.url('/in')}?token=a%20b&x=1`);
    await t.post({ event: 'join', deliveryId: 'd', body: '{}' });
    await t.post({ event: 'log', deliveryId: 'd', body: '{}' });
    expect(endpoint.requests.map((r) => r.url)).toEqual([
      '/in?token=a%20b&x=1&event=join',
      '/in?token=a%20b&x=1&event=log',
    ]);
  });

  it('reuses its keep-alive connection', async () => {
    const t = transport(endpoint.url());
    for (let i = 0; i < 5; i++) await t.post({ event: 'up', deliveryId: String(i), body: '{}' });
    expect(new Set(endpoint.requests.map((r) => r.headers.connection))).toEqual(new Set(['keep-alive']));
    expect((endpoint as unknown as { sockets: Set<unknown> }).sockets.size).toBe(1);
  });

  it('classifies answers: 5xx and 429 (with Retry-After) retried, 400 rejected', async () => {
    const t = transport(endpoint.url());
    endpoint.respond = () => 503;
    expect(await t.post({ event: 'up', deliveryId: 'd', body: '{}' })).toEqual({
      kind: 'retry',
      reason: 'HTTP 503',
      status: 503,
    });
    endpoint.respond = () => ({ status: 429, headers: { 'Retry-After': '3' } });
    expect(await t.post({ event: 'up', deliveryId: 'd', body: '{}' })).toMatchObject({
      kind: 'retry',
      retryAfterMs: 3_000,
    });
    endpoint.respond = () => 400;
    expect(await t.post({ event: 'up', deliveryId: 'd', body: '{}' })).toEqual({
      kind: 'rejected',
      reason: 'HTTP 400',
      status: 400,
    });
  });

  it('gives up waiting after the timeout: a retry', async () => {
    endpoint.respond = () => 'hang';
    const t = transport(endpoint.url(), {}, 100);
    const started = Date.now();
    expect(await t.post({ event: 'up', deliveryId: 'd', body: '{}' })).toEqual({
      kind: 'retry',
      reason: 'no answer within 100 ms',
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a refused connection is a retry naming the error', async () => {
    const port = endpoint.port;
    await endpoint.close();
    const outcome = await transport(`http://127.0.0.1:${port}/`).post({
      event: 'up',
      deliveryId: 'd',
      body: '{}',
    });
    expect(outcome).toMatchObject({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED') });
    endpoint = await TestEndpoint.start();
  });

  it('stops at once when aborted', async () => {
    endpoint.respond = () => 'hang';
    const t = transport(endpoint.url(), {}, 10_000);
    const controller = new AbortController();
    const pending = t.post({ event: 'up', deliveryId: 'd', body: '{}' }, controller.signal);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    expect(await pending).toEqual({ kind: 'retry', reason: 'aborted' });
  });
});
