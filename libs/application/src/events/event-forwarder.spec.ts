import { LnsConfig } from '@lns/config';
import { ApplicationEvent, EventBus, LogEvent } from '@lns/event-bus';
import { FakeMqttPublisher } from '../mqtt/fake-mqtt-publisher';
import { MqttCounters } from '../mqtt/mqtt-counters';
import { ApplicationEventForwarder } from './event-forwarder';

const flush = () => new Promise((r) => setImmediate(r));

function setup(qos = 0) {
  const bus = new EventBus();
  const mqtt = new FakeMqttPublisher();
  const counters = new MqttCounters();
  const config = { mqtt: { qos } } as LnsConfig;
  const forwarder = new ApplicationEventForwarder(bus, mqtt, counters, config);
  forwarder.onModuleInit();
  return { bus, mqtt, counters, forwarder };
}

const log: LogEvent = {
  time: '2026-01-01T00:00:00.000Z',
  deviceInfo: {
    applicationId: 'app-1',
    applicationName: 'a',
    deviceProfileId: 'p',
    deviceProfileName: 'p',
    deviceName: 'd',
    devEui: '0102030405060a0b',
    deviceClassEnabled: 'CLASS_A',
    tags: {},
  },
  level: 'INFO',
  code: 'UNKNOWN',
  description: 'hello',
  context: {},
};
const event = (over: Partial<ApplicationEvent> = {}): ApplicationEvent =>
  ({
    type: 'log',
    applicationId: 'app-1',
    devEui: '0102030405060A0B',
    payload: log,
    ...over,
  }) as ApplicationEvent;

describe('ApplicationEventForwarder', () => {
  it('publishes each application event to its ChirpStack topic as the JSON of its payload', async () => {
    const { bus, mqtt, counters } = setup(1);
    bus.emit('application.event', event());
    await flush();
    expect(mqtt.published).toHaveLength(1);
    const [m] = mqtt.published;
    expect(m.topic).toBe('application/app-1/device/0102030405060a0b/event/log');
    expect(m.qos).toBe(1);
    expect(JSON.parse(m.payload.toString())).toEqual(log);
    expect(counters.eventsPublished).toBe(1);
  });

  it('drops, counts and never throws for an id that would leave its topic', async () => {
    const { bus, mqtt, counters } = setup();
    expect(() => bus.emit('application.event', event({ applicationId: 'a/+/b' }))).not.toThrow();
    expect(() => bus.emit('application.event', event({ devEui: '#' }))).not.toThrow();
    await flush();
    expect(mqtt.published).toEqual([]);
    expect(counters.eventsDropped).toBe(2);
  });

  it('counts an event the broker did not take', async () => {
    const { bus, mqtt, counters } = setup();
    mqtt.failWith = new Error('No connection to broker');
    bus.emit('application.event', event());
    await flush();
    expect(counters).toMatchObject({ eventsPublished: 0, eventsDropped: 1 });
  });

  it('stops on module destroy', async () => {
    const { bus, mqtt, forwarder } = setup();
    forwarder.onModuleDestroy();
    bus.emit('application.event', event());
    await flush();
    expect(mqtt.published).toEqual([]);
  });
});
