import { EventBus } from '@lns/event-bus';
import { DeviceSession } from '../session/device-session';
import { InMemorySessionStore, SessionChange } from '../session/in-memory-session-store';
import { ApplicationPublisher } from '../uplink/application-publisher';
import { NetworkCounters } from '../uplink/network-counters';
import {
  configWith,
  contextFor,
  FakeQueueRepository,
  FakeRegistry,
  payloadsOf,
  recordEvents,
  sessionFor,
} from '../uplink/ns-test-support';
import { DeviceQueueRepository } from './device-queue.repository';
import { DeviceQueueService, MAX_QUEUE_ITEMS } from './device-queue.service';
import { QueueError, QueueItem } from './queue-item';

class FakeSessions {
  readonly sessions = new Map<string, DeviceSession>();
  listener?: (c: SessionChange) => void;
  byDevEui(devEui: string) {
    return this.sessions.get(devEui);
  }
  onChange(l: (c: SessionChange) => void) {
    this.listener = l;
  }
}

const PLAIN = contextFor({ devEui: '00000000000000a1' });
const TUNNEL = contextFor({ devEui: '00000000000000a2', endToEnd: true, macVersion: '1.1.0' });
TUNNEL.application.id = 'app-2';

async function setup(maxRetries = 2) {
  const bus = new EventBus();
  const events = recordEvents(bus);
  const repo = new FakeQueueRepository();
  const sessions = new FakeSessions();
  const counters = new NetworkCounters();
  const q = new DeviceQueueService(
    repo as unknown as DeviceQueueRepository,
    new FakeRegistry(PLAIN, TUNNEL),
    sessions as unknown as InMemorySessionStore,
    new ApplicationPublisher(bus),
    counters,
    configWith({ maxRetries }),
  );
  await q.onModuleInit();
  return { q, bus, events, repo, sessions, counters };
}

const rejected = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof QueueError) return [err.kind, err.field];
    throw err;
  }
  throw new Error('not refused');
};

describe('DeviceQueueService', () => {
  it('queues in order, persisted before it is in memory, with strictly increasing creation times', async () => {
    const { q, repo } = await setup();
    const a = await q.enqueue(PLAIN.device.devEui, { fPort: 1, data: Buffer.from('a') }, 1000);
    const b = await q.enqueue(
      PLAIN.device.devEui,
      { fPort: 2, data: Buffer.from('b'), confirmed: true },
      1000,
    );
    expect(q.list(PLAIN.device.devEui)).toEqual([a, b]);
    expect(b.createdAt).toBe(1001);
    expect(b).toMatchObject({ confirmed: true, attempts: 0, fCntDown: null, isEncrypted: false });
    expect(repo.log).toEqual([`insert ${a.id}`, `insert ${b.id}`]);
    expect(q.countAfter(a)).toBe(1);
  });

  it('refuses what cannot be sent, naming the field', async () => {
    const { q } = await setup();
    const eui = PLAIN.device.devEui;
    const data = Buffer.from('x');
    expect(await rejected(q.enqueue('ffffffffffffffff', { fPort: 1, data }))).toEqual([
      'DEVICE_NOT_FOUND',
      'devEui',
    ]);
    expect(await rejected(q.enqueue(eui, { fPort: 0, data }))).toEqual(['INVALID', 'fPort']);
    expect(await rejected(q.enqueue(eui, { fPort: 224, data }))).toEqual(['INVALID', 'fPort']);
    expect(await rejected(q.enqueue(eui, { fPort: 1, data: Buffer.alloc(243) }))).toEqual([
      'INVALID',
      'data',
    ]);
    await q.enqueue(eui, { fPort: 1, data: Buffer.alloc(242) });
    expect(await rejected(q.enqueue(eui, { fPort: 1, data, fCntDown: 1 }))).toEqual(['INVALID', 'fCntDown']);
    expect(await rejected(q.enqueue(eui, { fPort: 1, data, expiresAt: 5 }, 10))).toEqual([
      'INVALID',
      'expiresAt',
    ]);
    expect(await rejected(q.enqueue(TUNNEL.device.devEui, { fPort: 1, data }))).toEqual([
      'INVALID',
      'isEncrypted',
    ]);
  });

  it(`holds at most ${MAX_QUEUE_ITEMS} items per device`, async () => {
    const { q } = await setup();
    for (let i = 0; i < MAX_QUEUE_ITEMS; i++)
      await q.enqueue(PLAIN.device.devEui, { fPort: 1, data: Buffer.alloc(1) });
    expect(await rejected(q.enqueue(PLAIN.device.devEui, { fPort: 1, data: Buffer.alloc(1) }))).toEqual([
      'QUEUE_FULL',
      'devEui',
    ]);
  });

  it('tunnel items: the AS counter must be one not used yet (next AFCntDown, and after those queued)', async () => {
    const { q, sessions } = await setup();
    const eui = TUNNEL.device.devEui;
    sessions.sessions.set(eui, sessionFor(TUNNEL, { aFCntDown: 5, nFCntDown: 50 }));
    const enc = { fPort: 1, data: Buffer.from('c'), isEncrypted: true };
    expect(q.nextAsFCntDown(eui)).toBe(5);
    expect(await rejected(q.enqueue(eui, { ...enc }))).toEqual(['INVALID', 'fCntDown']);
    expect(await rejected(q.enqueue(eui, { ...enc, fCntDown: 4 }))).toEqual(['INVALID', 'fCntDown']);
    expect((await q.enqueue(eui, { ...enc, fCntDown: 7 })).fCntDown).toBe(7);
    expect(q.nextAsFCntDown(eui)).toBe(8);
    expect(await rejected(q.enqueue(eui, { ...enc, fCntDown: 7 }))).toEqual(['INVALID', 'fCntDown']);
  });

  it('drops expired items at the head with a log DOWNLINK_EXPIRED', async () => {
    const { q, events, counters } = await setup();
    const eui = PLAIN.device.devEui;
    await q.enqueue(eui, { fPort: 1, data: Buffer.from('a'), expiresAt: 2000 }, 1000);
    const b = await q.enqueue(eui, { fPort: 1, data: Buffer.from('b') }, 1000);
    expect(q.next(PLAIN, undefined, 3000)).toBe(b);
    expect(payloadsOf(events, 'log').map((l) => l.code)).toEqual(['DOWNLINK_EXPIRED']);
    expect(counters.downlink.expired).toBe(1);
  });

  it('unconfirmed items leave once sent; confirmed ones wait for the ACK, then `ack` true', async () => {
    const { q, events, repo } = await setup();
    const eui = PLAIN.device.devEui;
    const session = sessionFor(PLAIN);
    const u = await q.enqueue(eui, { fPort: 1, data: Buffer.from('u') });
    const c = await q.enqueue(eui, { fPort: 1, data: Buffer.from('c'), confirmed: true });
    q.sent(u, 3, session);
    expect(q.list(eui)).toEqual([c]);
    q.sent(c, 4, session);
    expect(session.pendingAck).toMatchObject({ queueItemId: c.id, fCntDown: 4 });
    expect(q.head(eui)).toBe(c);
    q.ackFromUplink(PLAIN, session, true, 'dedup-1');
    expect(q.list(eui)).toEqual([]);
    expect(session.pendingAck).toBeUndefined();
    expect(payloadsOf(events, 'ack')).toEqual([
      expect.objectContaining({
        deduplicationId: 'dedup-1',
        queueItemId: c.id,
        acknowledged: true,
        fCntDown: 4,
      }),
    ]);
    await new Promise((r) => setImmediate(r));
    expect(repo.log).toEqual(
      expect.arrayContaining([`delete ${u.id}`, `sent ${c.id} 1 4`, `delete ${c.id}`]),
    );
  });

  it('without the ACK a confirmed item stays for a retry until maxRetries, then `ack` false', async () => {
    const { q, events } = await setup(2);
    const eui = PLAIN.device.devEui;
    const session = sessionFor(PLAIN);
    const c = await q.enqueue(eui, { fPort: 1, data: Buffer.from('c'), confirmed: true });
    for (let attempt = 1; attempt <= 3; attempt++) {
      q.sent(c, attempt, session);
      q.ackFromUplink(PLAIN, session, false, `d${attempt}`);
      expect(q.head(eui)).toBe(attempt <= 2 ? c : undefined);
    }
    expect(payloadsOf(events, 'ack')).toEqual([
      expect.objectContaining({ queueItemId: c.id, acknowledged: false, fCntDown: 3 }),
    ]);
  });

  it('an AS-encrypted confirmed item is not retried: its counter cannot be used twice', async () => {
    const { q, events, sessions } = await setup();
    const eui = TUNNEL.device.devEui;
    const session = sessionFor(TUNNEL);
    sessions.sessions.set(eui, session);
    const c = await q.enqueue(eui, {
      fPort: 1,
      data: Buffer.from('c'),
      confirmed: true,
      isEncrypted: true,
      fCntDown: 0,
    });
    q.sent(c, 0, session);
    q.ackFromUplink(TUNNEL, session, false, 'd');
    expect(payloadsOf(events, 'ack')).toEqual([expect.objectContaining({ acknowledged: false })]);
  });

  it('a new session drops the items the AS encrypted for the old one and re-encrypts plain ones', async () => {
    const { q, sessions, events, repo } = await setup();
    const session = sessionFor(TUNNEL);
    sessions.sessions.set(TUNNEL.device.devEui, session);
    await q.enqueue(TUNNEL.device.devEui, {
      fPort: 1,
      data: Buffer.from('c'),
      isEncrypted: true,
      fCntDown: 0,
    });
    const plain = await q.enqueue(PLAIN.device.devEui, { fPort: 1, data: Buffer.from('p'), confirmed: true });
    q.sent(plain, 9, sessionFor(PLAIN));
    sessions.listener!({ kind: 'activated', session });
    sessions.listener!({ kind: 'activated', session: sessionFor(PLAIN) });
    expect(q.list(TUNNEL.device.devEui)).toEqual([]);
    expect(payloadsOf(events, 'log').map((l) => l.code)).toEqual(['DOWNLINK_F_CNT']);
    expect(plain).toMatchObject({ attempts: 0, fCntDown: null });
    await new Promise((r) => setImmediate(r));
    expect(repo.log).toContain(`reset ${PLAIN.device.devEui}`);
  });

  it('a removed session (device deleted) takes its queue with it', async () => {
    const { q, sessions, repo } = await setup();
    await q.enqueue(PLAIN.device.devEui, { fPort: 1, data: Buffer.from('p') });
    sessions.listener!({ kind: 'removed', devEui: PLAIN.device.devEui });
    expect(q.list(PLAIN.device.devEui)).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(repo.log).toContain(`flush ${PLAIN.device.devEui}`);
  });

  it('flush() empties the queue and forgets the pending ACK', async () => {
    const { q, sessions, repo } = await setup();
    const session = sessionFor(PLAIN);
    sessions.sessions.set(PLAIN.device.devEui, session);
    const c = await q.enqueue(PLAIN.device.devEui, { fPort: 1, data: Buffer.from('c'), confirmed: true });
    q.sent(c, 1, session);
    expect(await q.flush(PLAIN.device.devEui)).toBe(1);
    expect(session.pendingAck).toBeUndefined();
    expect(repo.log).toContain(`flush ${PLAIN.device.devEui}`);
  });

  it('loads the persisted queues at start, in order', async () => {
    const bus = new EventBus();
    const repo = new FakeQueueRepository();
    const item = (id: string, createdAt: number): QueueItem => ({
      id,
      devEui: PLAIN.device.devEui,
      fPort: 1,
      data: Buffer.from(id),
      confirmed: false,
      isEncrypted: false,
      fCntDown: null,
      attempts: 0,
      expiresAt: null,
      createdAt,
    });
    repo.loaded = [item('x', 1), item('y', 2)];
    const q = new DeviceQueueService(
      repo as unknown as DeviceQueueRepository,
      new FakeRegistry(PLAIN),
      new FakeSessions() as unknown as InMemorySessionStore,
      new ApplicationPublisher(bus),
      new NetworkCounters(),
      configWith(),
    );
    await q.onModuleInit();
    expect(q.list(PLAIN.device.devEui).map((i) => i.id)).toEqual(['x', 'y']);
  });
});
