import { RemoteInfo } from 'node:dgram';
import { Logger } from '@nestjs/common';
import { LnsConfig } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { DownlinkTracker } from './downlink/downlink-tracker';
import { UplinkReceived } from './events';
import { GatewayBridgeService } from './gateway-bridge.service';
import { IntakeGuard } from './intake/intake-guard';
import { GatewayRegistry, newGatewayState } from './gateway/gateway-registry';
import { PacketType } from './semtech-udp';
import { DatagramEndpoint, UdpEndpoint } from './udp/udp-endpoint';
import { UdpWorkerEndpoint } from './udp/udp-worker-endpoint';
import { RXPK } from './testing/rxpk';

const GW = '0016c001ff10a235';
const OTHER = 'ffeeddccbbaa9988';
const UP: RemoteInfo = { address: '192.0.2.10', port: 50001, family: 'IPv4', size: 0 };

function datagram(type: number, token: number, json?: unknown, eui = GW): Buffer {
  const parts = [Buffer.from([2, token >> 8, token & 0xff, type]), Buffer.from(eui, 'hex')];
  if (json !== undefined) parts.push(Buffer.from(JSON.stringify(json)));
  return Buffer.concat(parts);
}

/** An endpoint that records what the service asks of it. */
function fakeEndpoint() {
  const calls = {
    sent: [] as Buffer[],
    acceptAll: [] as Array<[string[], boolean]>,
    accept: [] as Array<[string, boolean, boolean]>,
  };
  const endpoint: DatagramEndpoint = {
    port: 1700,
    bind: async () => 1700,
    send: (buf) => void calls.sent.push(buf),
    sendAndWait: async (buf) => void calls.sent.push(buf),
    acceptGateways: (ids, allowUnknown) => void calls.acceptAll.push([[...ids], allowUnknown]),
    acceptGateway: (id, accepted, allowUnknown) => void calls.accept.push([id, accepted, allowUnknown]),
    close: async () => undefined,
  };
  return { endpoint, calls };
}

function setup(udp: Partial<LnsConfig['udp']> = {}, allowUnknown = false) {
  const config = { udp: { host: '127.0.0.1', port: 0, ...udp }, gateways: { allowUnknown } } as LnsConfig;
  const registry = new GatewayRegistry();
  registry.put(newGatewayState(GW, 'test', 'EU868', new Date(0), true));
  const bus = new EventBus();
  const service = new GatewayBridgeService(config, registry, new DownlinkTracker(), bus, new IntakeGuard());
  const uplinks: UplinkReceived[] = [];
  bus.on('uplink.received', (e) => void uplinks.push(e));
  return { service, registry, uplinks };
}

function withEndpoint(service: GatewayBridgeService) {
  const fake = fakeEndpoint();
  (service as unknown as { udp: DatagramEndpoint }).udp = fake.endpoint;
  return fake.calls;
}

describe('GatewayBridgeService with the UDP worker', () => {
  beforeAll(() => Logger.overrideLogger(['error']));

  it('uses a worker unless udp.worker is false', () => {
    const udpOf = (s: GatewayBridgeService) => (s as unknown as { udp: DatagramEndpoint }).udp;
    expect(udpOf(setup({ worker: true }).service)).toBeInstanceOf(UdpWorkerEndpoint);
    expect(udpOf(setup({ worker: false }).service)).toBeInstanceOf(UdpEndpoint);
  });

  it('does not ack again what the worker acked; state and events as before, at the worker time', () => {
    const { service, registry, uplinks } = setup();
    const calls = withEndpoint(service);
    service.handleDatagram(datagram(PacketType.PUSH_DATA, 1, { rxpk: [RXPK] }), UP, 1_000_000, true);
    service.handleDatagram(datagram(PacketType.PULL_DATA, 2), UP, 1_000_001, true);
    expect(calls.sent).toEqual([]);
    expect(uplinks).toHaveLength(1);
    expect(uplinks[0].receivedAt).toBe(1_000_000);
    expect(registry.get(GW)).toMatchObject({
      lastSeenAt: 1_000_001,
      lastPullAt: 1_000_001,
      counters: expect.objectContaining({ pushData: 1, pullData: 1, rxOk: 1 }),
    });
    expect(registry.counters.datagrams).toBe(2);
  });

  it('acks itself what the worker did not (a gateway it did not know accepted yet)', () => {
    const { service } = setup();
    const calls = withEndpoint(service);
    service.handleDatagram(datagram(PacketType.PUSH_DATA, 0x0a0b, { rxpk: [] }), UP, Date.now(), false);
    expect(calls.sent.map((b) => [...b])).toEqual([[2, 0x0a, 0x0b, PacketType.PUSH_ACK]]);
  });

  it('tells the endpoint the accepted gateways at start and every change after', async () => {
    const { service, registry } = setup();
    const calls = withEndpoint(service);
    await service.onApplicationBootstrap();
    expect(calls.acceptAll).toEqual([[[GW], false]]);
    registry.put(newGatewayState(OTHER, 'other', 'EU868', new Date(0), true));
    registry.put({ ...registry.get(OTHER)!, name: 'renamed' }); // replaced, not a change
    registry.remove(GW);
    expect(calls.accept).toEqual([
      [OTHER, true, false],
      [GW, false, false],
    ]);
    await service.onModuleDestroy();
    registry.remove(OTHER);
    expect(calls.accept).toHaveLength(2);
  });

  it('passes allowUnknown on while the registry has room for unregistered gateways', async () => {
    const { service, registry } = setup({}, true);
    const calls = withEndpoint(service);
    await service.onApplicationBootstrap();
    expect(calls.acceptAll).toEqual([[[GW], true]]);
    service.handleDatagram(datagram(PacketType.PULL_DATA, 1, undefined, OTHER), UP, Date.now(), true);
    expect(registry.get(OTHER)).toMatchObject({ registered: false });
    expect(calls.accept).toEqual([[OTHER, true, true]]);
    await service.onModuleDestroy();
  });
});
