import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import Aedes from 'aedes';
import { connectAsync, MqttClient } from 'mqtt';
import { COMMAND_DOWN_FILTER, ExternalMqttPublisher, MqttCounters, MqttPublisher } from '@lns/application';
import { ApplicationDownlinkRequest, LogEvent } from '@lns/event-bus';
import { InProcessLns, startLnsInProcess } from './support/in-process-lns';
import { startLnsProcess } from './support/lns-process';
import { eventually } from './support/udp-probe';

const USER = 'lns';
const SECRET = 'broker-secret-0123';
const APP = randomUUID();
const DEV = '70b3d57ed00000aa';

/**
 * A bare aedes broker standing in for Mosquitto or EMQX: user name and password required,
 * no ACL. It knows nothing of the LNS.
 */
class StandInBroker {
  readonly aedes = new Aedes({
    authenticate: (_client, username, password, done) =>
      done(null, username === USER && password?.toString() === SECRET),
  });
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor() {
    this.server = createServer({ noDelay: true }, (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      this.aedes.handle(socket);
    });
  }

  static async start(port = 0): Promise<StandInBroker> {
    const b = new StandInBroker();
    await new Promise<void>((resolve) => b.server.listen(port, '127.0.0.1', resolve));
    return b;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves when some client subscribes to `filter`. */
  subscribed(filter: string): Promise<void> {
    return new Promise((resolve) => {
      const on = (subs: Array<{ topic: string }>) => {
        if (subs.some((s) => s.topic === filter)) {
          this.aedes.off('subscribe', on);
          resolve();
        }
      };
      this.aedes.on('subscribe', on);
    });
  }

  publishRetained(topic: string, payload: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.aedes.publish(
        { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: true, dup: false },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function client(
  port: number,
): Promise<{ c: MqttClient; messages: Array<{ topic: string; json: unknown }> }> {
  const c = await connectAsync(`mqtt://127.0.0.1:${port}`, {
    username: USER,
    password: SECRET,
    reconnectPeriod: 0,
  });
  const messages: Array<{ topic: string; json: unknown }> = [];
  c.on('message', (topic, payload) => void messages.push({ topic, json: JSON.parse(payload.toString()) }));
  return { c, messages };
}

describe('MQTT, external broker (in process)', () => {
  let broker: StandInBroker;
  let lns: InProcessLns;
  let publisher: ExternalMqttPublisher;
  let counters: MqttCounters;
  const clients: MqttClient[] = [];
  const downlinks: ApplicationDownlinkRequest[] = [];

  beforeAll(async () => {
    broker = await StandInBroker.start();
    // Left by an application before the LNS starts: the broker replays it on subscription.
    await broker.publishRetained(
      `application/${APP}/device/${DEV}/command/down`,
      JSON.stringify({ fPort: 1, data: 'AQ==' }),
    );
    const subscribed = broker.subscribed(COMMAND_DOWN_FILTER);
    lns = await startLnsInProcess({ LNS_MQTT_URL: `mqtt://${USER}:${SECRET}@127.0.0.1:${broker.port}` });
    lns.bus.on('application.downlink', (d) => void downlinks.push(d));
    publisher = lns.app.get(MqttPublisher) as ExternalMqttPublisher;
    counters = lns.app.get(MqttCounters);
    await subscribed;
  });

  afterAll(async () => {
    for (const c of clients) c.end(true);
    await lns?.close();
    await broker?.close();
  });

  it('runs no embedded broker: the publisher is a client of the external one', () => {
    expect(publisher).toBeInstanceOf(ExternalMqttPublisher);
    expect(publisher.mode).toBe('external');
    expect(publisher.connected).toBe(true);
  });

  it('ignores a retained command the broker replays on subscription', async () => {
    await eventually(() => counters.retainedCommandsIgnored === 1);
    expect(downlinks).toEqual([]);
  });

  it('publishes application events to the external broker', async () => {
    const app = await client(broker.port);
    clients.push(app.c);
    await app.c.subscribeAsync(`application/${APP}/#`);
    const payload: LogEvent = {
      time: new Date().toISOString(),
      deviceInfo: {
        applicationId: APP,
        applicationName: 'a',
        deviceProfileId: 'p',
        deviceProfileName: 'p',
        deviceName: 'd',
        devEui: DEV,
        deviceClassEnabled: 'CLASS_A',
        tags: {},
      },
      level: 'INFO',
      code: 'UNKNOWN',
      description: 'hello over there',
      context: {},
    };
    lns.bus.emit('application.event', { type: 'log', applicationId: APP, devEui: DEV, payload });
    // The retained command arrives too: this subscription covers it.
    const events = () => app.messages.filter((m) => m.topic.includes('/event/'));
    await eventually(() => events().length === 1);
    expect(events()[0]).toEqual({ topic: `application/${APP}/device/${DEV}/event/log`, json: payload });
  });

  it('consumes command/down from the external broker; an invalid one gets a log event there', async () => {
    const app = await client(broker.port);
    clients.push(app.c);
    await app.c.subscribeAsync(`application/${APP}/device/${DEV}/event/log`);
    await app.c.publishAsync(
      `application/${APP}/device/${DEV}/command/down`,
      JSON.stringify({ devEui: DEV, confirmed: false, fPort: 15, data: 'AAEC' }),
      { qos: 1 },
    );
    await eventually(() => downlinks.length === 1);
    expect(downlinks[0]).toEqual({
      applicationId: APP,
      devEui: DEV,
      fPort: 15,
      data: 'AAEC',
      confirmed: false,
    });

    await app.c.publishAsync(`application/${APP}/device/${DEV}/command/down`, JSON.stringify({ fPort: 15 }));
    await eventually(() => app.messages.length === 1);
    expect(app.messages[0].json).toMatchObject({
      level: 'ERROR',
      code: 'DOWNLINK_CODEC',
      context: { field: 'data' },
    });
    expect(downlinks).toHaveLength(1);
  });

  it('reconnects and subscribes again when the broker comes back', async () => {
    const port = broker.port;
    await broker.close();
    await eventually(() => !publisher.connected, 5000);
    // Events while the broker is away are dropped (QoS 0), not queued without bound.
    const dropped = counters.eventsDropped;
    lns.bus.emit('application.event', {
      type: 'log',
      applicationId: APP,
      devEui: DEV,
      payload: {} as LogEvent,
    });
    await eventually(() => counters.eventsDropped === dropped + 1);

    broker = await StandInBroker.start(port);
    await broker.subscribed(COMMAND_DOWN_FILTER);
    const app = await client(port);
    clients.push(app.c);
    const before = downlinks.length;
    await app.c.publishAsync(
      `application/${APP}/device/${DEV}/command/down`,
      JSON.stringify({ fPort: 9, data: '' }),
    );
    await eventually(() => downlinks.length === before + 1);
    expect(downlinks[before]).toMatchObject({ fPort: 9, devEui: DEV });
  }, 20_000);
});

describe('MQTT, external broker (lns process)', () => {
  it('logs the broker without its credentials, opens no MQTT port, stops cleanly', async () => {
    const broker = await StandInBroker.start();
    try {
      const subscribed = broker.subscribed(COMMAND_DOWN_FILTER);
      const lns = await startLnsProcess({
        LNS_MQTT_URL: `mqtt://${USER}:${SECRET}@127.0.0.1:${broker.port}`,
      });
      await subscribed;
      expect(lns.output()).toContain(`mqtt external=mqtt://127.0.0.1:${broker.port}`);
      expect(lns.output()).not.toContain(SECRET);
      expect(lns.output()).not.toMatch(/listening mqtt=/);
      const disconnected = once(broker.aedes, 'clientDisconnect');
      expect(await lns.stop('SIGTERM')).toBe(0);
      await disconnected;
    } finally {
      await broker.close();
    }
  });
});
