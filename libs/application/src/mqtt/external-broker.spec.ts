import { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { connectAsync, MqttClient } from 'mqtt';
import { LnsConfig } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { ApiTokenService } from '../tokens/api-token.service';
import { EmbeddedMqttBroker } from './embedded-broker';
import { ExternalMqttPublisher } from './external-broker';
import { MqttCounters } from './mqtt-counters';

/**
 * The external publisher's write batching, against an embedded broker standing in for
 * Mosquitto (test/mosquitto.e2e-spec.ts runs the real one).
 */
/** The embedded broker lets clients publish commands only (topic-acl.ts); bytes are bytes here. */
const COMMAND_TOPIC = 'application/a/device/d/command/down';

describe('ExternalMqttPublisher write batching', () => {
  let broker: EmbeddedMqttBroker;
  let publisher: ExternalMqttPublisher;
  let reader: MqttClient;

  beforeAll(() => Logger.overrideLogger(['error']));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  beforeEach(async () => {
    const tokens = {
      verify: async () => ({ applicationId: null, readOnly: false, tokenId: null }),
    } as unknown as ApiTokenService;
    const brokerConfig = { mqtt: { port: 0, host: '127.0.0.1', url: '', qos: 0 } } as LnsConfig;
    broker = new EmbeddedMqttBroker(brokerConfig, tokens, new EventBus(), new MqttCounters());
    await broker.onApplicationBootstrap();
    reader = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: 't',
      password: 't',
      reconnectPeriod: 0,
    });
    await reader.subscribeAsync('application/#', { qos: 0 });
  });

  afterEach(async () => {
    await publisher.onApplicationShutdown();
    await reader.endAsync(true);
    await broker.onApplicationShutdown();
  });

  it('sends the events of one turn in one write, in order, however many tasks published them', async () => {
    const url = `mqtt://127.0.0.1:${broker.port}`;
    publisher = new ExternalMqttPublisher({ mqtt: { url, qos: 0 } } as LnsConfig);
    publisher.onApplicationBootstrap();
    const client = (publisher as unknown as { client: MqttClient }).client;
    await new Promise((resolve) => client.once('connect', resolve));

    const stream = client.stream as Duplex;
    let writes = 0;
    const countWrite = (original: (...a: never[]) => void) =>
      function (this: Duplex, ...args: never[]) {
        writes++;
        original.apply(this, args);
      };
    stream._write = countWrite(stream._write.bind(stream));
    if (stream._writev) stream._writev = countWrite(stream._writev.bind(stream));

    const received: number[] = [];
    reader.on('message', (_t, payload) => received.push(Number(payload.toString())));
    // Each from its own task, as the dedup window's timers publish: mqtt-packet's own cork
    // only joins the packets of one task.
    for (let i = 0; i < 100; i++) {
      setImmediate(() => void publisher.publish(COMMAND_TOPIC, Buffer.from(String(i)), 0));
    }
    const deadline = Date.now() + 5_000;
    while (received.length < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));

    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // One write for the turn's 100 PUBLISH packets (not 100); PINGREQ and the like may add one.
    expect(writes).toBeLessThanOrEqual(2);
  });
});
