import { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { connectAsync, MqttClient } from 'mqtt';
import * as mqttPacket from 'mqtt-packet';
import { LnsConfig } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { ApiTokenService } from '../tokens/api-token.service';
import { EmbeddedMqttBroker } from './embedded-broker';
import { MqttCounters } from './mqtt-counters';
import { MqttQos } from './mqtt-publisher';

/**
 * The broker's write batching and slow-client limit, with real mqtt.js clients on
 * 127.0.0.1 (the ACLs and logins are test/mqtt.e2e-spec.ts's).
 */
const FILTER = 'application/+/device/+/event/+';
const topic = (i: number) => `application/app/device/${(i % 7).toString(16).padStart(16, '0')}/event/up`;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

async function eventually(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Subscriber {
  client: MqttClient;
  /** The `i` of every message received, in order. */
  received: number[];
}

describe('EmbeddedMqttBroker write batching', () => {
  let broker: EmbeddedMqttBroker;
  let counters: MqttCounters;
  const clients: MqttClient[] = [];

  // Each delivery to a client being closed is a debug line: not this test's subject.
  beforeAll(() => Logger.overrideLogger(['error']));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  async function start(opts: { maxBufferedBytes?: number } = {}): Promise<void> {
    const config = { mqtt: { port: 0, host: '127.0.0.1', url: '', qos: 0 } } as LnsConfig;
    // Every login is the admin's: the ACLs are not what is tested here.
    const tokens = {
      verify: async () => ({ applicationId: null, readOnly: false, tokenId: null }),
    } as unknown as ApiTokenService;
    counters = new MqttCounters();
    broker = new EmbeddedMqttBroker(config, tokens, new EventBus(), counters, opts);
    await broker.onApplicationBootstrap();
  }

  async function subscribe(qos: MqttQos): Promise<Subscriber> {
    const client = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: 'test',
      password: 'token',
      reconnectPeriod: 0,
    });
    clients.push(client);
    await client.subscribeAsync(FILTER, { qos });
    const received: number[] = [];
    client.on('message', (_t, payload) => received.push((JSON.parse(payload.toString()) as { i: number }).i));
    return { client, received };
  }

  /** Publishes events i = from … to-1, `perTurn` of them per event-loop turn. */
  async function publish(from: number, to: number, qos: MqttQos, perTurn: number, pad = 0): Promise<void> {
    const padding = 'x'.repeat(pad);
    for (let i = from; i < to; i++) {
      void broker.publish(topic(i), Buffer.from(JSON.stringify({ i, padding })), qos);
      if ((i - from) % perTurn === perTurn - 1) await nextTurn();
    }
  }

  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await broker.onApplicationShutdown();
  });

  it.each([0, 1] as const)('every subscriber gets every QoS %i event, in order', async (qos) => {
    await start();
    const subs = [await subscribe(0), await subscribe(0), await subscribe(1)];
    await publish(0, 3000, qos, 100);
    await eventually(() => subs.every((s) => s.received.length >= 3000), 'every event');
    for (const s of subs) expect(s.received).toEqual(range(0, 3000));
  });

  it('delivers a burst published in one turn within a few turns, not 100 messages per two turns', async () => {
    // aedes' default concurrency (100) queued a burst's messages in mqemitter, 100 per two
    // event-loop turns: under load the `up` events waited there (DELIVERY_CONCURRENCY).
    await start();
    const sub = await subscribe(0);
    let done = 0;
    for (let i = 0; i < 2000; i++) {
      void broker.publish(topic(i), Buffer.from(JSON.stringify({ i })), 0).then(() => done++);
    }
    let turns = 0;
    while (done < 2000 && turns < 20) {
      await nextTurn();
      turns++;
    }
    expect(done).toBe(2000);
    expect(turns).toBeLessThanOrEqual(4);
    await eventually(() => sub.received.length >= 2000, 'every event');
    expect(sub.received).toEqual(range(0, 2000));
  });

  it('a client gone in the middle of a batch takes nothing from the others', async () => {
    await start();
    const [leaving, staying] = [await subscribe(0), await subscribe(0)];
    await publish(0, 250, 0, 50);
    // The batch of this turn is corked when the client goes.
    void publish(250, 300, 0, 50);
    leaving.client.end(true);
    await publish(300, 500, 0, 50);
    await eventually(() => staying.received.length >= 500, 'every event');
    expect(staying.received).toEqual(range(0, 500));
    expect(leaving.received).toEqual(range(0, leaving.received.length));
    // And the broker still serves new clients.
    const late = await subscribe(0);
    await publish(500, 600, 0, 50);
    await eventually(() => late.received.length >= 100, 'the late client');
    expect(late.received).toEqual(range(500, 600));
  });

  it('closes a subscriber that stops reading, and the others lose nothing', async () => {
    await start({ maxBufferedBytes: 64 * 1024 });
    const healthy = await subscribe(0);
    // A client that subscribes and then stops reading its socket.
    const stuck = new Socket();
    await new Promise<void>((resolve) => stuck.connect(broker.port!, '127.0.0.1', resolve));
    const subacked = new Promise<void>((resolve) => {
      const parser = mqttPacket.parser();
      parser.on('packet', (p) => p.cmd === 'suback' && resolve());
      stuck.on('data', (d: Buffer) => parser.parse(d));
    });
    stuck.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: 'stuck',
        keepalive: 0,
        username: 'test',
        password: Buffer.from('token'),
      }),
    );
    stuck.write(
      mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: FILTER, qos: 0 }] }),
    );
    await subacked;
    stuck.removeAllListeners('data');
    stuck.pause();
    const stuckClosed = new Promise<void>((resolve) => stuck.once('close', () => resolve()));

    // ~1 KB events until the kernel's buffers are full and 64 KiB more wait in the process.
    let sent = 0;
    while (counters.slowClientsClosed === 0 && sent < 40_000) {
      await publish(sent, sent + 50, 0, 50, 1000);
      sent += 50;
    }
    expect(counters.slowClientsClosed).toBe(1);
    await publish(sent, sent + 200, 0, 50, 1000);
    sent += 200;
    await eventually(() => healthy.received.length >= sent, 'every event at the healthy subscriber');
    expect(healthy.received).toEqual(range(0, sent));
    stuck.resume();
    await stuckClosed;
  });
});
