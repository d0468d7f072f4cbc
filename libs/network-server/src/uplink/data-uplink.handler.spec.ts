import { DataUpFrame, decodePhyPayload, encodeMacCommands, encryptFrmPayload } from '@lns/lorawan';
import { EventBus } from '@lns/event-bus';
import { GatewayService, IntakeGuard } from '@lns/gateway-bridge';
import { AnsweredUplink, ClassADownlink } from '../downlink/class-a-downlink';
import { ClassCDownlink } from '../downlink/class-c-downlink';
import { DeviceQueueRepository } from '../queue/device-queue.repository';
import { DeviceQueueService } from '../queue/device-queue.service';
import { DeviceContext } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
import { InMemorySessionStore } from '../session/in-memory-session-store';
import { ApplicationPublisher } from './application-publisher';
import { DataUplinkHandler, EARLY_CHECK_TTL_MS } from './data-uplink.handler';
import { NetworkCounters } from './network-counters';
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
  sessionFor,
  signedUplink,
} from './ns-test-support';

async function setup(ctx: DeviceContext, session: DeviceSession) {
  const bus = new EventBus();
  const events = recordEvents(bus);
  const store = new FakeSessionStore();
  store.sessions.set(session.devEui, session);
  const counters = new NetworkCounters();
  const publisher = new ApplicationPublisher(bus);
  const registry = new FakeRegistry(ctx);
  const queue = new DeviceQueueService(
    new FakeQueueRepository() as unknown as DeviceQueueRepository,
    registry,
    store as unknown as InMemorySessionStore,
    publisher,
    counters,
    configWith({ maxRetries: 1 }),
  );
  await queue.onModuleInit();
  const answered: AnsweredUplink[] = [];
  const classA = { answer: async (u: AnsweredUplink) => void answered.push(u) } as unknown as ClassADownlink;
  const classC = { schedule: jest.fn() } as unknown as ClassCDownlink;
  const gateways = { get: () => ({ location: { latitude: 1, longitude: 2 } }) } as unknown as GatewayService;
  const mac = new FakeMacLayer();
  const intake = new IntakeGuard();
  const handler = new DataUplinkHandler(
    store,
    registry,
    queue,
    publisher,
    counters,
    classA,
    classC,
    gateways,
    intake,
    mac,
  );
  /** Commits made before each `up` event. */
  const commitsAtUp: number[] = [];
  bus.on('application.event', (e) => void (e.type === 'up' && commitsAtUp.push(store.commits.length)));
  const receive = (phy: Buffer, copies = [copyOf(phy, { frequency: 868_300_000 })]) =>
    handler.handle(
      {
        deduplicationId: 'dd',
        phyPayload: phy,
        copies,
        firstReceivedAt: 1_000,
        windowDueAt: 1_050,
        windowClosedAt: 1_080,
      },
      decodePhyPayload(phy) as DataUpFrame,
    );
  /** The first copy of `phy`, as the dedup hands it over when its window opens. */
  const first = (phy: Buffer, copy = copyOf(phy, { frequency: 868_300_000 })) =>
    handler.checkEarly(
      { deduplicationId: 'dd', copy, windowDueAt: 1_050 },
      decodePhyPayload(phy) as DataUpFrame,
    );
  return {
    events,
    store,
    counters,
    queue,
    mac,
    answered,
    classC,
    receive,
    first,
    handler,
    commitsAtUp,
    intake,
  };
}

describe('DataUplinkHandler', () => {
  it('publishes `up` (decrypted data, one rxInfo per gateway) only after the new FCntUp is committed, then answers', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { events, store, receive, commitsAtUp, answered, counters } = await setup(ctx, s);
    const phy = signedUplink(s, 5, { fPort: 2, payload: Buffer.from('hey'), confirmed: true });
    await receive(phy, [
      copyOf(phy, { gatewayId: 'g1', snr: 9, frequency: 868_300_000 }),
      copyOf(phy, { gatewayId: 'g2', snr: 1, frequency: 868_300_000 }),
    ]);
    expect(s.fCntUp).toBe(6);
    // Confirmed: the ACK's FCntDown (0) is reserved by this commit, which writes the next as 1.
    expect(store.commits).toEqual([[s.devEui, 6, 1, 1]]);
    expect(store.urgentFlushes).toEqual([true]); // the ACK is due in RX1: the commit goes at once
    expect(s.nFCntDown).toBe(0);
    expect(s.fCntDownOnDisk).toEqual([1, 1]);
    expect(commitsAtUp).toEqual([1]);
    const [up] = payloadsOf(events, 'up');
    expect(up).toMatchObject({
      deduplicationId: 'dd',
      devAddr: '26011bda',
      fCnt: 5,
      fPort: 2,
      confirmed: true,
      dr: 5,
      data: Buffer.from('hey').toString('base64'),
      time: new Date(1_000).toISOString(),
    });
    expect(up.rxInfo.map((r) => r.gatewayId)).toEqual(['g1', 'g2']);
    expect(up.rxInfo[0].location).toEqual({ latitude: 1, longitude: 2, altitude: 0 });
    expect(answered[0]).toMatchObject({ ack: true, fCnt: 5, dataRate: 5, channel: 1, mustAnswer: false });
    expect(answered[0].mac).toMatchObject({ maxSnr: 9, gatewayCount: 2, fCntUp: 5 });
    expect(s.lastUplink?.gateways.map((g) => g.gatewayId)).toEqual(['g1', 'g2']);
    expect(counters.uplink.accepted).toBe(1);
    // Published long after its window was due (1_050 in 1970): the delay is counted and reported.
    expect(counters.publishDelay.count).toBe(1);
    expect(counters.publishDelay.sumMs).toBeGreaterThan(Date.now() - 1_050 - 1_000);
    // Its parts: the window closed 30 ms late; the commit (immediate here) took almost nothing.
    expect(counters.windowCloseDelay.sumMs).toBe(30);
    expect(counters.commitWait.count).toBe(1);
    expect(counters.commitWait.sumMs).toBeLessThan(1_000);
  });

  it('reserves no FCntDown when no answer is due: an unconfirmed uplink, nothing queued, no MAC request', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { store, receive, answered } = await setup(ctx, s);
    await receive(signedUplink(s, 5, { fPort: 2, payload: Buffer.from('hey') }));
    expect(store.commits).toEqual([[s.devEui, 6, 0, 0]]);
    expect(store.urgentFlushes).toEqual([false]);
    expect(answered).toHaveLength(0); // nothing to send: no ACK, no MAC need, nothing queued
  });

  it('reserves the FCntDown of a queued downlink with the uplink that will carry it', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { store, receive, queue } = await setup(ctx, s);
    await queue.enqueue(ctx.device.devEui, { fPort: 3, data: Buffer.from('01', 'hex') });
    await receive(signedUplink(s, 5, { fPort: 2, payload: Buffer.from('hey') }));
    expect(store.commits).toEqual([[s.devEui, 6, 1, 1]]);
  });

  it('reports how late each published uplink is to the intake guard', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { receive, intake } = await setup(ctx, s);
    const published = jest.spyOn(intake, 'published');
    await receive(signedUplink(s, 5, { fPort: 2, payload: Buffer.from('hey') }));
    expect(published).toHaveBeenCalledTimes(1);
    expect(published.mock.calls[0][0]).toBeGreaterThan(Date.now() - 1_050 - 1_000);
  });

  it('publishes nothing when the session cannot be committed', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx);
    const { events, store, receive, counters, answered } = await setup(ctx, s);
    store.failNext = true;
    await receive(signedUplink(s, 0, { fPort: 1 }));
    expect(payloadsOf(events, 'up')).toHaveLength(0);
    expect(answered).toHaveLength(0);
    expect(counters.uplink.persistFailures).toBe(1);
  });

  it('a repetition of the last frame is not published again; a confirmed one is ACKed again (no MAC handling)', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 8 });
    const { events, receive, answered, mac, counters } = await setup(ctx, s);
    await receive(signedUplink(s, 7, { fPort: 1, confirmed: true }));
    expect(payloadsOf(events, 'up')).toHaveLength(0);
    expect(payloadsOf(events, 'log')).toEqual([
      expect.objectContaining({ code: 'UPLINK_F_CNT_RETRANSMISSION', level: 'INFO' }),
    ]);
    expect(answered).toEqual([expect.objectContaining({ ack: true, fCnt: 7 })]);
    expect(answered[0].mac).toBeUndefined();
    expect(mac.seen).toHaveLength(0);
    expect(counters.uplink.retransmissions).toBe(1);
    expect(s.fCntUp).toBe(8);
  });

  it('drops an old frame (replay) and, before 1.0.4, a jump beyond MAX_FCNT_GAP, each with its log event', async () => {
    const ctx = contextFor({ macVersion: '1.0.3' });
    const s = sessionFor(ctx, { fCntUp: 20 });
    const { events, receive, counters } = await setup(ctx, s);
    await receive(signedUplink(s, 3, { fPort: 1 }));
    // Last accepted 19; 19 + MAX_FCNT_GAP is refused (L1.0.2 §4.3.1.5), one less is not.
    await receive(signedUplink(s, 19 + 16384, { fPort: 1 }));
    expect(payloadsOf(events, 'log').map((l) => l.code)).toEqual(['UPLINK_F_CNT_REPLAY', 'UPLINK_F_CNT_GAP']);
    expect(counters.uplink).toMatchObject({ replays: 1, fCntGapRefused: 1 });
    expect(s.fCntUp).toBe(20);
    await receive(signedUplink(s, 19 + 16383, { fPort: 1 }));
    expect(s.fCntUp).toBe(19 + 16384);
  });

  it('1.0.4 has no MAX_FCNT_GAP', async () => {
    const ctx = contextFor({ macVersion: '1.0.4' });
    const s = sessionFor(ctx, { fCntUp: 20 });
    const { receive } = await setup(ctx, s);
    await receive(signedUplink(s, 20 + 40000, { fPort: 1 }));
    expect(s.fCntUp).toBe(20 + 40001);
  });

  it('hands the MAC layer the commands of FOpts (1.1: decrypted) and of FPort 0; logs bytes it cannot read', async () => {
    const ctx = contextFor({ macVersion: '1.1.0' });
    const s = sessionFor(ctx);
    const { receive, mac, events } = await setup(ctx, s);
    const cmds = encodeMacCommands([
      { cid: 'LinkCheckReq' },
      { cid: 'DevStatusAns', battery: 10, margin: 5 },
    ]);
    await receive(signedUplink(s, 0, { fPort: 1, fOpts: cmds }));
    await receive(signedUplink(s, 1, { fPort: 0, payload: encodeMacCommands([{ cid: 'DeviceTimeReq' }]) }));
    await receive(signedUplink(s, 2, { fPort: 1, fOpts: Buffer.from([0x02, 0x7f, 0x01]) }));
    expect(mac.seen.map((c) => c.map((x) => x.cid))).toEqual([
      ['LinkCheckReq', 'DevStatusAns'],
      ['DeviceTimeReq'],
      ['LinkCheckReq'],
    ]);
    expect(payloadsOf(events, 'log')).toEqual([
      expect.objectContaining({ code: 'MAC_COMMAND', level: 'WARNING' }),
    ]);
    // FPort 0 carries MAC commands: no application data in the `up` event.
    expect(payloadsOf(events, 'up')[1]).toMatchObject({ fPort: 0 });
    expect(payloadsOf(events, 'up')[1].data).toBeUndefined();
  });

  it('turns MAC effects into `status` and `log` events, and ADRACKReq or a MAC request into a needed answer', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx);
    const { receive, mac, events, answered } = await setup(ctx, s);
    mac.result = {
      effects: [
        { kind: 'status', battery: 127, margin: 12 },
        { kind: 'log', level: 'WARNING', description: 'LinkADRReq refused', cid: 'LinkADRReq' },
      ],
      needsDownlink: true,
    };
    await receive(signedUplink(s, 0, { fPort: 1 }));
    expect(payloadsOf(events, 'status')).toEqual([
      expect.objectContaining({
        margin: 12,
        batteryLevel: 50,
        externalPowerSource: false,
        batteryLevelUnavailable: false,
        deduplicationId: 'dd',
      }),
    ]);
    expect(payloadsOf(events, 'log')).toEqual([
      expect.objectContaining({ code: 'MAC_COMMAND', context: { cid: 'LinkADRReq' } }),
    ]);
    expect(answered[0].mustAnswer).toBe(true);
    mac.result = { effects: [{ kind: 'status', battery: 0, margin: -3 }], needsDownlink: false };
    await receive(signedUplink(s, 1, { fPort: 1, adrAckReq: true }));
    expect(payloadsOf(events, 'status')[1]).toMatchObject({ externalPowerSource: true, batteryLevel: 0 });
    expect(answered[1].mustAnswer).toBe(true);
  });

  it('hands the ACK bit to the downlink decision, which settles the confirmed downlink waiting for it', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx);
    const { receive, answered, queue } = await setup(ctx, s);
    await queue.enqueue(ctx.device.devEui, { fPort: 1, data: Buffer.from('c'), confirmed: true });
    await receive(signedUplink(s, 0, { fPort: 1, ack: true }));
    expect(answered[0].ackBit).toBe(true);
  });

  it('end-to-end application: `data` as sent, with the AppSKey envelope as joinServerContext', async () => {
    const ctx = contextFor({ endToEnd: true });
    const s = sessionFor(ctx, {
      appSKeyEnvelope: { kekLabel: 'as-1', aesKey: 'd3JhcHBlZA==' },
      sessionKeyId: 'sk',
    });
    const { receive, events } = await setup(ctx, s);
    await receive(signedUplink(s, 0, { fPort: 1, payload: Buffer.from('top secret') }));
    const sent = encryptFrmPayload({
      key: APP_S_KEY,
      uplink: true,
      devAddr: s.devAddr,
      fCnt: 0,
      payload: Buffer.from('top secret'),
    });
    expect(payloadsOf(events, 'up')[0]).toMatchObject({
      data: sent.toString('base64'),
      joinServerContext: { sessionKeyId: 'sk', appSKey: { kekLabel: 'as-1', aesKey: 'd3JhcHBlZA==' } },
    });
  });

  it('counts frames of an unknown DevAddr and MIC failures (a log when the device is known)', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx);
    const { receive, counters, events } = await setup(ctx, s);
    await receive(signedUplink({ ...s, devAddr: 0x11 }, 0, { fPort: 1 }));
    const bad = signedUplink(s, 0, { fPort: 1 });
    bad[bad.length - 1] ^= 0xff;
    await receive(bad);
    expect(counters.uplink).toMatchObject({ unknownDevAddr: 1, micFailures: 1 });
    expect(payloadsOf(events, 'log').map((l) => l.code)).toEqual(['UPLINK_MIC']);
  });

  it('schedules Class C transmission when a Class C device still has queued items', async () => {
    const ctx = contextFor({ supportsClassC: true });
    const s = sessionFor(ctx);
    const { receive, queue, classC } = await setup(ctx, s);
    await queue.enqueue(ctx.device.devEui, { fPort: 1, data: Buffer.from('c') });
    await receive(signedUplink(s, 0, { fPort: 1 }));
    expect(classC.schedule).toHaveBeenCalledWith(ctx.device.devEui, true);
  });
});

describe('DataUplinkHandler, checked on the first copy (checkEarly)', () => {
  const g1 = (phy: Buffer) => copyOf(phy, { gatewayId: 'g1', snr: 9, frequency: 868_300_000 });
  const g2 = (phy: Buffer) => copyOf(phy, { gatewayId: 'g2', snr: 1, frequency: 868_300_000 });

  it('commits the new FCntUp while the window runs; at its end publishes with every copy, without a second commit or MIC', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { events, store, receive, first, counters, answered, handler, mac } = await setup(ctx, s);
    // The MAC layer plans a request at the window's end: an answer the first copy could not foresee.
    mac.result = { effects: [], needsDownlink: true };
    const phy = signedUplink(s, 5, { fPort: 2, payload: Buffer.from('hey') });
    first(phy, g2(phy));
    expect(s.fCntUp).toBe(6);
    expect(store.urgentFlushes).toEqual([false]); // no answer foreseeable: the commit may gather
    expect(counters.uplink.micAttempts).toBe(1);
    expect(handler.earlyChecks).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(store.commits).toEqual([[s.devEui, 6, 0, 0]]);
    expect(payloadsOf(events, 'up')).toHaveLength(0); // not before the window closes

    await receive(phy, [g1(phy), g2(phy)]);
    expect(handler.earlyChecks).toBe(0);
    const [up] = payloadsOf(events, 'up');
    expect(up).toMatchObject({ deduplicationId: 'dd', fCnt: 5, data: Buffer.from('hey').toString('base64') });
    expect(up.rxInfo.map((r) => r.gatewayId)).toEqual(['g1', 'g2']);
    expect(store.urgentFlushes).toEqual([false]);
    expect(store.commits).toHaveLength(1);
    // No MAC command, no effect: the ADR history entry and last-seen time go with the next commit.
    expect(store.dirty.size).toBe(0);
    expect(counters.uplink.micAttempts).toBe(1);
    expect(counters.uplink.accepted).toBe(1);
    // ADR and the answer see every copy; the answer's FCntDown was not reserved (ClassADownlink commits it).
    expect(answered[0]).toMatchObject({ mustAnswer: true, ack: false });
    expect(answered[0].mac).toMatchObject({ maxSnr: 9, gatewayCount: 2, fCntUp: 5 });
    expect(s.fCntDownReserved).toBeUndefined();
    expect(s.lastUplink?.gateways.map((g) => g.gatewayId)).toEqual(['g1', 'g2']);
    expect(counters.commitWait.count).toBe(1);
  });

  it("a confirmed frame: the first copy's commit reserves the ACK's FCntDown and goes at once", async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { store, receive, first, answered } = await setup(ctx, s);
    const phy = signedUplink(s, 5, { fPort: 2, confirmed: true });
    first(phy);
    await receive(phy);
    expect(store.commits).toEqual([[s.devEui, 6, 1, 1]]);
    expect(store.urgentFlushes).toEqual([true]);
    expect(s.fCntDownOnDisk).toEqual([1, 1]);
    expect(answered[0]).toMatchObject({ ack: true, fCnt: 5 });
  });

  it("reserves for an answer the frame's MAC commands or a queued downlink may need; MAC commands mark the session again", async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { store, receive, first, queue, mac } = await setup(ctx, s);
    const withMac = signedUplink(s, 5, { fPort: 1, fOpts: encodeMacCommands([{ cid: 'LinkCheckReq' }]) });
    first(withMac);
    await receive(withMac);
    expect(store.urgentFlushes).toEqual([true]);
    expect(mac.seen).toEqual([[{ cid: 'LinkCheckReq' }]]);
    expect(store.dirty.has(s)).toBe(true); // the MAC state after its commands: the next commit
    store.dirty.clear();
    await queue.enqueue(ctx.device.devEui, { fPort: 3, data: Buffer.from('01', 'hex') });
    first(signedUplink(s, 6, { fPort: 2 }));
    expect(store.urgentFlushes).toEqual([true, true]);
  });

  it("the `up` event waits for the early commit when it is not done at the window's end", async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { events, store, receive, first } = await setup(ctx, s);
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const phy = signedUplink(s, 5, { fPort: 2 });
    first(phy);
    const handled = receive(phy);
    await new Promise((r) => setTimeout(r, 20));
    expect(payloadsOf(events, 'up')).toHaveLength(0);
    open();
    await handled;
    expect(payloadsOf(events, 'up')).toHaveLength(1);
  });

  it('publishes nothing when the early commit failed', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { events, store, receive, first, counters, answered } = await setup(ctx, s);
    store.failNext = true;
    const phy = signedUplink(s, 5, { fPort: 2 });
    first(phy);
    await new Promise((r) => setImmediate(r)); // failed before the window closed: no unhandled rejection
    await receive(phy);
    expect(payloadsOf(events, 'up')).toHaveLength(0);
    expect(answered).toHaveLength(0);
    expect(counters.uplink.persistFailures).toBe(1);
  });

  it("leaves what it does not accept to the window's end, unchanged: a replay, a retransmission, a MIC failure", async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { events, store, receive, first, counters, handler } = await setup(ctx, s);
    const replay = signedUplink(s, 3, { fPort: 2 });
    first(replay);
    const retransmission = signedUplink(s, 4, { fPort: 2, confirmed: true });
    first(retransmission);
    const forged = Buffer.from(signedUplink(s, 5, { fPort: 2 }));
    forged[forged.length - 1] ^= 0xff;
    first(forged);
    expect(handler.earlyChecks).toBe(0);
    expect(s.fCntUp).toBe(5);
    expect(store.urgentFlushes).toEqual([]);
    expect(counters.uplink.micAttempts).toBe(0);
    await receive(replay);
    await receive(forged);
    expect(counters.uplink.replays).toBe(1);
    expect(counters.uplink.micFailures).toBe(1);
    expect(payloadsOf(events, 'log').map((l) => l.code)).toEqual(['UPLINK_F_CNT_REPLAY', 'UPLINK_MIC']);
  });

  it('forgets an early check whose uplink never came', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx, { fCntUp: 5 });
    const { first, handler } = await setup(ctx, s);
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    try {
      first(signedUplink(s, 5, { fPort: 2 }));
      now.mockReturnValue(1_000_000 + EARLY_CHECK_TTL_MS);
      first(signedUplink(s, 6, { fPort: 2 })); // same id in this spec: it replaces the entry
      expect(handler.earlyChecks).toBe(1);
      now.mockReturnValue(1_000_000 + 2 * EARLY_CHECK_TTL_MS);
      handler.checkEarly(
        { deduplicationId: 'other', copy: copyOf(signedUplink(s, 3, {})), windowDueAt: 0 },
        decodePhyPayload(signedUplink(s, 3, {})) as DataUpFrame,
      );
      expect(handler.earlyChecks).toBe(0);
    } finally {
      now.mockRestore();
    }
  });
});

describe('DataUplinkHandler when the MAC layer fails', () => {
  it('still publishes the uplink, with a log event', async () => {
    const ctx = contextFor();
    const s = sessionFor(ctx);
    const { receive, mac, events } = await setup(ctx, s);
    mac.handleUplink = () => {
      throw new Error('bug');
    };
    await receive(signedUplink(s, 0, { fPort: 1, payload: Buffer.from('a') }));
    expect(payloadsOf(events, 'up')).toHaveLength(1);
    expect(payloadsOf(events, 'log')).toEqual([
      expect.objectContaining({ code: 'MAC_COMMAND', level: 'ERROR' }),
    ]);
  });
});
