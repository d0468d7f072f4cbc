import { NetworkCounters } from '../uplink/network-counters';
import { contextFor, copyOf, FakeRegistry, sessionFor } from '../uplink/ns-test-support';
import { DownlinkSender, SendRequest, SendResult } from './downlink-sender';
import { NetworkDownlinkScheduler } from './network-downlink-scheduler';

class FakeSender {
  readonly requests: SendRequest[] = [];
  result: (req: SendRequest) => SendResult = (req) => ({
    sent: true,
    window: req.windows[0],
    gatewayId: 'g',
  });
  async send(req: SendRequest): Promise<SendResult> {
    this.requests.push(req);
    return this.result(req);
  }
}

describe('NetworkDownlinkScheduler.scheduleJoinAccept', () => {
  function setup(region = 'EU868') {
    const ctx = contextFor({ region });
    const sender = new FakeSender();
    const counters = new NetworkCounters();
    const scheduler = new NetworkDownlinkScheduler(
      new FakeRegistry(ctx),
      sender as unknown as DownlinkSender,
      counters,
    );
    return { ctx, sender, counters, scheduler };
  }

  it('RX1 at JOIN_ACCEPT_DELAY1 with the default RX1DROffset, then RX2 at JOIN_ACCEPT_DELAY2 with the region defaults', async () => {
    const { ctx, sender, counters, scheduler } = setup();
    // The new session's own settings (here RX1DROffset 3, RX2 DR3) apply only after the join-accept.
    const session = sessionFor(ctx);
    session.mac.rx1DrOffset = 3;
    session.mac.rx2DataRate = 3;
    const copy = copyOf(Buffer.alloc(23), { frequency: 868_500_000, spreadingFactor: 9 });
    const r = await scheduler.scheduleJoinAccept({
      uplink: {
        deduplicationId: 'd',
        phyPayload: Buffer.alloc(23),
        copies: [copy],
        firstReceivedAt: 0,
        windowDueAt: 0,
        windowClosedAt: 0,
      },
      devEui: ctx.device.devEui,
      phyPayload: Buffer.alloc(17, 9),
      session,
    });
    expect(r).toEqual({ sent: true, window: 'RX1', gatewayId: 'g' });
    expect(sender.requests[0].windows).toEqual([
      { name: 'RX1', frequency: 868_500_000, dataRate: 3, delay: 5 },
      { name: 'RX2', frequency: 869_525_000, dataRate: 0, delay: 6 },
    ]);
    expect(sender.requests[0].phyPayload).toEqual(Buffer.alloc(17, 9));
    expect(session.lastUplink?.gateways.map((g) => g.gatewayId)).toEqual([copy.rx.gatewayId]);
    expect(counters.downlink.joinAccepts).toBe(1);
  });

  it('US915: RX1 on the 500 kHz channel of the join-request channel, RX2 923.3 MHz DR8', async () => {
    const { ctx, sender, scheduler } = setup('US915');
    const copy = copyOf(Buffer.alloc(23), {
      frequency: 903_900_000,
      spreadingFactor: 10,
      bandwidth: 125_000,
    });
    await scheduler.scheduleJoinAccept({
      uplink: {
        deduplicationId: 'd',
        phyPayload: Buffer.alloc(23),
        copies: [copy],
        firstReceivedAt: 0,
        windowDueAt: 0,
        windowClosedAt: 0,
      },
      devEui: ctx.device.devEui,
      phyPayload: Buffer.alloc(17),
      session: sessionFor(ctx),
    });
    expect(sender.requests[0].windows).toEqual([
      { name: 'RX1', frequency: 923_300_000 + 600_000 * (8 % 8), dataRate: 10, delay: 5 },
      { name: 'RX2', frequency: 923_300_000, dataRate: 8, delay: 6 },
    ]);
  });

  it('reports a join-accept no gateway could send', async () => {
    const { ctx, sender, scheduler } = setup();
    sender.result = () => ({ sent: false, reason: 'TOO_LATE' });
    const r = await scheduler.scheduleJoinAccept({
      uplink: {
        deduplicationId: 'd',
        phyPayload: Buffer.alloc(23),
        copies: [copyOf(Buffer.alloc(23))],
        firstReceivedAt: 0,
        windowDueAt: 0,
        windowClosedAt: 0,
      },
      devEui: ctx.device.devEui,
      phyPayload: Buffer.alloc(17),
      session: sessionFor(ctx),
    });
    expect(r).toEqual({ sent: false });
    expect(
      await scheduler.scheduleJoinAccept({
        uplink: {
          deduplicationId: 'd',
          phyPayload: Buffer.alloc(23),
          copies: [],
          firstReceivedAt: 0,
          windowDueAt: 0,
          windowClosedAt: 0,
        },
        devEui: 'ffffffffffffffff',
        phyPayload: Buffer.alloc(17),
        session: sessionFor(ctx),
      }),
    ).toEqual({ sent: false });
  });
});
