import { EventBus } from '@lns/event-bus';
import { InMemorySessionStore } from '../session/in-memory-session-store';
import { ApplicationPublisher } from '../uplink/application-publisher';
import { NetworkCounters } from '../uplink/network-counters';
import {
  configWith,
  contextFor,
  FakeQueueRepository,
  FakeRegistry,
  FakeSessionStore,
  payloadsOf,
  recordEvents,
} from '../uplink/ns-test-support';
import { ApplicationDownlinkListener } from './application-downlink.listener';
import { DeviceQueueRepository } from './device-queue.repository';
import { DeviceQueueService } from './device-queue.service';

describe('ApplicationDownlinkListener', () => {
  const PLAIN = contextFor({ devEui: '00000000000000a1' });

  async function setup() {
    const bus = new EventBus();
    const events = recordEvents(bus);
    const registry = new FakeRegistry(PLAIN);
    const store = new FakeSessionStore();
    const publisher = new ApplicationPublisher(bus);
    const queue = new DeviceQueueService(
      new FakeQueueRepository() as unknown as DeviceQueueRepository,
      registry,
      store as unknown as InMemorySessionStore,
      publisher,
      new NetworkCounters(),
      configWith(),
    );
    await queue.onModuleInit();
    const listener = new ApplicationDownlinkListener(bus, queue, registry, store, publisher);
    listener.onModuleInit();
    return { bus, events, queue, listener };
  }

  const settle = () => new Promise((r) => setImmediate(r));

  it("enqueues 'application.downlink' into a device of the application that asked", async () => {
    const { bus, queue, listener } = await setup();
    bus.emit('application.downlink', {
      applicationId: 'app-1',
      devEui: PLAIN.device.devEui.toUpperCase(),
      fPort: 3,
      data: 'AQI=',
      confirmed: true,
    });
    await settle();
    expect(queue.list(PLAIN.device.devEui)).toEqual([
      expect.objectContaining({ fPort: 3, confirmed: true, data: Buffer.from([1, 2]) }),
    ]);
    listener.onModuleDestroy();
    bus.emit('application.downlink', {
      applicationId: 'app-1',
      devEui: PLAIN.device.devEui,
      fPort: 3,
      data: '',
      confirmed: false,
    });
    await settle();
    expect(queue.list(PLAIN.device.devEui)).toHaveLength(1);
  });

  it('ignores a device of another application, and says why a refused one was refused in a `log` event', async () => {
    const { bus, queue, events } = await setup();
    bus.emit('application.downlink', {
      applicationId: 'app-2',
      devEui: PLAIN.device.devEui,
      fPort: 3,
      data: 'AQI=',
      confirmed: false,
    });
    bus.emit('application.downlink', {
      applicationId: 'app-1',
      devEui: PLAIN.device.devEui,
      fPort: 3,
      data: Buffer.alloc(300).toString('base64'),
      confirmed: false,
    });
    bus.emit('application.downlink', {
      applicationId: 'app-1',
      devEui: PLAIN.device.devEui,
      fPort: 0,
      data: 'AQ==',
      confirmed: false,
    });
    await settle();
    expect(queue.list(PLAIN.device.devEui)).toHaveLength(0);
    expect(payloadsOf(events, 'log')).toEqual([
      expect.objectContaining({ level: 'ERROR', code: 'DOWNLINK_PAYLOAD_SIZE', context: { field: 'data' } }),
      expect.objectContaining({ level: 'ERROR', code: 'UNKNOWN', context: { field: 'fPort' } }),
    ]);
  });
});
