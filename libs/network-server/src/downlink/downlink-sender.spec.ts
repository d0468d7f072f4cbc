import { EventBus } from '@lns/event-bus';
import { DownlinkError, DownlinkRequest, GatewayBridgeService, TxAckError } from '@lns/gateway-bridge';
import { getRegion } from '@lns/lorawan';
import { UplinkGatewayRx } from '../session/device-session';
import { NetworkCounters } from '../uplink/network-counters';
import { DownlinkSender } from './downlink-sender';
import { dutyCycleBand } from './duty-cycle';
import { TxAckWaiter } from './tx-ack-waiter';
import { TxWindow } from './txpk';

/** A bridge whose gateways answer TX_ACK as scripted: an error code, 'silent', or 'v1' (no TX_ACK). */
class FakeBridge {
  readonly sent: DownlinkRequest[] = [];
  answers: Array<TxAckError | 'silent' | 'v1' | 'offline'> = [];
  constructor(private readonly bus: EventBus) {}
  async sendDownlink(req: DownlinkRequest) {
    const answer = this.answers.shift() ?? 'NONE';
    if (answer === 'offline') throw new DownlinkError('GATEWAY_NOT_CONNECTED', 'offline');
    this.sent.push(req);
    if (answer === 'v1') return { token: 0, txAckExpected: false };
    if (answer !== 'silent') {
      setImmediate(() =>
        this.bus.emit('downlink.txack', {
          gatewayId: req.gatewayId,
          downlinkId: req.downlinkId,
          token: 1,
          error: answer,
          receivedAt: 0,
        }),
      );
    }
    return { token: 1, txAckExpected: true };
  }
}

const EU = getRegion('EU868');
const RX1: TxWindow = { name: 'RX1', frequency: 868_100_000, dataRate: 5, delay: 1 };
const RX2: TxWindow = { name: 'RX2', frequency: 869_525_000, dataRate: 0, delay: 2 };
const PHY = Buffer.alloc(20, 1);

function gw(gatewayId: string, snr: number, receivedAt = Date.now()): UplinkGatewayRx {
  return { gatewayId, snr, rssi: -90, tmst: 5_000_000, rfChain: 0, receivedAt };
}

function setup() {
  const bus = new EventBus();
  const bridge = new FakeBridge(bus);
  const counters = new NetworkCounters();
  const sender = new DownlinkSender(
    bridge as unknown as GatewayBridgeService,
    new TxAckWaiter(bus),
    counters,
  );
  return { bridge, counters, sender };
}

describe('DownlinkSender', () => {
  it('sends in RX1 through the best gateway, timed from its own tmst', async () => {
    const { bridge, sender, counters } = setup();
    const r = await sender.send({
      region: EU,
      gateways: [gw('a', 2), gw('b', 9)],
      windows: [RX1, RX2],
      phyPayload: PHY,
    });
    expect(r).toMatchObject({ sent: true, gatewayId: 'b', window: RX1 });
    expect(bridge.sent).toHaveLength(1);
    expect(bridge.sent[0]).toMatchObject({
      gatewayId: 'b',
      txpk: { tmst: 6_000_000, frequency: 868_100_000 },
    });
    expect(String(r.downlinkId)).toBe(bridge.sent[0].downlinkId);
    expect(counters.downlink).toMatchObject({ rx1: 1, txOk: 1 });
    expect(sender.dutyCycle.used('b', dutyCycleBand('EU868', RX1.frequency))).toBeGreaterThan(0);
  });

  it('falls back to RX2 on a TX_ACK error (TOO_LATE, COLLISION_PACKET …)', async () => {
    const { bridge, sender, counters } = setup();
    bridge.answers = ['COLLISION_PACKET'];
    const r = await sender.send({ region: EU, gateways: [gw('a', 2)], windows: [RX1, RX2], phyPayload: PHY });
    expect(r).toMatchObject({ sent: true, window: RX2 });
    expect(bridge.sent.map((s) => s.txpk.tmst)).toEqual([6_000_000, 7_000_000]);
    expect(counters.downlink.txErrors).toEqual({ COLLISION_PACKET: 1 });
  });

  it('passes to the next gateway when one is not connected', async () => {
    const { bridge, sender, counters } = setup();
    bridge.answers = ['offline'];
    const r = await sender.send({
      region: EU,
      gateways: [gw('a', 9), gw('b', 1)],
      windows: [RX1, RX2],
      phyPayload: PHY,
    });
    expect(r).toMatchObject({ sent: true, gatewayId: 'b', window: RX1 });
    expect(counters.downlink.sendErrors).toBe(1);
  });

  it('takes a protocol-1 gateway (no TX_ACK) and a lost TX_ACK as sent', async () => {
    const { bridge, sender, counters } = setup();
    bridge.answers = ['v1'];
    expect(
      await sender.send({ region: EU, gateways: [gw('a', 1)], windows: [RX1, RX2], phyPayload: PHY }),
    ).toMatchObject({ sent: true });
    // A TX_ACK lost on the way: waited for while RX2 could still be met (~1950 ms), then taken as sent.
    bridge.answers = ['silent'];
    const started = Date.now();
    expect(
      await sender.send({ region: EU, gateways: [gw('a', 1)], windows: [RX1, RX2], phyPayload: PHY }),
    ).toMatchObject({
      sent: true,
      window: RX1,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(bridge.sent).toHaveLength(2);
    expect(counters.downlink.txAckTimeouts).toBe(1);
  }, 10_000);

  it('does not send in a window already past, and says TOO_LATE when none is left', async () => {
    const { bridge, sender, counters } = setup();
    const r = await sender.send({
      region: EU,
      gateways: [gw('a', 1, Date.now() - 1500)],
      windows: [RX1, RX2],
      phyPayload: PHY,
    });
    expect(r.window).toEqual(RX2);
    expect(bridge.sent).toHaveLength(1);
    expect(
      await sender.send({
        region: EU,
        gateways: [gw('a', 1, Date.now() - 5000)],
        windows: [RX1, RX2],
        phyPayload: PHY,
      }),
    ).toEqual({
      sent: false,
      reason: 'TOO_LATE',
    });
    expect(counters.downlink.failed).toBe(1);
  });

  it('skips a gateway over its duty-cycle budget in that band', async () => {
    const { bridge, sender } = setup();
    sender.dutyCycle.record('a', dutyCycleBand('EU868', RX1.frequency), 36_000);
    const r = await sender.send({
      region: EU,
      gateways: [gw('a', 20)],
      windows: [RX1, RX2],
      phyPayload: PHY,
    });
    // RX1's band (1 %) is used up; RX2's (10 %) is not.
    expect(r).toMatchObject({ sent: true, window: RX2, gatewayId: 'a' });
    sender.dutyCycle.record('a', dutyCycleBand('EU868', RX2.frequency), 360_000);
    expect(
      await sender.send({ region: EU, gateways: [gw('a', 20)], windows: [RX1, RX2], phyPayload: PHY }),
    ).toEqual({
      sent: false,
      reason: 'NO_GATEWAY',
    });
    expect(bridge.sent).toHaveLength(1);
  });

  it('Class C: at once (imme), no deadline', async () => {
    const { bridge, sender, counters } = setup();
    const r = await sender.send({
      region: EU,
      gateways: [gw('a', 1, 0)],
      windows: [{ name: 'RXC', frequency: 869_525_000, dataRate: 0 }],
      phyPayload: PHY,
    });
    expect(r.sent).toBe(true);
    expect(bridge.sent[0].txpk).toMatchObject({ imme: true });
    expect(counters.downlink.classC).toBe(1);
  });
});
