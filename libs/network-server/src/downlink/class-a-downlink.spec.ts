import { DataDownFrame, decodePhyPayload, decryptFrmPayload, getRegion, MacCommand } from '@lns/lorawan';
import { EventBus } from '@lns/event-bus';
import { DeviceQueueRepository } from '../queue/device-queue.repository';
import { DeviceQueueService } from '../queue/device-queue.service';
import { DeviceContext } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
import { InMemorySessionStore } from '../session/in-memory-session-store';
import { ApplicationPublisher } from '../uplink/application-publisher';
import { NetworkCounters } from '../uplink/network-counters';
import {
  APP_S_KEY,
  configWith,
  contextFor,
  copyOf,
  FakeMacLayer,
  FakeQueueRepository,
  FakeRegistry,
  FakeSessionStore,
  payloadsOf,
  recordEvents,
} from '../uplink/ns-test-support';
import { sessionFor } from '../uplink/ns-test-support';
import { AnsweredUplink, ClassADownlink } from './class-a-downlink';
import { DownlinkNotifier } from './downlink-notifier';
import { DownlinkSender, SendRequest, SendResult } from './downlink-sender';
import { KeyedMutex } from './keyed-mutex';
import { buildTxpk } from './txpk';

/** Records each request; answers sent in its first window unless told otherwise. */
class FakeSender {
  readonly requests: Array<SendRequest & { commitsBefore: number }> = [];
  fail = false;
  constructor(private readonly store: FakeSessionStore) {}
  async send(req: SendRequest): Promise<SendResult> {
    this.requests.push({ ...req, commitsBefore: this.store.commits.length });
    if (this.fail) return { sent: false, reason: 'NO_GATEWAY' };
    const w = req.windows[0];
    return {
      sent: true,
      window: w,
      gatewayId: 'gw',
      downlinkId: 42,
      txpk: buildTxpk(getRegion('EU868'), w, req.phyPayload, 0),
    };
  }
}

const LINK_CHECK: MacCommand = { cid: 'LinkCheckAns', margin: 10, gwCnt: 1 };

async function setup(ctx: DeviceContext, session: DeviceSession) {
  const bus = new EventBus();
  const events = recordEvents(bus);
  const store = new FakeSessionStore();
  store.sessions.set(session.devEui, session);
  const counters = new NetworkCounters();
  const publisher = new ApplicationPublisher(bus);
  const queue = new DeviceQueueService(
    new FakeQueueRepository() as unknown as DeviceQueueRepository,
    new FakeRegistry(ctx),
    store as unknown as InMemorySessionStore,
    publisher,
    counters,
    configWith(),
  );
  await queue.onModuleInit();
  const sender = new FakeSender(store);
  const mac = new FakeMacLayer();
  const classA = new ClassADownlink(
    store,
    queue,
    sender as unknown as DownlinkSender,
    new DownlinkNotifier(queue, publisher),
    counters,
    new KeyedMutex(),
    mac,
  );
  const uplink = (over: Partial<AnsweredUplink> = {}): AnsweredUplink => ({
    uplink: {
      deduplicationId: 'd',
      phyPayload: Buffer.alloc(12),
      copies: [copyOf(Buffer.alloc(12), { frequency: 868_300_000 })],
      firstReceivedAt: 0,
      windowDueAt: 0,
      windowClosedAt: 0,
    },
    session,
    ctx,
    dataRate: 5,
    frequency: 868_300_000,
    channel: 1,
    fCnt: 10,
    ack: false,
    mustAnswer: false,
    mac: {} as AnsweredUplink['mac'],
    ...over,
  });
  return { events, store, counters, queue, sender, mac, classA, uplink };
}

const frameOf = (req: SendRequest) => decodePhyPayload(req.phyPayload) as DataDownFrame;

describe('ClassADownlink', () => {
  it('sends nothing when there is nothing to say', async () => {
    const ctx = contextFor();
    const { classA, sender, uplink } = await setup(ctx, sessionFor(ctx));
    await classA.answer(uplink());
    expect(sender.requests).toHaveLength(0);
  });

  it('ACKs a confirmed uplink in RX1 (uplink frequency, RX1 DR) then RX2, after committing the FCntDown it used', async () => {
    const ctx = contextFor();
    const session = sessionFor(ctx, { nFCntDown: 7 });
    const { classA, sender, store, uplink, counters } = await setup(ctx, session);
    await classA.answer(uplink({ ack: true }));
    const req = sender.requests[0];
    expect(req.windows).toEqual([
      { name: 'RX1', frequency: 868_300_000, dataRate: 5, delay: 1 },
      { name: 'RX2', frequency: 869_525_000, dataRate: 0, delay: 2 },
    ]);
    expect(frameOf(req)).toMatchObject({
      fCnt: 7,
      fCtrl: { ack: true, fPending: false, adr: true },
      fPort: undefined,
    });
    expect(session.nFCntDown).toBe(8);
    expect(req.commitsBefore).toBe(1);
    expect(store.commits[0]).toEqual([session.devEui, 0, 8, 0]);
    expect(store.urgentFlushes).toEqual([true]);
    expect(counters.downlink.fCntDownCommits).toBe(1);
  });

  it('sends at once when the uplink commit already reserved the FCntDown (one commit per answer)', async () => {
    const ctx = contextFor();
    const session = sessionFor(ctx, { nFCntDown: 7 });
    session.fCntDownOnDisk = [8, 0]; // the uplink's commit wrote the next FCntDown as 8
    const { classA, sender, store, uplink, counters } = await setup(ctx, session);
    await classA.answer(uplink({ ack: true }));
    const req = sender.requests[0];
    expect(frameOf(req).fCnt).toBe(7);
    expect(req.commitsBefore).toBe(0);
    expect(counters.downlink.fCntDownCommits).toBe(0);
    // Still marked: the next commit writes the counter the answer moved to.
    expect(session.nFCntDown).toBe(8);
    await store.flushBeforePublish();
    expect(store.commits).toEqual([[session.devEui, 0, 8, 0]]);
  });

  it('waits for a commit when the frame uses a counter beyond the one reserved', async () => {
    const ctx = contextFor();
    const session = sessionFor(ctx, { nFCntDown: 8 });
    session.fCntDownOnDisk = [8, 0]; // counter 7 went out since: 8 is not covered
    const { classA, sender, uplink, counters } = await setup(ctx, session);
    await classA.answer(uplink({ ack: true }));
    expect(frameOf(sender.requests[0]).fCnt).toBe(8);
    expect(sender.requests[0].commitsBefore).toBe(1);
    expect(counters.downlink.fCntDownCommits).toBe(1);
  });

  it('honours RX1DROffset and RxDelay of the session', async () => {
    const ctx = contextFor();
    const session = sessionFor(ctx);
    session.mac.rx1DrOffset = 2;
    session.mac.rxDelay = 3;
    const { classA, sender, uplink } = await setup(ctx, session);
    await classA.answer(uplink({ ack: true }));
    expect(sender.requests[0].windows.map((w) => [w.name, w.dataRate, w.delay])).toEqual([
      ['RX1', 3, 3],
      ['RX2', 0, 4],
    ]);
  });

  it('MAC commands: in FOpts when they fit 15 bytes, else alone on FPort 0; asked within both windows', async () => {
    const ctx = contextFor();
    const { classA, sender, mac, uplink } = await setup(ctx, sessionFor(ctx));
    mac.downlink = [LINK_CHECK];
    await classA.answer(uplink());
    expect(mac.asked).toEqual([59 - 8]); // RX2 DR0 M = 59 bounds the frame
    expect(frameOf(sender.requests[0])).toMatchObject({ fPort: undefined, fCtrl: { fOptsLen: 3 } });
    mac.downlink = Array.from({ length: 6 }, () => LINK_CHECK); // 18 bytes
    await classA.answer(uplink());
    expect(frameOf(sender.requests[1])).toMatchObject({ fPort: 0, fCtrl: { fOptsLen: 0 } });
  });

  it('the next queued payload with FPending while more wait; MAC commands get the room left in FOpts', async () => {
    const ctx = contextFor();
    const session = sessionFor(ctx);
    const { classA, sender, mac, queue, events, uplink } = await setup(ctx, session);
    const a = await queue.enqueue(ctx.device.devEui, { fPort: 4, data: Buffer.alloc(45, 1) });
    await queue.enqueue(ctx.device.devEui, { fPort: 4, data: Buffer.from('b') });
    mac.downlink = [LINK_CHECK];
    await classA.answer(uplink());
    const f = frameOf(sender.requests[0]);
    expect(mac.asked).toEqual([59 - 8 - 45]);
    expect(f).toMatchObject({ fPort: 4, fCtrl: { fPending: true, fOptsLen: 3 } });
    expect(
      decryptFrmPayload({
        key: APP_S_KEY,
        uplink: false,
        devAddr: session.devAddr,
        fCnt: f.fCnt,
        payload: f.frmPayload!,
      }),
    ).toEqual(a.data);
    expect(queue.list(ctx.device.devEui)).toHaveLength(1); // unconfirmed: gone once sent
    expect(payloadsOf(events, 'txack')).toEqual([
      expect.objectContaining({ queueItemId: a.id, fCntDown: 0, gatewayId: 'gw', downlinkId: 42 }),
    ]);
    await classA.answer(uplink());
    expect(frameOf(sender.requests[1])).toMatchObject({ fPort: 4, fCtrl: { fPending: false } });
  });

  it('a payload too big for RX2 but not RX1 goes in RX1 alone; one too big for RX1 is dropped with a log', async () => {
    const ctx = contextFor();
    const session = sessionFor(ctx);
    const { classA, sender, queue, events, counters, uplink } = await setup(ctx, session);
    await queue.enqueue(ctx.device.devEui, { fPort: 1, data: Buffer.alloc(200) });
    await classA.answer(uplink());
    expect(sender.requests[0].windows.map((w) => w.name)).toEqual(['RX1']);
    await queue.enqueue(ctx.device.devEui, { fPort: 1, data: Buffer.alloc(100) });
    const small = await queue.enqueue(ctx.device.devEui, { fPort: 1, data: Buffer.alloc(10) });
    await classA.answer(uplink({ dataRate: 0 })); // RX1 at DR0: M = 59
    expect(payloadsOf(events, 'log')).toEqual([
      expect.objectContaining({ code: 'DOWNLINK_PAYLOAD_SIZE', level: 'ERROR' }),
    ]);
    expect(counters.downlink.payloadTooLarge).toBe(1);
    expect(frameOf(sender.requests[1]).frmPayload).toHaveLength(small.data.length);
  });

  it('LoRaWAN 1.1: application payloads on AFCntDown, MAC-only frames on NFCntDown', async () => {
    const ctx = contextFor({ macVersion: '1.1.0' });
    const session = sessionFor(ctx, { nFCntDown: 3, aFCntDown: 20 });
    const { classA, sender, mac, queue, uplink } = await setup(ctx, session);
    mac.downlink = [LINK_CHECK];
    await classA.answer(uplink());
    await queue.enqueue(ctx.device.devEui, { fPort: 1, data: Buffer.from('x') });
    await classA.answer(uplink());
    expect(sender.requests.map((r) => frameOf(r).fCnt)).toEqual([3, 20]);
    expect([session.nFCntDown, session.aFCntDown]).toEqual([4, 21]);
  });

  it('tunnel items go out with the AS counter; a stale one is dropped with a log DOWNLINK_F_CNT', async () => {
    const ctx = contextFor({ macVersion: '1.1.0', endToEnd: true });
    const session = sessionFor(ctx, { aFCntDown: 5 });
    const { classA, sender, queue, events, uplink } = await setup(ctx, session);
    const stale = await queue.enqueue(ctx.device.devEui, {
      fPort: 1,
      data: Buffer.from('s'),
      isEncrypted: true,
      fCntDown: 6,
    });
    await queue.enqueue(ctx.device.devEui, {
      fPort: 1,
      data: Buffer.from('t'),
      isEncrypted: true,
      fCntDown: 9,
    });
    session.aFCntDown = 7; // the device moved on (another path sent AFCntDown 6)
    await classA.answer(uplink());
    const f = frameOf(sender.requests[0]);
    expect(f.fCnt).toBe(9);
    expect(f.frmPayload).toEqual(Buffer.from('t'));
    expect(session.aFCntDown).toBe(10);
    expect(payloadsOf(events, 'log')).toEqual([
      expect.objectContaining({ code: 'DOWNLINK_F_CNT', context: { queueItemId: stale.id } }),
    ]);
  });

  it('sends nothing when the counters cannot be committed', async () => {
    const ctx = contextFor();
    const { classA, sender, store, uplink } = await setup(ctx, sessionFor(ctx));
    store.failNext = true;
    await classA.answer(uplink({ ack: true }));
    expect(sender.requests).toHaveLength(0);
  });

  it('a payload no gateway could send stays queued, with a log DOWNLINK_GATEWAY', async () => {
    const ctx = contextFor();
    const { classA, sender, queue, events, uplink } = await setup(ctx, sessionFor(ctx));
    sender.fail = true;
    await queue.enqueue(ctx.device.devEui, { fPort: 1, data: Buffer.from('x') });
    await classA.answer(uplink());
    expect(queue.list(ctx.device.devEui)).toHaveLength(1);
    expect(payloadsOf(events, 'log').map((l) => l.code)).toEqual(['DOWNLINK_GATEWAY']);
  });

  it('answers ADRACKReq (mustAnswer) with an empty downlink; a retransmission gets no MAC commands', async () => {
    const ctx = contextFor();
    const { classA, sender, mac, uplink } = await setup(ctx, sessionFor(ctx));
    await classA.answer(uplink({ mustAnswer: true }));
    expect(frameOf(sender.requests[0])).toMatchObject({
      fPort: undefined,
      fCtrl: { ack: false, fOptsLen: 0 },
    });
    mac.downlink = [LINK_CHECK];
    await classA.answer(uplink({ ack: true, mac: undefined }));
    expect(mac.asked).toEqual([51]);
    expect(frameOf(sender.requests[1]).fCtrl.fOptsLen).toBe(0);
  });

  it('a failing MAC layer costs the MAC commands, not the ACK', async () => {
    const ctx = contextFor();
    const { classA, sender, mac, uplink } = await setup(ctx, sessionFor(ctx));
    mac.nextDownlinkCommands = () => {
      throw new Error('bug');
    };
    await classA.answer(uplink({ ack: true }));
    expect(frameOf(sender.requests[0])).toMatchObject({ fCtrl: { ack: true, fOptsLen: 0 } });
  });

  it('settles the confirmed downlink waiting for the ACK bit before deciding: the next item can go at once', async () => {
    const ctx = contextFor();
    const session = sessionFor(ctx);
    const { classA, sender, queue, events, uplink } = await setup(ctx, session);
    const c = await queue.enqueue(ctx.device.devEui, { fPort: 1, data: Buffer.from('c'), confirmed: true });
    const next = await queue.enqueue(ctx.device.devEui, { fPort: 1, data: Buffer.from('n') });
    queue.sent(c, 0, session);
    await classA.answer(uplink({ ackBit: true }));
    expect(payloadsOf(events, 'ack')).toEqual([
      expect.objectContaining({ queueItemId: c.id, acknowledged: true }),
    ]);
    expect(frameOf(sender.requests[0]).frmPayload).toHaveLength(next.data.length);
    expect(payloadsOf(events, 'txack').map((t) => t.queueItemId)).toEqual([next.id]);
  });

  it('without the ACK bit the confirmed item goes again, with a new FCntDown', async () => {
    const ctx = contextFor();
    const session = sessionFor(ctx, { nFCntDown: 4 });
    const { classA, sender, queue, uplink } = await setup(ctx, session);
    const c = await queue.enqueue(ctx.device.devEui, { fPort: 1, data: Buffer.from('c'), confirmed: true });
    queue.sent(c, 3, session);
    await classA.answer(uplink({ ackBit: false }));
    expect(frameOf(sender.requests[0])).toMatchObject({ fCnt: 4, mType: 5 });
    expect(c.attempts).toBe(2);
    expect(session.pendingAck).toMatchObject({ queueItemId: c.id, fCntDown: 4 });
  });
});
