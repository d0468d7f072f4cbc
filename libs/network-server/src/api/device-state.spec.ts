import { DeviceQueueService } from '../queue/device-queue.service';
import { QueueItem } from '../queue/queue-item';
import { contextFor, FakeSessionStore, sessionFor } from '../uplink/ns-test-support';
import { DeviceStateService } from './device-state';
import { toQueueItemView } from './queue.controller';

describe('DeviceStateService', () => {
  const queue = { nextAsFCntDown: () => 12, list: () => [1, 2] } as unknown as DeviceQueueService;

  it('a device without a session: not activated, nothing else but the counter for tunnel downlinks', () => {
    const svc = new DeviceStateService(new FakeSessionStore(), queue);
    expect(svc.state('0102030405060708')).toEqual({
      devEui: '0102030405060708',
      activated: false,
      nextAFCntDown: 12,
      queueSize: 2,
    });
  });

  it('1.1: both downlink counters; never a key', () => {
    const store = new FakeSessionStore();
    const ctx = contextFor({ macVersion: '1.1.0' });
    const s = sessionFor(ctx, { fCntUp: 9, nFCntDown: 3, aFCntDown: 7, lastSeenAt: 0 });
    store.sessions.set(s.devEui, s);
    const view = new DeviceStateService(store, queue).state(s.devEui);
    expect(view).toMatchObject({
      activated: true,
      devAddr: '26011bda',
      macVersion: '1.1.0',
      fCntUp: 9,
      fCntDown: 3,
      nFCntDown: 3,
      aFCntDown: 7,
      lastSeenAt: new Date(0).toISOString(),
      deviceClass: 'A',
      rx2Frequency: 869_525_000,
    });
    const json = JSON.stringify(view);
    for (const k of [s.fNwkSIntKey, s.sNwkSIntKey, s.nwkSEncKey, s.appSKey!])
      expect(json).not.toContain(k.toString('hex'));
  });

  it('1.0.x: one FCntDown', () => {
    const store = new FakeSessionStore();
    const s = sessionFor(contextFor(), { nFCntDown: 4 });
    store.sessions.set(s.devEui, s);
    const view = new DeviceStateService(store, queue).state(s.devEui);
    expect(view.fCntDown).toBe(4);
    expect(view).not.toHaveProperty('aFCntDown');
  });
});

describe('toQueueItemView', () => {
  it('base64 data, ISO times, pending only for the head item awaiting its ACK', () => {
    const item: QueueItem = {
      id: 'i',
      devEui: 'd',
      fPort: 3,
      data: Buffer.from([1, 2]),
      confirmed: true,
      isEncrypted: false,
      fCntDown: 5,
      attempts: 1,
      expiresAt: 0,
      createdAt: 0,
    };
    expect(toQueueItemView(item, true)).toEqual({
      id: 'i',
      devEui: 'd',
      fPort: 3,
      data: 'AQI=',
      confirmed: true,
      isEncrypted: false,
      fCntDown: 5,
      attempts: 1,
      isPending: true,
      expiresAt: new Date(0).toISOString(),
      createdAt: new Date(0).toISOString(),
    });
    expect(
      toQueueItemView({ ...item, attempts: 0, fCntDown: null, expiresAt: null }, true),
    ).not.toHaveProperty('fCntDown');
  });
});
