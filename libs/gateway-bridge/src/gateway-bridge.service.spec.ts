import { RemoteInfo } from 'node:dgram';
import { Logger } from '@nestjs/common';
import { LnsConfig } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { DownlinkError } from './downlink/downlink-request';
import { DownlinkTracker } from './downlink/downlink-tracker';
import { DeduplicatedUplink, DownlinkTxAck, GatewayStatsReceived, UplinkReceived } from './events';
import { GatewayBridgeService } from './gateway-bridge.service';
import { IntakeGuard } from './intake/intake-guard';
import { GatewayRegistry, newGatewayState } from './gateway/gateway-registry';
import { PacketType } from './semtech-udp';
import { decodeInWorker } from './udp/worker-handover';
import { AckPolicy } from './udp/worker-protocol';
import { UdpAddress } from './gateway/gateway-state';
import { RXPK } from './testing/rxpk';

const GW = '0016c001ff10a235';
const OTHER_GW = 'ffeeddccbbaa9988';
const UP: RemoteInfo = { address: '192.0.2.10', port: 50001, family: 'IPv4', size: 0 };
const DOWN: RemoteInfo = { ...UP, port: 50002 };

function datagram(type: number, token: number, json?: unknown, version = 2, eui = GW): Buffer {
  const parts = [Buffer.from([version, token >> 8, token & 0xff, type]), Buffer.from(eui, 'hex')];
  if (json !== undefined) parts.push(Buffer.from(typeof json === 'string' ? json : JSON.stringify(json)));
  return Buffer.concat(parts);
}

function setup(allowUnknown = false) {
  const config = { udp: { host: '127.0.0.1', port: 0 }, gateways: { allowUnknown } } as LnsConfig;
  const registry = new GatewayRegistry();
  const tracker = new DownlinkTracker();
  const bus = new EventBus();
  const intake = new IntakeGuard();
  const service = new GatewayBridgeService(config, registry, tracker, bus, intake);
  const sent: Array<{ buf: Buffer; to: UdpAddress }> = [];
  const udp = (service as unknown as { udp: Record<string, unknown> }).udp;
  udp.send = (buf: Buffer, to: UdpAddress) => void sent.push({ buf, to });
  udp.sendAndWait = async (buf: Buffer, to: UdpAddress) => void sent.push({ buf, to });
  Object.defineProperty(udp, 'port', { get: () => 1700 });
  const events = {
    uplinks: [] as UplinkReceived[],
    stats: [] as GatewayStatsReceived[],
    txacks: [] as DownlinkTxAck[],
  };
  bus.on('uplink.received', (e) => void events.uplinks.push(e));
  bus.on('gateway.stats', (e) => void events.stats.push(e));
  bus.on('downlink.txack', (e) => void events.txacks.push(e));
  registry.put(newGatewayState(GW, 'test', 'EU868', new Date(0), true));
  return { service, registry, tracker, sent, events, intake, gw: () => registry.get(GW)! };
}

describe('GatewayBridgeService datagram handling', () => {
  let warn: jest.SpyInstance;
  beforeAll(() => Logger.overrideLogger(['warn', 'error']));
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('acks PUSH_DATA first, then emits one uplink.received per good rxpk', () => {
    const { service, sent, events, gw } = setup();
    const order: string[] = [];
    (service as unknown as { bus: EventBus }).bus.on(
      'uplink.received',
      () => void order.push(`uplink after ${sent.length} sends`),
    );
    service.handleDatagram(
      datagram(PacketType.PUSH_DATA, 0x1234, { rxpk: [RXPK, { ...RXPK, stat: -1 }, RXPK] }),
      UP,
    );
    expect(sent).toEqual([{ buf: Buffer.from([2, 0x12, 0x34, PacketType.PUSH_ACK]), to: UP }]);
    expect(order).toEqual(['uplink after 1 sends', 'uplink after 1 sends']);
    expect(events.uplinks).toHaveLength(2);
    expect(events.uplinks[0]).toMatchObject({
      phyPayload: Buffer.from([1, 2, 3]),
      rx: { gatewayId: GW, frequency: 868_100_000, rssi: -50, snr: 9.5 },
      tx: { spreadingFactor: 7 },
    });
    expect(events.uplinks[0].receivedAt).toBeGreaterThan(0);
    expect(gw().counters).toMatchObject({ pushData: 1, rxReceived: 3, rxOk: 2, rxBadCrc: 1, malformed: 0 });
    expect(gw().lastSeenAt).not.toBeNull();
    expect(gw().protocolVersion).toBe(2);
  });

  it('keeps the same gateway counters and status for a PUSH_DATA the UDP worker decoded as for the datagram itself', () => {
    const body = {
      rxpk: [
        RXPK,
        { ...RXPK, stat: -1 },
        { stat: 1 },
        { ...RXPK, modu: 'FSK', datr: 50_000, lsnr: undefined },
      ],
      stat: { rxnb: 4, lati: 52.1, long: 5.1, alti: 3 },
    };
    const msg = datagram(PacketType.PUSH_DATA, 0x0506, body);
    const policy = new AckPolicy();
    policy.apply({ type: 'accepted', reset: true, add: [GW], remove: [], allowUnknown: false });
    const { pushData } = policy.judge(msg);
    const decoded = decodeInWorker(pushData!.header, pushData!.body, 1_000)!;

    const raw = setup();
    raw.service.handleDatagram(msg, UP, 1_000, true);
    const worker = setup();
    worker.service.handlePushData(decoded.push, UP, 1_000);

    expect(worker.gw()).toEqual(raw.gw());
    expect(worker.gw().counters).toMatchObject({
      pushData: 1,
      rxReceived: 4,
      rxOk: 2,
      rxBadCrc: 1,
      malformed: 1,
    });
    expect(worker.registry.counters).toEqual(raw.registry.counters);
    expect(worker.events.stats).toEqual(raw.events.stats);
    expect(worker.sent).toEqual([]);
    // The packets went to the worker's dedup: no copy comes one by one.
    expect(worker.events.uplinks).toEqual([]);
    expect(decoded.copies).toEqual(raw.events.uplinks);
  });

  it('passes an uplink the UDP worker deduplicated (and its first copy) on, without the copies of gateways removed since', () => {
    const { service, registry } = setup();
    const deduplicated: DeduplicatedUplink[] = [];
    (service as unknown as { bus: EventBus }).bus.on('uplink.deduplicated', (u) => void deduplicated.push(u));
    const copy = (gatewayId: string): UplinkReceived => ({
      phyPayload: Buffer.from([1, 2, 3]),
      rx: {
        gatewayId,
        tmst: 1,
        frequency: 868_100_000,
        channel: 0,
        rfChain: 0,
        crcStatus: 'CRC_OK',
        rssi: -50,
        size: 3,
      },
      tx: { modulation: 'LORA', spreadingFactor: 7, bandwidth: 125_000, codeRate: '4/5' },
      receivedAt: 1,
    });
    const uplink = (...gateways: string[]): DeduplicatedUplink => ({
      deduplicationId: 'id',
      phyPayload: Buffer.from([1, 2, 3]),
      copies: gateways.map(copy),
      firstReceivedAt: 1,
      windowDueAt: 201,
      windowClosedAt: 202,
    });
    expect(registry.get(OTHER_GW)).toBeUndefined();
    service.handleUplink(uplink(GW));
    service.handleUplink(uplink(OTHER_GW, GW));
    service.handleUplink(uplink(OTHER_GW));
    expect(deduplicated.map((u) => u.copies.map((c) => c.rx.gatewayId))).toEqual([[GW], [GW]]);
    // A first copy (for the early check) goes on only from a gateway still registered.
    const firsts: string[] = [];
    (service as unknown as { bus: EventBus }).bus.on(
      'uplink.first',
      (f) => void firsts.push(f.copy.rx.gatewayId),
    );
    service.handleFirstCopy({ deduplicationId: 'id', copy: copy(OTHER_GW), windowDueAt: 201 });
    service.handleFirstCopy({ deduplicationId: 'id', copy: copy(GW), windowDueAt: 201 });
    expect(firsts).toEqual([GW]);
  });

  it('refuses new PUSH_DATA unanswered while the intake guard says so (overload); PULL_DATA passes', () => {
    const { service, sent, events, intake, gw } = setup();
    Atomics.store(new Int32Array(intake.shared), 0, 1);
    service.handleDatagram(datagram(PacketType.PUSH_DATA, 1, { rxpk: [RXPK] }), UP);
    expect(sent).toEqual([]);
    expect(events.uplinks).toEqual([]);
    expect(intake.refusedDatagrams).toBe(1);
    service.handleDatagram(datagram(PacketType.PULL_DATA, 2), UP);
    expect(sent.map((s) => [...s.buf])).toEqual([[2, 0, 2, PacketType.PULL_ACK]]);
    expect(gw().counters.pushData).toBe(0);

    Atomics.store(new Int32Array(intake.shared), 0, 0);
    service.handleDatagram(datagram(PacketType.PUSH_DATA, 3, { rxpk: [RXPK] }), UP);
    expect(events.uplinks).toHaveLength(1);
  });

  it('echoes version 1', () => {
    const { service, sent } = setup();
    service.handleDatagram(datagram(PacketType.PUSH_DATA, 7, { stat: {} }, 1), UP);
    service.handleDatagram(datagram(PacketType.PULL_DATA, 8, undefined, 1), DOWN);
    expect(sent.map((s) => [...s.buf])).toEqual([
      [1, 0, 7, PacketType.PUSH_ACK],
      [1, 0, 8, PacketType.PULL_ACK],
    ]);
  });

  it('takes the location from stat and emits gateway.stats', () => {
    const { service, events, gw } = setup();
    service.handleDatagram(
      datagram(PacketType.PUSH_DATA, 1, { stat: { lati: 52.1, long: 5.1, alti: 3, rxnb: 1 } }),
      UP,
    );
    expect(gw().location).toEqual({ latitude: 52.1, longitude: 5.1, altitude: 3 });
    expect(events.stats).toEqual([
      expect.objectContaining({ gatewayId: GW, stat: expect.objectContaining({ rxPacketsReceived: 1 }) }),
    ]);
  });

  it('remembers the address of the latest PULL_DATA and answers PULL_ACK there', () => {
    const { service, sent, gw } = setup();
    service.handleDatagram(datagram(PacketType.PULL_DATA, 1), DOWN);
    service.handleDatagram(datagram(PacketType.PULL_DATA, 2), { ...DOWN, port: 60000 });
    expect(gw().pullAddress).toEqual({ address: DOWN.address, port: 60000 });
    expect(sent[1].to.port).toBe(60000);
    expect(gw().counters.pullData).toBe(2);
  });

  it('ignores unknown gateways, counts them and logs each EUI once', () => {
    const { service, sent, registry, events } = setup();
    const other = 'ffeeddccbbaa9988';
    for (let i = 0; i < 3; i++) {
      service.handleDatagram(datagram(PacketType.PUSH_DATA, i, { rxpk: [RXPK] }, 2, other), UP);
      service.handleDatagram(datagram(PacketType.PULL_DATA, i, undefined, 2, other), DOWN);
    }
    expect(sent).toEqual([]);
    expect(events.uplinks).toEqual([]);
    expect(registry.counters.unknownGatewayDatagrams).toBe(6);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain(other);
  });

  it('serves unknown gateways when allowUnknown is on, without registering them', () => {
    const { service, sent, registry, events } = setup(true);
    const other = 'ffeeddccbbaa9988';
    service.handleDatagram(datagram(PacketType.PUSH_DATA, 5, { rxpk: [RXPK] }, 2, other), UP);
    expect(sent).toHaveLength(1);
    expect(events.uplinks[0].rx.gatewayId).toBe(other);
    expect(registry.get(other)).toMatchObject({ registered: false });
  });

  it.each([
    ['short', Buffer.from([2, 0])],
    ['bad version', Buffer.from([3, 0, 0, 0])],
    ['unknown type', Buffer.from([2, 0, 0, 9])],
    ['a server-sent type', Buffer.from([2, 0, 0, PacketType.PULL_RESP])],
  ])('counts a %s datagram as malformed, globally', (_name, buf) => {
    const { service, sent, registry } = setup();
    expect(() => service.handleDatagram(buf, UP)).not.toThrow();
    expect(sent).toEqual([]);
    expect(registry.counters.malformed).toBe(1);
  });

  it('does not ack PUSH_DATA whose JSON does not parse; counts it on the gateway', () => {
    const { service, sent, gw, registry } = setup();
    service.handleDatagram(datagram(PacketType.PUSH_DATA, 1, '{"rxpk":['), UP);
    expect(sent).toEqual([]);
    expect(gw().counters).toMatchObject({ pushData: 1, malformed: 1 });
    expect(registry.counters.malformed).toBe(1);
  });

  it('acks but drops wrong types, oversize data and huge rxpk arrays, counting each', () => {
    const { service, sent, gw, events } = setup();
    service.handleDatagram(datagram(PacketType.PUSH_DATA, 1, { rxpk: [{ ...RXPK, tmst: 'now' }] }), UP);
    service.handleDatagram(
      datagram(PacketType.PUSH_DATA, 2, {
        rxpk: [{ ...RXPK, size: 300, data: Buffer.alloc(300).toString('base64') }],
      }),
      UP,
    );
    service.handleDatagram(datagram(PacketType.PUSH_DATA, 3, { rxpk: new Array(256).fill(RXPK) }), UP);
    service.handleDatagram(
      datagram(PacketType.PUSH_DATA, 4, { rxpk: [RXPK], stat: { lati: 'x', long: 1 } }),
      UP,
    );
    expect(sent).toHaveLength(4);
    expect(gw().counters).toMatchObject({ malformed: 4, rxOk: 1 });
    expect(events.uplinks).toHaveLength(1);
  });

  it('survives a subscriber that throws', () => {
    const { service, sent } = setup();
    (service as unknown as { bus: EventBus }).bus.on('uplink.received', () => {
      throw new Error('subscriber bug');
    });
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    expect(() =>
      service.handleDatagram(datagram(PacketType.PUSH_DATA, 1, { rxpk: [RXPK] }), UP),
    ).not.toThrow();
    expect(sent).toHaveLength(1);
    error.mockRestore();
  });
});

describe('GatewayBridgeService downlinks', () => {
  const txpk = {
    tmst: 2_000_000,
    frequency: 868_100_000,
    power: 14,
    modulation: 'LORA' as const,
    spreadingFactor: 7,
    bandwidth: 125_000,
    codeRate: '4/5' as const,
    phyPayload: Buffer.from([0x60, 1, 2, 3]),
  };

  it('refuses a gateway that never sent PULL_DATA, or an unknown one: GATEWAY_NOT_CONNECTED', async () => {
    const { service } = setup();
    for (const gatewayId of [GW, 'ffffffffffffffff']) {
      await expect(service.sendDownlink({ gatewayId, downlinkId: 'd', txpk })).rejects.toMatchObject({
        code: 'GATEWAY_NOT_CONNECTED',
      });
    }
  });

  it('sends PULL_RESP to the pull address and maps the TX_ACK to its downlinkId', async () => {
    const { service, sent, events, gw, tracker } = setup();
    tracker.randomToken = () => 0x4242;
    service.handleDatagram(datagram(PacketType.PULL_DATA, 1), DOWN);
    sent.length = 0;
    const result = await service.sendDownlink({ gatewayId: GW.toUpperCase(), downlinkId: 'dl-7', txpk });
    expect(result).toEqual({ token: 0x4242, txAckExpected: true });
    expect(sent[0].to).toEqual({ address: DOWN.address, port: DOWN.port });
    expect([...sent[0].buf.subarray(0, 4)]).toEqual([2, 0x42, 0x42, PacketType.PULL_RESP]);
    expect(JSON.parse(sent[0].buf.toString('utf8', 4)).txpk).toMatchObject({
      tmst: 2_000_000,
      datr: 'SF7BW125',
      ipol: true,
    });

    service.handleDatagram(datagram(PacketType.TX_ACK, 0x4242, { txpk_ack: { error: 'TOO_LATE' } }), DOWN);
    expect(events.txacks).toEqual([
      expect.objectContaining({ gatewayId: GW, downlinkId: 'dl-7', token: 0x4242, error: 'TOO_LATE' }),
    ]);
    expect(gw().counters).toMatchObject({ txSent: 1, txOk: 0, txErrors: { TOO_LATE: 1 } });
  });

  it('counts a TX_ACK that matches nothing, once matched or never sent', async () => {
    const { service, registry, events } = setup();
    service.handleDatagram(datagram(PacketType.TX_ACK, 99), DOWN);
    expect(registry.counters.txAckUnmatched).toBe(1);
    expect(events.txacks).toEqual([]);
  });

  it('sends version 1 PULL_RESP with token 0 and expects no TX_ACK', async () => {
    const { service, sent, tracker } = setup();
    service.handleDatagram(datagram(PacketType.PULL_DATA, 1, undefined, 1), DOWN);
    const result = await service.sendDownlink({ gatewayId: GW, downlinkId: 'd', txpk });
    expect(result).toEqual({ token: 0, txAckExpected: false });
    expect([...sent[1].buf.subarray(0, 4)]).toEqual([1, 0, 0, PacketType.PULL_RESP]);
    expect(tracker.size).toBe(0);
  });

  it('refuses a txpk it cannot encode with INVALID_TXPK naming the field, and frees the token', async () => {
    const { service, tracker } = setup();
    service.handleDatagram(datagram(PacketType.PULL_DATA, 1), DOWN);
    const err = await service
      .sendDownlink({ gatewayId: GW, downlinkId: 'd', txpk: { ...txpk, spreadingFactor: 13 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownlinkError);
    expect(err).toMatchObject({ code: 'INVALID_TXPK', field: 'spreadingFactor' });
    expect(tracker.size).toBe(0);
  });
});
