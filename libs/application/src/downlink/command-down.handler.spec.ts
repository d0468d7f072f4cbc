import { ApplicationDownlinkRequest, ApplicationEvent, DeviceInfo, EventBus } from '@lns/event-bus';
import { FakeMqttPublisher } from '../mqtt/fake-mqtt-publisher';
import { MqttCounters } from '../mqtt/mqtt-counters';
import { CommandDownHandler } from './command-down.handler';
import { DeviceInfoLookup } from './device-info.lookup';

const APP = 'app-1';
const DEV = '0102030405060a0b';
const topic = (dev = DEV) => `application/${APP}/device/${dev}/command/down`;
const flush = () => new Promise((r) => setImmediate(r));

function setup() {
  const bus = new EventBus();
  const mqtt = new FakeMqttPublisher();
  const counters = new MqttCounters();
  const lookup = {
    deviceInfo: async (applicationId: string, devEui: string): Promise<DeviceInfo> => ({
      applicationId,
      applicationName: 'app',
      deviceProfileId: 'p1',
      deviceProfileName: 'profile',
      deviceName: 'sensor',
      devEui,
      deviceClassEnabled: 'CLASS_A',
      tags: {},
    }),
  } as DeviceInfoLookup;
  new CommandDownHandler(mqtt, bus, counters, lookup).onModuleInit();
  const downlinks: ApplicationDownlinkRequest[] = [];
  const events: ApplicationEvent[] = [];
  bus.on('application.downlink', (d) => void downlinks.push(d));
  bus.on('application.event', (e) => void events.push(e));
  const send = (body: unknown, opts: { topic?: string; retain?: boolean } = {}) =>
    mqtt.receive({
      topic: opts.topic ?? topic(),
      payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      retain: opts.retain ?? false,
    });
  return { counters, downlinks, events, send };
}

describe('CommandDownHandler', () => {
  it('emits application.downlink for a valid command', () => {
    const { counters, downlinks, events, send } = setup();
    send({ devEui: DEV, confirmed: true, fPort: 5, data: 'AQID' }, { topic: topic(DEV.toUpperCase()) });
    expect(downlinks).toEqual([{ applicationId: APP, devEui: DEV, fPort: 5, data: 'AQID', confirmed: true }]);
    expect(events).toEqual([]);
    expect(counters.commandsAccepted).toBe(1);
  });

  it('answers an invalid command with an ERROR log event for the device, and a counter', async () => {
    const { counters, downlinks, events, send } = setup();
    send({ fPort: 0, data: 'AQID' });
    await flush();
    expect(downlinks).toEqual([]);
    expect(counters.commandsRejected).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'log',
      applicationId: APP,
      devEui: DEV,
      payload: {
        level: 'ERROR',
        code: 'DOWNLINK_CODEC',
        description: 'command/down refused: fPort must be an integer 1-223',
        context: { field: 'fPort', reason: 'must be an integer 1-223' },
        deviceInfo: { devEui: DEV, deviceName: 'sensor', applicationId: APP },
      },
    });
  });

  it('uses DOWNLINK_PAYLOAD_SIZE for a payload over 242 bytes', async () => {
    const { events, send } = setup();
    send({ fPort: 1, data: Buffer.alloc(243).toString('base64') });
    await flush();
    expect(events[0].payload).toMatchObject({ code: 'DOWNLINK_PAYLOAD_SIZE' });
  });

  it('ignores a retained command (a replay, not a request)', async () => {
    const { counters, downlinks, events, send } = setup();
    send({ fPort: 1, data: 'AQ==' }, { retain: true });
    await flush();
    expect(downlinks).toEqual([]);
    expect(events).toEqual([]);
    expect(counters.retainedCommandsIgnored).toBe(1);
  });

  it('never throws on garbage', async () => {
    const { counters, send } = setup();
    expect(() => send('\u0000\u00ff{')).not.toThrow();
    await flush();
    expect(counters.commandsRejected).toBe(1);
  });
});
