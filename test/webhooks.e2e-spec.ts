import { connectAsync, MqttClient } from 'mqtt';
import request from 'supertest';
import { UplinkResult, VirtualDevice, VirtualGateway } from '@lns/simulator';
import { TestEndpoint } from '../libs/application/src/webhooks/webhook-test-support';
import {
  adminApiOf,
  createApplicationWithAbpDevice,
  createApplicationToken,
  startVirtualGateway,
} from './support/fixtures';
import { LnsProcess, startLnsProcess } from './support/lns-process';
import { eventually } from './support/udp-probe';

// Two server starts on 2 cores; Jest 29 ignores the project testTimeout.
jest.setTimeout(90_000);

const NWK_S_KEY = '5b1b1c1d1e1f20212223242526272829';
const APP_S_KEY = '6b1b1c1d1e1f20212223242526272829';
const DEV_EUI = '0404040404040404';
const DEV_ADDR = 0x26044444;
const HOOK_SECRET = 'Bearer hook-secret-5f3a9c';

interface MqttEvent {
  topic: string;
  json: Record<string, unknown>;
  receivedAt: number;
}

/**
 * Webhooks in the built server: events POSTed with their headers, retried after a 500,
 * refused and hanging endpoints that hold up neither the others nor the MQTT events, and
 * the outbox carried across a restart.
 */
describe('webhooks, in the server process', () => {
  let lns: LnsProcess;
  let adminToken: string;
  let appId: string;
  let appToken: string;
  let mqtt: MqttClient | undefined;
  const mqttEvents: MqttEvent[] = [];
  let gw: VirtualGateway | undefined;
  let healthy: TestEndpoint;
  let flaky: TestEndpoint;
  let hanging: TestEndpoint;
  let refusedPort: number;
  let refused: TestEndpoint | undefined;
  const hookIds: Record<string, string> = {};
  const device = new VirtualDevice({
    devEui: DEV_EUI,
    region: 'EU868',
    macVersion: '1.0.3',
    seed: 11,
    activation: { type: 'ABP', devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY },
  });
  const env = { LNS_DEDUP_WINDOW_MS: '50', LNS_GATEWAYS_ALLOW_UNKNOWN: 'true' };

  const api = () => request(`http://127.0.0.1:${lns.ports.http}`);
  const auth = () => `Bearer ${adminToken}`;
  const ups = () => mqttEvents.filter((m) => m.topic.endsWith('/event/up'));

  async function start(dataDir?: string): Promise<void> {
    lns = await startLnsProcess({ ...env, ...(dataDir && { LNS_DATA_DIR: dataDir }) }, [
      'http',
      'udp',
      'mqtt',
    ]);
    gw = await startVirtualGateway({
      gatewayId: 'bb555a0000000044',
      port: lns.ports.udp!,
      keepaliveMs: 2000,
    });
    mqtt = await connectAsync(`mqtt://127.0.0.1:${lns.ports.mqtt}`, {
      username: 'app',
      password: appToken,
      reconnectPeriod: 0,
    });
    mqtt.on('message', (topic, payload) =>
      mqttEvents.push({ topic, json: JSON.parse(payload.toString()), receivedAt: Date.now() }),
    );
    await mqtt.subscribeAsync(`application/${appId}/device/+/event/+`, { qos: 1 });
  }

  async function stop(): Promise<void> {
    await mqtt?.endAsync();
    await gw?.stop();
    await lns?.stop();
  }

  /** Sends an uplink and resolves when it was sent (its MQTT event comes later). */
  async function uplink(text: string): Promise<{ frame: UplinkResult; sentAt: number }> {
    const frame = device.uplink({ fPort: 5, payload: Buffer.from(text) });
    const sentAt = Date.now();
    await gw!.sendUplink(frame.phyPayload, {
      frequency: frame.frequency,
      spreadingFactor: 7,
      bandwidth: 125_000,
      tmst: gw!.concentratorTime(),
      snr: 7,
    });
    return { frame, sentAt };
  }

  beforeAll(async () => {
    healthy = await TestEndpoint.start(() => 204);
    flaky = await TestEndpoint.start((_r, n) => (n === 0 ? 500 : 200));
    hanging = await TestEndpoint.start(() => 'hang');
    // A port where nothing listens (connection refused) until the restart test opens it.
    const probe = await TestEndpoint.start();
    refusedPort = probe.port;
    await probe.close();

    lns = await startLnsProcess(env, ['http']);
    adminToken = lns.adminToken()!;
    const admin = adminApiOf(lns);
    appId = await createApplicationWithAbpDevice(
      admin,
      { name: 'hooks' },
      { devEui: DEV_EUI, name: 'hooked', abp: { devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY } },
    );
    appToken = await createApplicationToken(admin, appId, { name: 't' });
    const dataDir = lns.dataDir;
    await lns.stop();
    await start(dataDir);
  });

  afterAll(async () => {
    await stop();
    for (const e of [healthy, flaky, hanging, refused]) await e?.close();
  });

  describe('REST', () => {
    const post = (body: unknown, id = appId) =>
      api()
        .post(`/api/applications/${id}/webhooks`)
        .set('Authorization', auth())
        .send(body as object);

    it.each([
      [{ url: 'ftp://example.com/x' }, 'url', 'must be an http:// or https:// URL'],
      [{ url: 'https://u:p@example.com/x' }, 'url', expect.stringMatching(/^must not contain credentials/)],
      [{}, 'url', 'must be a string'],
      [
        { url: 'http://example.com', headers: { 'Bad Name': 'x' } },
        'headers',
        expect.stringMatching(/not an HTTP token/),
      ],
      [
        { url: 'http://example.com', headers: { 'X-A': 'a\r\nB: c' } },
        'headers',
        expect.stringMatching(/X-A value/),
      ],
      [
        { url: 'http://example.com', headers: { 'Content-Type': 'text/plain' } },
        'headers',
        'header Content-Type is set by the server',
      ],
      [
        { url: 'http://example.com', events: ['up', 'uplink'] },
        'events',
        'each must be one of up, join, ack, txack, status, log',
      ],
      [{ url: 'http://example.com', events: [] }, 'events', expect.stringMatching(/at least one event type/)],
      [{ url: 'http://example.com', secret: 1 }, 'secret', 'property secret should not exist'],
    ])('refuses %j with 400 naming %s', async (body, field, reason) => {
      const res = await post(body).expect(400);
      expect(res.body.fields).toContainEqual({ field, reason });
    });

    it('answers 404 for an unknown application, 401 without a token', async () => {
      const res = await post({ url: 'http://example.com' }, '00000000-0000-0000-0000-000000000000').expect(
        404,
      );
      expect(res.body.fields).toEqual([{ field: 'id', reason: 'no such application' }]);
      await api().get(`/api/applications/${appId}/webhooks`).expect(401);
    });

    it('creates webhooks and lists them with header names, never the values', async () => {
      const created = await post({
        url: healthy.url('/lns?tenant=acme'),
        headers: { Authorization: HOOK_SECRET, 'X-Tenant': 'acme' },
      }).expect(201);
      expect(created.body).toMatchObject({
        id: expect.any(String),
        applicationId: appId,
        url: healthy.url('/lns?tenant=acme'),
        headerNames: ['Authorization', 'X-Tenant'],
        events: ['up', 'join', 'ack', 'txack', 'status', 'log'],
      });
      hookIds.healthy = created.body.id;
      hookIds.flaky = (await post({ url: flaky.url(), events: ['up'] }).expect(201)).body.id;
      hookIds.hanging = (await post({ url: hanging.url() }).expect(201)).body.id;
      hookIds.refused = (await post({ url: `http://127.0.0.1:${refusedPort}/down` }).expect(201)).body.id;
      const list = await api()
        .get(`/api/applications/${appId}/webhooks`)
        .set('Authorization', auth())
        .expect(200);
      expect(list.body.map((w: { id: string }) => w.id)).toEqual([
        hookIds.healthy,
        hookIds.flaky,
        hookIds.hanging,
        hookIds.refused,
      ]);
      expect(JSON.stringify(list.body)).not.toContain('hook-secret');
    });
  });

  describe('delivery', () => {
    it('POSTs the up event to each webhook with its headers, the same JSON as on MQTT', async () => {
      const { sentAt } = await uplink('first');
      await eventually(() => ups().length === 1, 3000);
      await eventually(() => healthy.requests.length === 1, 3000);
      const [req] = healthy.requests;
      expect(req).toMatchObject({ method: 'POST', url: '/lns?tenant=acme&event=up' });
      expect(req.headers).toMatchObject({
        authorization: HOOK_SECRET,
        'x-tenant': 'acme',
        'x-lns-event': 'up',
        'content-type': 'application/json',
        'x-lns-delivery-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(JSON.parse(req.body)).toEqual(ups()[0].json);
      expect(JSON.parse(req.body)).toMatchObject({
        fCnt: 0,
        fPort: 5,
        data: Buffer.from('first').toString('base64'),
      });
      expect(req.receivedAt - sentAt).toBeLessThan(1_000);
    });

    it('delivers to an endpoint that answered 500 once, after the back-off', async () => {
      await eventually(() => flaky.requests.length === 2, 5_000);
      const [first, second] = flaky.requests;
      expect(second.body).toBe(first.body);
      expect(second.headers['x-lns-delivery-id']).toBe(first.headers['x-lns-delivery-id']);
      // 1 s ± 20 % jitter
      expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(750);
    });

    it('keeps MQTT events and a healthy webhook prompt while one endpoint hangs and one refuses connections', async () => {
      for (let i = 0; i < 5; i++) {
        const before = ups().length;
        const { sentAt } = await uplink(`next ${i}`);
        await eventually(() => ups().length === before + 1, 3000);
        expect(ups()[before].receivedAt - sentAt).toBeLessThan(500);
        await new Promise((r) => setTimeout(r, 100));
      }
      await eventually(() => healthy.requests.length === 6, 3000);
      expect(healthy.bodies<{ fCnt: number }>().map((b) => b.fCnt)).toEqual([0, 1, 2, 3, 4, 5]);
      // The hanging endpoint holds one probe at a time after its first timeout, nothing more.
      expect(hanging.requests.length).toBeLessThanOrEqual(4);
    });

    it('shows the failing endpoints with their backlog and last error', async () => {
      const list = await api()
        .get(`/api/applications/${appId}/webhooks`)
        .set('Authorization', auth())
        .expect(200);
      const byId = new Map(list.body.map((w: { id: string }) => [w.id, w]));
      expect(byId.get(hookIds.healthy)).toMatchObject({ pending: 0, failures: 0 });
      expect(byId.get(hookIds.refused)).toMatchObject({
        pending: 6,
        failures: expect.any(Number),
        lastError: expect.stringContaining('ECONNREFUSED'),
        nextAttemptAt: expect.any(String),
      });
      expect(byId.get(hookIds.hanging)).toMatchObject({ pending: 6 });
      // Header values are sealed at rest and never logged.
      expect(lns.output()).not.toContain('hook-secret');
    });
  });

  describe('across a restart', () => {
    it('delivers what the outbox held to an endpoint that comes back after the restart, each event once', async () => {
      const dataDir = lns.dataDir;
      await stop();
      refused = await TestEndpoint.start(() => 200, refusedPort);
      await start(dataDir);
      // The back-off in force before the restart (up to 8 s ± 20 % by now) is kept across it.
      await eventually(() => refused!.requests.length >= 6, 15_000);
      const bodies = refused.requests
        .filter((r) => r.url === '/down?event=up')
        .map((r) => JSON.parse(r.body));
      // Each exactly once; requests in flight together may overtake each other (best-effort order).
      expect(bodies.map((b) => b.fCnt).sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(bodies[0].fCnt).toBe(0);
      await eventually(async () => {
        const list = await api().get(`/api/applications/${appId}/webhooks`).set('Authorization', auth());
        return list.body.find((w: { id: string }) => w.id === hookIds.refused)?.pending === 0;
      }, 3000);
    });

    it('deletes a webhook: 204, gone from the list, 404 the second time', async () => {
      await api()
        .delete(`/api/applications/${appId}/webhooks/${hookIds.hanging}`)
        .set('Authorization', auth())
        .expect(204);
      const list = await api()
        .get(`/api/applications/${appId}/webhooks`)
        .set('Authorization', auth())
        .expect(200);
      expect(list.body.map((w: { id: string }) => w.id)).not.toContain(hookIds.hanging);
      const again = await api()
        .delete(`/api/applications/${appId}/webhooks/${hookIds.hanging}`)
        .set('Authorization', auth())
        .expect(404);
      expect(again.body.fields).toEqual([
        { field: 'webhookId', reason: 'no such webhook in this application' },
      ]);
    });
  });
});
