import { DataDownFrame, decodePhyPayload, getRegion, MType } from '@lns/lorawan';
import { EventBus } from '@lns/event-bus';
import { DeviceQueueRepository } from '../queue/device-queue.repository';
import { DeviceQueueService } from '../queue/device-queue.service';
import { DeviceContext } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
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
  sessionFor,
} from '../uplink/ns-test-support';
import { eventuallyTrue } from './test-wait';
import { ClassCDownlink } from './class-c-downlink';
import { DownlinkNotifier } from './downlink-notifier';
import { DownlinkSender, SendRequest, SendResult } from './downlink-sender';
import { KeyedMutex } from './keyed-mutex';
import { buildTxpk } from './txpk';

class FakeSender {
  readonly requests: Array<SendRequest & { at: number; commitsBefore: number }> = [];
  constructor(private readonly store: FakeSessionStore) {}
  async send(req: SendRequest): Promise<SendResult> {
    this.requests.push({ ...req, at: Date.now(), commitsBefore: this.store.commits.length });
    const w = req.windows[0];
    return {
      sent: true,
      window: w,
      gatewayId: req.gateways[0].gatewayId,
      downlinkId: 1,
      txpk: buildTxpk(getRegion('EU868'), w, req.phyPayload),
    };
  }
}

const ACK_TIMEOUT = 150;

async function setup(ctx: DeviceContext, session: DeviceSession, maxRetries = 1) {
  const bus = new EventBus();
  const events = recordEvents(bus);
  const store = new FakeSessionStore();
  store.sessions.set(session.devEui, session);
  const counters = new NetworkCounters();
  const publisher = new ApplicationPublisher(bus);
  const registry = new FakeRegistry(ctx);
  const config = configWith({ maxRetries, ackTimeoutMs: ACK_TIMEOUT });
  const queue = new DeviceQueueService(
    new FakeQueueRepository() as unknown as DeviceQueueRepository,
    registry,
    store as unknown as InMemorySessionStore,
    publisher,
    counters,
    config,
  );
  await queue.onModuleInit();
  const sender = new FakeSender(store);
  const classC = new ClassCDownlink(
    registry,
    store,
    queue,
    sender as unknown as DownlinkSender,
    new DownlinkNotifier(queue, publisher),
    counters,
    new KeyedMutex(),
    config,
  );
  classC.onModuleInit();
  return { events, store, queue, sender, classC };
}

const heard = (s: DeviceSession): DeviceSession => {
  s.lastUplink = {
    gateways: [{ gatewayId: 'last-gw', snr: 3, rssi: -90, tmst: 0, rfChain: 0, receivedAt: 0 }],
    dataRate: 5,
    frequency: 868_100_000,
    channel: 0,
    fCnt: 1,
    confirmed: false,
    receivedAt: 0,
  };
  return s;
};

describe('ClassCDownlink', () => {
  it('sends a queued item at once on RX2 parameters through the gateway that heard the device last, counters committed first', async () => {
    const ctx = contextFor({ supportsClassC: true });
    const s = heard(sessionFor(ctx, { nFCntDown: 4 }));
    const { sender, queue, events, classC } = await setup(ctx, s);
    await queue.enqueue(s.devEui, { fPort: 2, data: Buffer.from('a') });
    await eventuallyTrue(() => sender.requests.length === 1);
    const req = sender.requests[0];
    expect(req.windows).toEqual([{ name: 'RXC', frequency: 869_525_000, dataRate: 0 }]);
    expect(req.gateways.map((g) => g.gatewayId)).toEqual(['last-gw']);
    // A copy: an uplink while the send waits for its TX_ACK writes the last uplink over.
    expect(req.gateways).not.toBe(s.lastUplink!.gateways);
    expect(req.gateways[0]).not.toBe(s.lastUplink!.gateways[0]);
    expect(req.commitsBefore).toBe(1);
    expect((decodePhyPayload(req.phyPayload) as DataDownFrame).fCnt).toBe(4);
    await eventuallyTrue(() => payloadsOf(events, 'txack').length === 1);
    expect(payloadsOf(events, 'txack')[0].txInfo.timing).toEqual({ immediately: {} });
    expect(queue.list(s.devEui)).toHaveLength(0);
    classC.onModuleDestroy();
  });

  it('sends nothing to a Class A device, or to one never heard', async () => {
    const ctxA = contextFor();
    const a = await setup(ctxA, heard(sessionFor(ctxA)));
    await a.queue.enqueue(ctxA.device.devEui, { fPort: 2, data: Buffer.from('a') });
    const ctxC = contextFor({ supportsClassC: true });
    const c = await setup(ctxC, sessionFor(ctxC));
    await c.queue.enqueue(ctxC.device.devEui, { fPort: 2, data: Buffer.from('a') });
    await new Promise((r) => setTimeout(r, 30));
    expect(a.sender.requests).toHaveLength(0);
    expect(c.sender.requests).toHaveLength(0);
  });

  it('a device switched to Class C (DeviceModeInd) is served too; items go one after another, spaced by airtime', async () => {
    const ctx = contextFor();
    const s = heard(sessionFor(ctx));
    const { sender, queue, classC } = await setup(ctx, s);
    await queue.enqueue(s.devEui, { fPort: 2, data: Buffer.from('a') });
    await queue.enqueue(s.devEui, { fPort: 2, data: Buffer.from('b') });
    expect(sender.requests).toHaveLength(0);
    s.mac.deviceClass = 'C';
    classC.schedule(s.devEui, true);
    await eventuallyTrue(() => sender.requests.length === 2, 3000);
    const [f1, f2] = sender.requests.map((r) => decodePhyPayload(r.phyPayload) as DataDownFrame);
    expect(f1.fCtrl.fPending).toBe(true);
    expect(f2.fCtrl.fPending).toBe(false);
    // SF12 airtime of a 14-byte frame is ~1 s.
    expect(sender.requests[1].at - sender.requests[0].at).toBeGreaterThan(900);
    classC.onModuleDestroy();
  });

  it('retries a confirmed item after the ACK timeout, up to maxRetries, then `ack` false', async () => {
    const ctx = contextFor({ supportsClassC: true });
    const s = heard(sessionFor(ctx));
    const { sender, queue, events, classC } = await setup(ctx, s, 1);
    await queue.enqueue(s.devEui, { fPort: 2, data: Buffer.from('c'), confirmed: true });
    // Each transmission keeps the device busy for its airtime (~1.2 s at SF12) before the next.
    await eventuallyTrue(() => payloadsOf(events, 'ack').length === 1, 4000);
    expect(sender.requests).toHaveLength(2);
    const frames = sender.requests.map((r) => decodePhyPayload(r.phyPayload) as DataDownFrame);
    expect(frames.map((f) => [f.mType, f.fCnt])).toEqual([
      [MType.ConfirmedDataDown, 0],
      [MType.ConfirmedDataDown, 1],
    ]);
    expect(sender.requests[1].at - sender.requests[0].at).toBeGreaterThanOrEqual(ACK_TIMEOUT - 5);
    expect(payloadsOf(events, 'ack')[0]).toMatchObject({ acknowledged: false, fCntDown: 1 });
    classC.onModuleDestroy();
  });

  it('drops an item too large for the RX2 data rate, with a log DOWNLINK_PAYLOAD_SIZE', async () => {
    const ctx = contextFor({ supportsClassC: true });
    const s = heard(sessionFor(ctx));
    const { sender, queue, events, classC } = await setup(ctx, s);
    await queue.enqueue(s.devEui, { fPort: 2, data: Buffer.alloc(60) });
    await eventuallyTrue(() => payloadsOf(events, 'log').length === 1);
    expect(payloadsOf(events, 'log')[0].code).toBe('DOWNLINK_PAYLOAD_SIZE');
    expect(sender.requests).toHaveLength(0);
    classC.onModuleDestroy();
  });
});

describe('ClassCDownlink when no gateway takes it', () => {
  it('tries again a few times, then leaves the item for the next uplink', async () => {
    const ctx = contextFor({ supportsClassC: true });
    const s = heard(sessionFor(ctx));
    const { sender, queue, classC } = await setup(ctx, s);
    let calls = 0;
    (sender as unknown as { send: () => Promise<SendResult> }).send = async () => {
      calls++;
      return { sent: false, reason: 'TX_FAILED' };
    };
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    try {
      await queue.enqueue(s.devEui, { fPort: 2, data: Buffer.from('a') });
      for (let i = 0; i < 10; i++) {
        await jest.advanceTimersByTimeAsync(1000);
      }
      expect(calls).toBe(3);
      expect(queue.list(s.devEui)).toHaveLength(1);
      classC.schedule(s.devEui, true);
      await jest.advanceTimersByTimeAsync(10);
      expect(calls).toBe(4);
    } finally {
      classC.onModuleDestroy();
      jest.useRealTimers();
    }
  });
});
