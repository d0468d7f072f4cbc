import { Logger } from '@nestjs/common';
import { EventBus } from '@lns/event-bus';
import { JoinRequestFrame, RejoinRequestFrame } from '@lns/lorawan';
import { JoinRequestHandler } from '../join/join-request-handler';
import { DataUplinkHandler } from './data-uplink.handler';
import { DeduplicatedUplink, FirstCopy } from './deduplicated-uplink';
import { NetworkCounters } from './network-counters';
import { configWith, copyOf } from './ns-test-support';
import { UplinkRouter } from './uplink-router';

class FakeJoins extends JoinRequestHandler {
  readonly joins: JoinRequestFrame[] = [];
  readonly rejoins: RejoinRequestFrame[] = [];
  async handleJoinRequest(_u: DeduplicatedUplink, f: JoinRequestFrame) {
    this.joins.push(f);
  }
  async handleRejoinRequest(_u: DeduplicatedUplink, f: RejoinRequestFrame) {
    this.rejoins.push(f);
  }
}

const JOIN_REQUEST = Buffer.from('00' + '01'.repeat(8) + '02'.repeat(8) + '0300' + 'aabbccdd', 'hex');
const REJOIN_0 = Buffer.from('c000' + '000000' + '02'.repeat(8) + '0100' + 'aabbccdd', 'hex');
const DATA_UP = Buffer.from('40da1b0126000100016e0ad5aab4c2d1', 'hex');
const DATA_DOWN = Buffer.from('60da1b0126000100016e0ad5aab4c2d1', 'hex');

function setup(joins?: JoinRequestHandler) {
  jest.useFakeTimers();
  const bus = new EventBus();
  const counters = new NetworkCounters();
  const data: unknown[] = [];
  /** In order: 'first <id>' for an early check, 'uplink <id>' for a whole uplink. */
  const order: string[] = [];
  const handler = {
    handle: async (u: DeduplicatedUplink, f: unknown) => {
      data.push(f);
      order.push(`uplink ${u.deduplicationId}`);
    },
    checkEarly: (first: FirstCopy) => void order.push(`first ${first.deduplicationId}`),
  } as unknown as DataUplinkHandler;
  const router = new UplinkRouter(configWith({ windowMs: 100 }), bus, handler, counters, joins);
  router.onModuleInit();
  return { bus, counters, data, order, router };
}

describe('UplinkRouter', () => {
  afterEach(() => jest.useRealTimers());

  it('deduplicates uplink.received copies, then routes by MType: join, rejoin, data; counts the rest', async () => {
    const joins = new FakeJoins();
    const { bus, counters, data, router } = setup(joins);
    for (const phy of [
      JOIN_REQUEST,
      REJOIN_0,
      DATA_UP,
      DATA_DOWN,
      Buffer.from('e0ff', 'hex'),
      Buffer.from('41', 'hex'),
    ]) {
      bus.emit('uplink.received', copyOf(phy, { gatewayId: 'g1' }));
      bus.emit('uplink.received', copyOf(phy, { gatewayId: 'g2' }));
    }
    jest.advanceTimersByTime(100);
    await Promise.resolve();
    expect(joins.joins).toHaveLength(1);
    expect(joins.rejoins).toHaveLength(1);
    expect(data).toHaveLength(1);
    expect(counters.uplink).toMatchObject({
      copies: 12,
      deduplicated: 6,
      joinRequests: 1,
      rejoinRequests: 1,
      dataUplinks: 1,
      otherMTypes: 3, // downlink, proprietary, Major 1
    });
    expect(counters.uplink.dedupSizes['2']).toBe(6);
    bus.emit('uplink.received', copyOf(DATA_UP, { gatewayId: 'g3' }));
    expect(counters.uplink.lateCopies).toBe(1);
    router.onModuleDestroy();
  });

  it('counts a frame that does not decode, and drops joins when no join handler is wired in', async () => {
    const { bus, counters, router } = setup();
    bus.emit('uplink.received', copyOf(Buffer.from('40da1b01', 'hex')));
    bus.emit('uplink.received', copyOf(JOIN_REQUEST));
    jest.advanceTimersByTime(100);
    expect(counters.uplink).toMatchObject({ malformed: 1, joinRequests: 1, joinDropped: 1 });
    router.onModuleDestroy();
  });

  it('routes an uplink the UDP worker deduplicated as is, and adds the worker dedup report to its counters', async () => {
    const { bus, counters, data, router } = setup();
    bus.emit('uplink.deduplicated', {
      deduplicationId: 'id',
      phyPayload: DATA_UP,
      copies: [copyOf(DATA_UP, { gatewayId: 'g1' }), copyOf(DATA_UP, { gatewayId: 'g2' })],
      firstReceivedAt: 1,
      windowDueAt: 101,
      windowClosedAt: 102,
    });
    expect(data).toHaveLength(0); // routed after the I/O of this turn (HandOverQueue)
    jest.runOnlyPendingTimers();
    expect(data).toHaveLength(1);
    bus.emit('uplink.dedup.report', { copies: 5, late: 1, overflow: 2, size: 7 });
    bus.emit('uplink.received', copyOf(DATA_DOWN));
    expect(counters.uplink).toMatchObject({
      copies: 6,
      lateCopies: 1,
      dedupOverflow: 2,
      deduplicated: 1,
      dataUplinks: 1,
    });
    expect(counters.uplink.dedupSizes['2']).toBe(1);
    // The worker's map and this thread's: the one copy of DATA_DOWN still in its window.
    expect(router.dedupSize).toBe(8);
    router.onModuleDestroy();
  });

  it("hands a data uplink's first copy to the early check as its window opens, from this thread's dedup and the worker's", () => {
    const { bus, order, counters, router } = setup();
    const error = jest.spyOn(Logger.prototype, 'error');
    const first = copyOf(DATA_UP, { gatewayId: 'g1' });
    bus.emit('uplink.received', first);
    bus.emit('uplink.received', copyOf(DATA_UP, { gatewayId: 'g2' }));
    bus.emit('uplink.received', copyOf(JOIN_REQUEST)); // joins wait for their window
    bus.emit('uplink.received', copyOf(Buffer.from('40da1b01', 'hex'))); // does not decode
    expect(order).toEqual([expect.stringMatching(/^first [0-9a-f-]{36}$/)]);
    jest.advanceTimersByTime(100);
    const id = order[0].slice('first '.length);
    expect(order).toEqual([`first ${id}`, `uplink ${id}`]);
    expect(counters.uplink.malformed).toBe(1);
    expect(error).not.toHaveBeenCalled(); // a frame that does not decode is no error of ours
    error.mockRestore();

    // From the worker, through the same sliced queue: the uplinks whose window closed first, then
    // the first copies (their window still runs); one whose window closed meanwhile goes unchecked.
    order.length = 0;
    const due = Date.now() + 200;
    bus.emit('uplink.first', { deduplicationId: 'w1', copy: copyOf(DATA_UP), windowDueAt: due });
    bus.emit('uplink.deduplicated', {
      deduplicationId: 'w0',
      phyPayload: DATA_UP,
      copies: [copyOf(DATA_UP)],
      firstReceivedAt: 1,
      windowDueAt: 101,
      windowClosedAt: 102,
    });
    bus.emit('uplink.first', { deduplicationId: 'w2', copy: copyOf(DATA_DOWN), windowDueAt: due });
    bus.emit('uplink.first', { deduplicationId: 'w3', copy: copyOf(DATA_UP), windowDueAt: Date.now() });
    expect(order).toEqual([]);
    jest.runOnlyPendingTimers();
    expect(order).toEqual(['uplink w0', 'first w1']); // a downlink frame is not checked
    router.onModuleDestroy();
  });

  it("a failing early check is logged; the uplink is still handled at its window's end", () => {
    const { bus, order, router } = setup();
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      (router as unknown as { data: { checkEarly: () => void } }).data.checkEarly = () => {
        throw new Error('bug');
      };
      bus.emit('uplink.received', copyOf(DATA_UP));
      expect(error).toHaveBeenCalledWith(expect.stringContaining('early check: Error: bug'));
      jest.advanceTimersByTime(100);
      expect(order).toEqual([expect.stringMatching(/^uplink /)]);
    } finally {
      error.mockRestore();
      router.onModuleDestroy();
    }
  });
});
