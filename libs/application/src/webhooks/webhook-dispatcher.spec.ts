import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApplicationEvent, EventBus, LogEvent, UpEvent } from '@lns/event-bus';
import { ApplicationEntity, KeyCipher, MIGRATIONS } from '@lns/storage';
import { WebhookOutboxEntity } from './outbox/webhook-outbox.entity';
import { eventually, TestEndpoint } from './webhook-test-support';
import { WebhookCounters } from './webhook-counters';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEntity } from './webhook.entity';
import { webhookOptions, WebhookOptions } from './webhook-options';
import { WebhookRepository } from './webhook.repository';
import { WebhookService } from './webhook.service';

const cipher = new KeyCipher(Buffer.alloc(32, 7));

// The give-ups these tests provoke are logged on purpose; the assertions read the bus and counters.
Logger.overrideLogger(false);
const APP = 'app-1';
const OTHER_APP = 'app-2';
const DEV = '0102030405060708';

async function openDatabase(file: string): Promise<DataSource> {
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: file,
    entities: [ApplicationEntity, WebhookEntity, WebhookOutboxEntity],
    migrations: MIGRATIONS,
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
    },
  });
  await ds.initialize();
  await ds.runMigrations();
  return ds;
}

function upEvent(fCnt: number, applicationId = APP): ApplicationEvent {
  const payload = {
    deduplicationId: `dedup-${fCnt}`,
    time: new Date().toISOString(),
    deviceInfo: {
      applicationId,
      applicationName: 'a',
      deviceProfileId: 'p',
      deviceProfileName: 'p',
      deviceName: 'meter',
      devEui: DEV,
      deviceClassEnabled: 'CLASS_A',
      tags: {},
    },
    devAddr: '26011bda',
    adr: true,
    dr: 5,
    fCnt,
    fPort: 1,
    confirmed: false,
    data: 'AQI=',
    rxInfo: [],
    txInfo: {
      frequency: 868_100_000,
      modulation: { lora: { bandwidth: 125_000, spreadingFactor: 7, codeRate: 'CR_4_5' } },
    },
  } satisfies UpEvent;
  return { type: 'up', applicationId, devEui: DEV, payload };
}

/** A webhook server side over one database file; `restart()` is a new process on the same file. */
class Harness {
  bus = new EventBus();
  counters = new WebhookCounters();
  ds!: DataSource;
  dispatcher!: WebhookDispatcher;
  service!: WebhookService;
  readonly events: ApplicationEvent[] = [];

  constructor(
    readonly file: string,
    readonly options: WebhookOptions,
  ) {}

  async start(): Promise<this> {
    this.bus = new EventBus();
    this.counters = new WebhookCounters();
    this.events.length = 0;
    this.bus.on('application.event', (e) => void this.events.push(e));
    this.ds = await openDatabase(this.file);
    const repository = new WebhookRepository(this.ds);
    this.dispatcher = new WebhookDispatcher(this.bus, repository, this.counters, cipher, this.options);
    this.service = new WebhookService(repository, this.dispatcher, cipher, this.options);
    await this.dispatcher.onModuleInit();
    return this;
  }

  async stop(): Promise<void> {
    await this.dispatcher.close();
    await this.ds.destroy();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  outboxRows(): Promise<WebhookOutboxEntity[]> {
    return this.ds.getRepository(WebhookOutboxEntity).find({ order: { id: 'ASC' } });
  }

  logs(): LogEvent[] {
    return this.events.filter((e) => e.type === 'log').map((e) => e.payload as LogEvent);
  }
}

describe('WebhookDispatcher (SQLite, real HTTP endpoints)', () => {
  let dir: string;
  let h: Harness;
  const endpoints: TestEndpoint[] = [];
  const endpoint = async (...args: Parameters<typeof TestEndpoint.start>) => {
    const e = await TestEndpoint.start(...args);
    endpoints.push(e);
    return e;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lns-webhooks-'));
    h = new Harness(
      join(dir, 'lns.sqlite'),
      webhookOptions({
        initialBackoffMs: 50,
        maxBackoffMs: 400,
        jitter: 0,
        requestTimeoutMs: 5_000,
        shutdownGraceMs: 100,
      }),
    );
    await h.start();
    await h.ds.getRepository(ApplicationEntity).insert([
      { id: APP, name: 'a', endToEnd: false, createdAt: new Date() },
      { id: OTHER_APP, name: 'b', endToEnd: false, createdAt: new Date() },
    ]);
  });

  afterEach(async () => {
    await h.stop();
    await Promise.all(endpoints.splice(0).map((e) => e.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('POSTs each event of an application to its webhooks, the MQTT payload as JSON, filtered by event type', async () => {
    const all = await endpoint();
    const joinsOnly = await endpoint();
    const other = await endpoint();
    await h.service.create(APP, { url: all.url('/all'), headers: { Authorization: 'Bearer t0k' } });
    await h.service.create(APP, { url: joinsOnly.url('/joins'), events: ['join'] });
    await h.service.create(OTHER_APP, { url: other.url() });
    const up = upEvent(1);
    h.bus.emit('application.event', up);
    await eventually(() => h.counters.delivered === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(all.requests).toHaveLength(1);
    expect(all.requests[0]).toMatchObject({
      method: 'POST',
      url: '/all?event=up',
      body: JSON.stringify(up.payload),
    });
    expect(all.requests[0].headers).toMatchObject({ authorization: 'Bearer t0k', 'x-lns-event': 'up' });
    expect(joinsOnly.requests).toEqual([]);
    expect(other.requests).toEqual([]);
    await eventually(async () => (await h.outboxRows()).length === 0);
  });

  it('isolates endpoints: one that never answers does not delay a healthy one, nor the bus', async () => {
    const hanging = await endpoint(() => 'hang');
    const healthy = await endpoint();
    const hangingHook = await h.service.create(APP, { url: hanging.url() });
    await h.service.create(APP, { url: healthy.url() });
    const sentAt: number[] = [];
    for (let fCnt = 0; fCnt < 40; fCnt++) {
      const t0 = performance.now();
      h.bus.emit('application.event', upEvent(fCnt));
      // The bus handler only appends to memory.
      expect(performance.now() - t0).toBeLessThan(20);
      sentAt.push(Date.now());
      await new Promise((r) => setTimeout(r, 5));
    }
    await eventually(() => healthy.requests.length === 40, 2_000);
    const received = healthy.requests.map((r) => ({
      at: r.receivedAt,
      fCnt: (JSON.parse(r.body) as { fCnt: number }).fCnt,
    }));
    expect(Math.max(...received.map((r) => r.at - sentAt[r.fCnt]))).toBeLessThan(500);
    // Every event once; two in flight together may arrive in either order (best effort).
    expect(received.map((r) => r.fCnt).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
    // The hanging one holds only its own connections (its concurrency), and nothing was lost for it.
    expect(hanging.requests.length).toBe(h.options.concurrency);
    await eventually(async () => (await h.outboxRows()).length === 40);
    expect(new Set((await h.outboxRows()).map((r) => r.webhookId))).toEqual(new Set([hangingHook.id]));
  });

  it('retries a 500 with back-off and delivers on the 200, with the same delivery id each time', async () => {
    const flaky = await endpoint((_r, n) => (n < 2 ? 500 : 200));
    await h.service.create(APP, { url: flaky.url() });
    h.bus.emit('application.event', upEvent(7));
    await eventually(() => h.counters.delivered === 1, 3_000);
    expect(flaky.requests).toHaveLength(3);
    expect(new Set(flaky.requests.map((r) => r.headers['x-lns-delivery-id'])).size).toBe(1);
    expect(flaky.requests[1].receivedAt - flaky.requests[0].receivedAt).toBeGreaterThanOrEqual(45);
    expect(flaky.requests[2].receivedAt - flaky.requests[1].receivedAt).toBeGreaterThanOrEqual(95);
    expect(h.counters).toMatchObject({ retries: 2, delivered: 1, rejected: 0, expired: 0 });
    expect(h.logs()).toEqual([]);
  });

  it('delivers after a restart what the outbox held before it, in order', async () => {
    const down = await endpoint(() => 503);
    const port = down.port;
    await h.service.create(APP, { url: down.url() });
    for (let fCnt = 0; fCnt < 5; fCnt++) h.bus.emit('application.event', upEvent(fCnt));
    await eventually(() => h.counters.enqueued === 5);
    await eventually(() => h.counters.retries >= 1);
    await h.stop();
    await down.close();
    endpoints.splice(endpoints.indexOf(down), 1);

    // Another process on the same database file; the endpoint is back.
    const check = await openDatabase(h.file);
    expect(await check.getRepository(WebhookOutboxEntity).count()).toBe(5);
    await check.destroy();
    const back = await endpoint(() => 200, port);
    await h.start();
    await eventually(() => back.requests.length === 5, 3_000);
    expect(back.bodies<{ fCnt: number }>().map((b) => b.fCnt)).toEqual([0, 1, 2, 3, 4]);
    await eventually(async () => (await h.outboxRows()).length === 0);
  });

  it('gives up a delivery the endpoint refuses (4xx): a log event on the bus and a counter, the row gone', async () => {
    const refusing = await endpoint((r) => (r.url.includes('event=up') ? 400 : 204));
    const hook = await h.service.create(APP, { url: `${refusing.url('/in')}?key=secret` });
    h.bus.emit('application.event', upEvent(3));
    await eventually(() => h.logs().length === 1);
    const log = h.logs()[0];
    expect(log).toMatchObject({
      level: 'ERROR',
      code: 'UNKNOWN',
      deviceInfo: { devEui: DEV, applicationId: APP, deviceName: 'meter' },
      context: {
        integration: 'webhook',
        webhookId: hook.id,
        url: `http://127.0.0.1:${refusing.port}/in`,
        event: 'up',
        failure: 'rejected',
        reason: 'HTTP 400',
        status: '400',
        attempts: '1',
      },
    });
    expect(JSON.stringify(log)).not.toContain('secret');
    expect(h.counters.rejected).toBe(1);
    // The report itself reaches the webhook (it takes log events) and is delivered.
    await eventually(() => h.counters.delivered === 1);
    expect(refusing.requests.map((r) => r.headers['x-lns-event'])).toEqual(['up', 'log']);
    await eventually(async () => (await h.outboxRows()).length === 0);
  });

  it('does not report the failure of a failure report again (no loop between failing endpoints)', async () => {
    const a = await endpoint(() => 400);
    const b = await endpoint(() => 422);
    await h.service.create(APP, { url: a.url() });
    await h.service.create(APP, { url: b.url() });
    h.bus.emit('application.event', upEvent(1));
    await eventually(() => h.counters.reportsNotReported === 4);
    await new Promise((r) => setTimeout(r, 100));
    // up to both, then each one's report to both: 2 + 4 requests, 2 log events, and silence.
    expect(a.requests.length + b.requests.length).toBe(6);
    expect(h.logs()).toHaveLength(2);
    expect(h.counters.rejected).toBe(6);
  });

  it('gives up a delivery older than the maximum age with a log event', async () => {
    await h.stop();
    h = new Harness(h.file, webhookOptions({ ...h.options, maxAgeMs: 300, initialBackoffMs: 100 }));
    await h.start();
    const down = await endpoint(() => 503);
    // up only: the report must not come back to this endpoint and expire as well.
    await h.service.create(APP, { url: down.url(), events: ['up'] });
    h.bus.emit('application.event', upEvent(9));
    await eventually(() => h.logs().length === 1, 2_000);
    expect(h.logs()[0].context).toMatchObject({ failure: 'expired', event: 'up', status: '503' });
    expect(h.logs()[0].description).toMatch(/not delivered within 300 ms/);
    expect(h.counters.expired).toBe(1);
  });

  it('deleting a webhook stops it and deletes its undelivered events', async () => {
    const hanging = await endpoint(() => 'hang');
    const hook = await h.service.create(APP, { url: hanging.url() });
    for (let fCnt = 0; fCnt < 6; fCnt++) h.bus.emit('application.event', upEvent(fCnt));
    await eventually(() => h.counters.enqueued === 6);
    await h.service.delete(APP, hook.id);
    expect(await h.outboxRows()).toEqual([]);
    expect(await h.service.list(APP)).toEqual([]);
    h.bus.emit('application.event', upEvent(99));
    await h.dispatcher.flush();
    expect(await h.outboxRows()).toEqual([]);
  });

  it("drops, counted, the events of a webhook whose application was deleted; other webhooks' rows in the same batch are written", async () => {
    const gone = await endpoint();
    const kept = await endpoint();
    await h.service.create(OTHER_APP, { url: gone.url() });
    await h.service.create(APP, { url: kept.url() });
    // As the registry does: the application row goes, its webhooks with it (foreign key).
    await h.ds.getRepository(ApplicationEntity).delete({ id: OTHER_APP });
    h.bus.emit('application.event', upEvent(1, OTHER_APP));
    h.bus.emit('application.event', upEvent(2, APP));
    await eventually(() => kept.requests.length === 1);
    expect(gone.requests).toEqual([]);
    expect(h.counters).toMatchObject({ dropped: 1, commitFailures: 1, enqueued: 1 });
    h.bus.emit('application.event', upEvent(3, OTHER_APP));
    await h.dispatcher.flush();
    expect(h.counters.dropped).toBe(1);
  });
});

describe('WebhookService', () => {
  let dir: string;
  let h: Harness;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lns-webhooks-'));
    h = new Harness(join(dir, 'lns.sqlite'), webhookOptions({ maxPerApplication: 2, shutdownGraceMs: 10 }));
    await h.start();
    await h.ds
      .getRepository(ApplicationEntity)
      .insert({ id: APP, name: 'a', endToEnd: false, createdAt: new Date() });
  });

  afterEach(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a webhook with its headers sealed at rest, lists header names only', async () => {
    const created = await h.service.create(APP, {
      url: 'HTTPS://Hooks.Example.com/in?x=1',
      headers: { Authorization: 'Bearer very-secret-token' },
      events: ['join', 'up'],
    });
    expect(created).toMatchObject({
      applicationId: APP,
      url: 'https://hooks.example.com/in?x=1',
      headerNames: ['Authorization'],
      events: ['up', 'join'],
      pending: 0,
    });
    const [row] = await h.ds.getRepository(WebhookEntity).find();
    expect(row.headers.toString('latin1')).not.toContain('very-secret-token');
    expect(JSON.stringify(await h.service.list(APP))).not.toContain('very-secret-token');
    // The headers come back from the database after a restart.
    await h.restart();
    expect(h.dispatcher.get(created.id)?.headers).toEqual({ Authorization: 'Bearer very-secret-token' });
    expect((await h.service.list(APP)).map((w) => w.events)).toEqual([['up', 'join']]);
  });

  it('lists every event type for a webhook created without a filter', async () => {
    await h.service.create(APP, { url: 'http://example.com/' });
    expect((await h.service.list(APP))[0].events).toEqual(['up', 'join', 'ack', 'txack', 'status', 'log']);
  });

  it('refuses an unknown application, more than the most webhooks, an unknown webhook', async () => {
    await expect(h.service.create('nope', { url: 'http://example.com/' })).rejects.toThrow(
      'application nope does not exist',
    );
    await expect(h.service.list('nope')).rejects.toThrow('application nope does not exist');
    await h.service.create(APP, { url: 'http://example.com/1' });
    await h.service.create(APP, { url: 'http://example.com/2' });
    await expect(h.service.create(APP, { url: 'http://example.com/3' })).rejects.toThrow(
      'already has 2 webhooks',
    );
    await expect(h.service.delete(APP, 'missing')).rejects.toThrow(
      `application ${APP} has no webhook missing`,
    );
  });

  it("does not delete another application's webhook", async () => {
    await h.ds
      .getRepository(ApplicationEntity)
      .insert({ id: OTHER_APP, name: 'b', endToEnd: false, createdAt: new Date() });
    const hook = await h.service.create(APP, { url: 'http://example.com/' });
    await expect(h.service.delete(OTHER_APP, hook.id)).rejects.toThrow('has no webhook');
    expect(await h.service.list(APP)).toHaveLength(1);
  });

  it('skips a webhook whose headers cannot be unsealed (another master key) and starts the rest', async () => {
    const hook = await h.service.create(APP, { url: 'http://example.com/' });
    await h.ds.getRepository(WebhookEntity).update({ id: hook.id }, { headers: Buffer.from('broken') });
    await h.restart();
    expect(h.dispatcher.get(hook.id)).toBeUndefined();
    await h.service.delete(APP, hook.id);
    expect(await h.ds.getRepository(WebhookEntity).count()).toBe(0);
  });
});
