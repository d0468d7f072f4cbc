import { randomUUID } from 'node:crypto';
import { connectAsync, IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { DataSource } from 'typeorm';
import { EmbeddedMqttBroker, MqttCounters, MqttPublisher } from '@lns/application';
import { ApplicationDownlinkRequest, ApplicationEvent, LogEvent, UpEvent } from '@lns/event-bus';
import { ApplicationEntity, DeviceEntity, DeviceProfileEntity } from '@lns/storage';
import { IN_PROCESS_ADMIN_TOKEN, InProcessLns, startLnsInProcess } from './support/in-process-lns';
import { startLnsProcess } from './support/lns-process';
import { eventually } from './support/udp-probe';

const APP_A = randomUUID();
const APP_B = randomUUID();
const DEV_A = '70b3d57ed0000001';
const DEV_B = '70b3d57ed0000002';

interface Received {
  topic: string;
  json: unknown;
  packet: IPublishPacket;
}

/** An MQTT client that remembers every message it gets. */
interface TestClient {
  client: MqttClient;
  messages: Received[];
}

/** Resolves when the client's connection closes. */
function closeOf(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

function upEvent(applicationId: string, devEui: string, fCnt: number): ApplicationEvent {
  const payload: UpEvent = {
    deduplicationId: randomUUID(),
    time: new Date().toISOString(),
    deviceInfo: {
      applicationId,
      applicationName: 'app',
      deviceProfileId: 'p',
      deviceProfileName: 'p',
      deviceName: 'd',
      devEui,
      deviceClassEnabled: 'CLASS_A',
      tags: {},
    },
    devAddr: '01020304',
    adr: true,
    dr: 5,
    fCnt,
    fPort: 1,
    confirmed: false,
    data: 'AQID',
    rxInfo: [],
    txInfo: {
      frequency: 868100000,
      modulation: { lora: { bandwidth: 125000, spreadingFactor: 7, codeRate: 'CR_4_5' } },
    },
  };
  return { type: 'up', applicationId, devEui, payload };
}

describe('MQTT, embedded broker', () => {
  let lns: InProcessLns;
  let port: number;
  let counters: MqttCounters;
  const clients: MqttClient[] = [];
  let tokenA: string;
  let tokenAReadOnly: string;
  let tokenB: string;

  async function connect(password: string | undefined, opts: IClientOptions = {}): Promise<TestClient> {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: 'any',
      password,
      reconnectPeriod: 0,
      connectTimeout: 2000,
      ...opts,
    });
    clients.push(client);
    const messages: Received[] = [];
    client.on('message', (topic, payload, packet) => {
      let json: unknown;
      try {
        json = JSON.parse(payload.toString());
      } catch {
        json = payload.toString();
      }
      messages.push({ topic, json, packet });
    });
    return { client, messages };
  }

  async function createToken(applicationId: string, readOnly = false): Promise<string> {
    const res = await lns.api.post(`/api/applications/${applicationId}/tokens`).send({ name: 't', readOnly });
    expect(res.status).toBe(201);
    return res.body.token as string;
  }

  const downlinks: ApplicationDownlinkRequest[] = [];

  beforeAll(async () => {
    lns = await startLnsInProcess();
    const broker = lns.app.get(MqttPublisher);
    expect(broker).toBeInstanceOf(EmbeddedMqttBroker);
    port = (broker as EmbeddedMqttBroker).port!;
    counters = lns.app.get(MqttCounters);
    const db = lns.app.get(DataSource);
    // The applications and a device, straight into the registry tables.
    const now = new Date();
    await db.getRepository(ApplicationEntity).insert([
      { id: APP_A, name: 'app a', endToEnd: false, createdAt: now },
      { id: APP_B, name: 'app b', endToEnd: false, createdAt: now },
    ]);
    const profileId = randomUUID();
    await db.getRepository(DeviceProfileEntity).insert({
      id: profileId,
      name: 'eu868 class a',
      region: 'EU868',
      macVersion: '1.0.4',
      regParamsRevision: null,
      supportsClassC: false,
      adrEnabled: true,
      rx1Delay: 1,
      rx1DrOffset: 0,
      rx2DataRate: null,
      rx2Frequency: null,
      subBand: null,
      createdAt: now,
    });
    await db.getRepository(DeviceEntity).insert({
      devEui: DEV_A,
      joinEui: null,
      name: 'sensor a',
      description: '',
      applicationId: APP_A,
      deviceProfileId: profileId,
      activation: 'ABP',
      joinServer: null,
      tags: { floor: '2' },
      createdAt: now,
    });
    tokenA = await createToken(APP_A);
    tokenAReadOnly = await createToken(APP_A, true);
    tokenB = await createToken(APP_B);
    lns.bus.on('application.downlink', (d) => void downlinks.push(d));
  });

  afterAll(async () => {
    for (const c of clients) c.end(true);
    await lns?.close();
  });

  describe('tokens (REST)', () => {
    it('creates a token shown once, lists tokens without secrets, deletes', async () => {
      const created = await lns.api
        .post(`/api/applications/${APP_B}/tokens`)
        .send({ name: 'grafana' })
        .expect(201);
      expect(created.body).toMatchObject({ applicationId: APP_B, name: 'grafana', readOnly: false });
      expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.body.token).toMatch(/^lns_[A-Za-z0-9_-]{43}$/);
      const list = await lns.api.get(`/api/applications/${APP_B}/tokens`).expect(200);
      expect(list.body.map((t: { name: string }) => t.name)).toEqual(['t', 'grafana']);
      expect(JSON.stringify(list.body)).not.toContain(created.body.token);
      expect(list.body[0]).not.toHaveProperty('tokenHash');
      await lns.api.delete(`/api/applications/${APP_B}/tokens/${created.body.id}`).expect(204);
      const again = await lns.api.delete(`/api/applications/${APP_B}/tokens/${created.body.id}`).expect(404);
      expect(again.body.fields).toEqual([{ field: 'tokenId', reason: 'no such token in this application' }]);
    });

    it('answers 404 naming the field for an unknown application', async () => {
      for (const res of [
        await lns.api.post(`/api/applications/${randomUUID()}/tokens`).send({ name: 'x' }),
        await lns.api.get(`/api/applications/${randomUUID()}/tokens`),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.fields).toEqual([{ field: 'id', reason: 'no such application' }]);
      }
    });

    it.each([
      ['no name', {}, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a name of 101 characters', { name: 'x'.repeat(101) }, 'name'],
      ['readOnly "yes"', { name: 'x', readOnly: 'yes' }, 'readOnly'],
      ['an unknown field', { name: 'x', admin: true }, 'admin'],
    ])('refuses %s, naming the field', async (_case, body, field) => {
      const res = await lns.api.post(`/api/applications/${APP_A}/tokens`).send(body).expect(400);
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
    });

    it('is in the OpenAPI document', async () => {
      const res = await lns.api.get('/api/docs/json').expect(200);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/api/applications/{id}/tokens', '/api/applications/{id}/tokens/{tokenId}']),
      );
    });

    it('are made with the admin token only; an application token may list its own (docs/api-tokens.md)', async () => {
      const made = await lns.api
        .post(`/api/applications/${APP_A}/tokens`)
        .set('Authorization', `Bearer ${tokenA}`)
        .send({ name: 'minted by a token' })
        .expect(403);
      expect(made.body.message).toMatch(/admin token/);
      const listed = await lns.api
        .get(`/api/applications/${APP_A}/tokens`)
        .set('Authorization', `Bearer ${tokenA}`)
        .expect(200);
      expect(JSON.stringify(listed.body)).not.toContain(tokenA);
      await lns.api
        .get(`/api/applications/${APP_A}/tokens`)
        .set('Authorization', `Bearer ${tokenB}`)
        .expect(403);
      await lns.api.get(`/api/applications/${APP_A}/tokens`).set('Authorization', 'Bearer nope').expect(401);
    });
  });

  describe('login', () => {
    it.each([
      ['a wrong token', 'wrong-token'],
      ['a made-up application token', 'lns_' + 'A'.repeat(43)],
      ['an empty password', ''],
      ['no password', undefined],
    ])('refuses %s with "bad user name or password"', async (_case, password) => {
      const before = counters.loginsRefused;
      await expect(connect(password)).rejects.toThrow(/Bad username or password/);
      expect(counters.loginsRefused).toBe(before + 1);
    });

    it('takes the admin token and application tokens, with any user name', async () => {
      for (const password of [IN_PROCESS_ADMIN_TOKEN, tokenA, tokenAReadOnly, tokenB]) {
        const { client } = await connect(password, { username: randomUUID() });
        expect(client.connected).toBe(true);
      }
    });

    it("refuses a client id held by another token's connection, allows the same token to take it over", async () => {
      const clientId = `shared-${randomUUID().slice(0, 8)}`;
      const first = await connect(tokenA, { clientId });
      await expect(connect(tokenB, { clientId })).rejects.toThrow(/Identifier rejected/);
      expect(first.client.connected).toBe(true);
      const closed = closeOf(first.client);
      const second = await connect(tokenA, { clientId });
      await closed;
      expect(second.client.connected).toBe(true);
    });
  });

  describe('events', () => {
    it('an application token sees its own application only; the admin sees all', async () => {
      const a = await connect(tokenA);
      await a.client.subscribeAsync(`application/${APP_A}/#`);
      const ro = await connect(tokenAReadOnly);
      await ro.client.subscribeAsync(`application/${APP_A}/device/+/event/up`);
      const admin = await connect(IN_PROCESS_ADMIN_TOKEN);
      await admin.client.subscribeAsync('#');

      lns.bus.emit('application.event', upEvent(APP_B, DEV_B, 7));
      const eventA = upEvent(APP_A, DEV_A, 8);
      lns.bus.emit('application.event', eventA);

      const ups = (m: Received[]) => m.filter((x) => x.topic.endsWith('/event/up'));
      await eventually(
        () =>
          ups(admin.messages).length === 2 && ups(a.messages).length === 1 && ups(ro.messages).length === 1,
      );
      await new Promise((r) => setTimeout(r, 100));
      expect(ups(admin.messages).map((m) => m.topic)).toEqual([
        `application/${APP_B}/device/${DEV_B}/event/up`,
        `application/${APP_A}/device/${DEV_A}/event/up`,
      ]);
      for (const c of [a, ro]) {
        expect(ups(c.messages)).toHaveLength(1);
        expect(ups(c.messages)[0].topic).toBe(`application/${APP_A}/device/${DEV_A}/event/up`);
        expect(ups(c.messages)[0].json).toEqual(eventA.payload);
        expect(ups(c.messages)[0].packet.qos).toBe(0);
        expect(ups(c.messages)[0].packet.retain).toBe(false);
      }
    });

    it.each([
      ['#', () => '#'],
      ['+/#', () => '+/#'],
      ['application/#', () => 'application/#'],
      ['application/+/device/+/event/up', () => 'application/+/device/+/event/up'],
      ["another application's tree", () => `application/${APP_B}/#`],
      ['$SYS/#', () => '$SYS/#'],
    ])(
      'an application token cannot subscribe to %s (SUBACK 0x80) and stays connected',
      async (_name, filter) => {
        const a = await connect(tokenA);
        await expect(a.client.subscribeAsync(filter())).rejects.toMatchObject({ packet: { granted: [128] } });
        expect(a.client.connected).toBe(true);
        // Still served on its own topics.
        await a.client.subscribeAsync(`application/${APP_A}/#`);
        lns.bus.emit('application.event', upEvent(APP_B, DEV_B, 1));
        lns.bus.emit('application.event', upEvent(APP_A, DEV_A, 2));
        await eventually(() => a.messages.length >= 1);
        await new Promise((r) => setTimeout(r, 50));
        expect(a.messages.every((m) => m.topic.startsWith(`application/${APP_A}/`))).toBe(true);
      },
    );
  });

  describe('publishing', () => {
    it.each([
      ['an event topic', () => `application/${APP_A}/device/${DEV_A}/event/up`, () => tokenA],
      [
        "another application's command topic",
        () => `application/${APP_B}/device/${DEV_B}/command/down`,
        () => tokenA,
      ],
      ['any other topic', () => 'hello', () => tokenA],
      [
        'an event topic, as admin',
        () => `application/${APP_A}/device/${DEV_A}/event/up`,
        () => IN_PROCESS_ADMIN_TOKEN,
      ],
      [
        'its own command topic with a read-only token',
        () => `application/${APP_A}/device/${DEV_A}/command/down`,
        () => tokenAReadOnly,
      ],
    ])('refuses %s by closing the connection (MQTT 3.1.1 §3.3.5)', async (_case, topic, token) => {
      const watcher = await connect(IN_PROCESS_ADMIN_TOKEN);
      await watcher.client.subscribeAsync('application/#');
      const before = { downlinks: downlinks.length, refused: counters.publishesRefused };
      const c = await connect(token());
      const closed = closeOf(c.client);
      c.client.publish(topic(), JSON.stringify({ fPort: 1, data: 'AQ==' }), { qos: 1 });
      await closed;
      await new Promise((r) => setTimeout(r, 50));
      expect(counters.publishesRefused).toBe(before.refused + 1);
      expect(downlinks).toHaveLength(before.downlinks);
      expect(watcher.messages.filter((m) => m.topic === topic())).toEqual([]);
    });

    it('turns command/down into application.downlink with the fields of the command', async () => {
      const a = await connect(tokenA);
      const before = downlinks.length;
      await a.client.publishAsync(
        `application/${APP_A}/device/${DEV_A.toUpperCase()}/command/down`,
        JSON.stringify({ devEui: DEV_A, confirmed: true, fPort: 10, data: 'AQIDBA==' }),
        { qos: 1 },
      );
      await eventually(() => downlinks.length === before + 1);
      expect(downlinks[before]).toEqual({
        applicationId: APP_A,
        devEui: DEV_A,
        fPort: 10,
        data: 'AQIDBA==',
        confirmed: true,
      });
      const admin = await connect(IN_PROCESS_ADMIN_TOKEN);
      await admin.client.publishAsync(
        `application/${APP_B}/device/${DEV_B}/command/down`,
        JSON.stringify({ fPort: 2, data: '', fCntDown: 9, isEncrypted: true }),
      );
      await eventually(() => downlinks.length === before + 2);
      expect(downlinks[before + 1]).toEqual({
        applicationId: APP_B,
        devEui: DEV_B,
        fPort: 2,
        data: '',
        confirmed: false,
        fCntDown: 9,
        isEncrypted: true,
      });
    });

    it('answers an invalid command with a log event on the device topic', async () => {
      const a = await connect(tokenA);
      await a.client.subscribeAsync(`application/${APP_A}/device/${DEV_A}/event/log`);
      const before = { downlinks: downlinks.length, rejected: counters.commandsRejected };
      await a.client.publishAsync(
        `application/${APP_A}/device/${DEV_A}/command/down`,
        JSON.stringify({ fPort: 224, data: 'AQ==' }),
      );
      await a.client.publishAsync(`application/${APP_A}/device/${DEV_A}/command/down`, 'not json');
      const logs = () =>
        a.messages
          .map((m) => m.json as LogEvent)
          .filter((l) => l.description?.startsWith('command/down refused'));
      await eventually(() => logs().length === 2);
      expect(logs()[0]).toMatchObject({
        level: 'ERROR',
        code: 'DOWNLINK_CODEC',
        context: { field: 'fPort', reason: 'must be an integer 1-223' },
        deviceInfo: {
          applicationId: APP_A,
          applicationName: 'app a',
          devEui: DEV_A,
          deviceName: 'sensor a',
          deviceProfileName: 'eu868 class a',
          tags: { floor: '2' },
        },
      });
      expect(logs()[1]).toMatchObject({ context: { field: 'body', reason: 'must be JSON' } });
      expect(counters.commandsRejected).toBe(before.rejected + 2);
      expect(downlinks).toHaveLength(before.downlinks);
      expect(a.client.connected).toBe(true);
    });

    it('does not keep a command retained', async () => {
      const a = await connect(tokenA);
      const before = downlinks.length;
      await a.client.publishAsync(
        `application/${APP_A}/device/${DEV_A}/command/down`,
        JSON.stringify({ fPort: 3, data: 'AQ==' }),
        { retain: true, qos: 1 },
      );
      await eventually(() => downlinks.length === before + 1);
      const late = await connect(tokenA);
      await late.client.subscribeAsync(`application/${APP_A}/#`);
      await new Promise((r) => setTimeout(r, 100));
      expect(late.messages.filter((m) => m.topic.endsWith('/command/down'))).toEqual([]);
    });
  });

  describe('revocation', () => {
    it('closes the connections of a deleted token and refuses it from then on', async () => {
      const created = await lns.api
        .post(`/api/applications/${APP_A}/tokens`)
        .send({ name: 'temp' })
        .expect(201);
      const c1 = await connect(created.body.token);
      const c2 = await connect(created.body.token);
      const other = await connect(tokenA);
      const closed = Promise.all([closeOf(c1.client), closeOf(c2.client)]);
      await lns.api.delete(`/api/applications/${APP_A}/tokens/${created.body.id}`).expect(204);
      await closed;
      expect(other.client.connected).toBe(true);
      await expect(connect(created.body.token)).rejects.toThrow(/Bad username or password/);
    });
  });
});

describe('MQTT, lns process', () => {
  it('logs the bound port for port 0 and shuts down cleanly with clients connected', async () => {
    const lns = await startLnsProcess({}, ['http', 'mqtt']);
    try {
      expect(lns.output()).toMatch(/listening mqtt=\d+/);
      expect(lns.ports.mqtt).toBeGreaterThan(0);
      const url = `mqtt://127.0.0.1:${lns.ports.mqtt}`;
      const opts = { username: 'u', password: lns.adminToken(), reconnectPeriod: 0 };
      const subscriber = await connectAsync(url, opts);
      await subscriber.subscribeAsync('#');
      const idle = await connectAsync(url, opts);
      const closed = Promise.all([closeOf(subscriber), closeOf(idle)]);
      expect(await lns.stop('SIGTERM')).toBe(0);
      await closed;
      expect(lns.output()).toMatch(/stopped/);
    } finally {
      await lns.stop('SIGKILL');
    }
  });
});
