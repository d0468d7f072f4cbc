import { Registry } from 'prom-client';
import { BridgeCounters, CONNECTED_WITHIN_MS, emptyCounters, GatewayState } from '@lns/gateway-bridge';
import { GatewaySources, registerGatewayMetrics } from './gateway.metrics';
import { SnapshotMetrics } from '@lns/api';

const NOW = 1_800_000_000_000;

function gateway(gatewayId: string, over: Partial<GatewayState> = {}): GatewayState {
  return {
    gatewayId,
    name: '',
    region: null,
    createdAt: new Date(NOW),
    registered: true,
    lastSeenAt: null,
    location: null,
    protocolVersion: 2,
    pullAddress: null,
    lastPullAt: null,
    lastStat: null,
    counters: emptyCounters(),
    dirty: false,
    ...over,
  };
}

function setup(src: GatewaySources) {
  const registry = new Registry();
  registerGatewayMetrics(new SnapshotMetrics(registry), { now: () => NOW, ...src });
  return registry;
}

describe('gateway metrics', () => {
  it('reports the bridge-wide datagram counters', async () => {
    const counters: BridgeCounters = {
      datagrams: 10,
      malformed: 2,
      unknownGatewayDatagrams: 3,
      txAckUnmatched: 1,
      txAckMissing: 0,
    };
    const text = await setup({ bridge: { counters } }).metrics();
    expect(text).toContain('lns_udp_datagrams_total 10');
    expect(text).toContain('lns_udp_malformed_datagrams_total 2');
    expect(text).toContain('lns_udp_unknown_gateway_datagrams_total 3');
    expect(text).toContain('lns_udp_tx_ack_unmatched_total 1');
  });

  it('gives each gateway its series, labelled with its EUI', async () => {
    const a = gateway('aa555a0000000001', {
      lastSeenAt: NOW - 1000,
      pullAddress: { address: '127.0.0.1', port: 1 },
      lastPullAt: NOW - 1000,
    });
    Object.assign(a.counters, { rxReceived: 5, rxOk: 4, rxBadCrc: 1, txSent: 3, txOk: 2 });
    a.counters.txErrors = { TOO_LATE: 1 };
    const b = gateway('aa555a0000000002', { lastPullAt: NOW - CONNECTED_WITHIN_MS - 1 });
    const text = await setup({ gateways: { list: () => [a, b] } }).metrics();
    expect(text).toContain('lns_gateways 2');
    expect(text).toContain('lns_gateways_connected 1');
    expect(text).toContain('lns_gateway_connected{gateway_id="aa555a0000000001"} 1');
    expect(text).toContain('lns_gateway_connected{gateway_id="aa555a0000000002"} 0');
    expect(text).toContain('lns_gateway_rx_total{gateway_id="aa555a0000000001"} 5');
    expect(text).toContain('lns_gateway_rx_forwarded_total{gateway_id="aa555a0000000001"} 4');
    expect(text).toContain('lns_gateway_rx_bad_crc_total{gateway_id="aa555a0000000001"} 1');
    expect(text).toContain('lns_gateway_tx_total{gateway_id="aa555a0000000001"} 3');
    expect(text).toContain('lns_gateway_tx_ok_total{gateway_id="aa555a0000000001"} 2');
    expect(text).toContain('lns_gateway_tx_errors_total{gateway_id="aa555a0000000001",error="TOO_LATE"} 1');
    expect(text).toContain(
      `lns_gateway_last_seen_timestamp_seconds{gateway_id="aa555a0000000001"} ${(NOW - 1000) / 1000}`,
    );
    // Never seen: no last-seen sample rather than a misleading 0.
    expect(text).not.toContain('lns_gateway_last_seen_timestamp_seconds{gateway_id="aa555a0000000002"}');
  });

  it('takes the gateway list once per scrape', async () => {
    const list = jest.fn(() => [gateway('aa555a0000000001')]);
    const registry = setup({ gateways: { list } });
    await registry.metrics();
    expect(list).toHaveBeenCalledTimes(1);
    await registry.metrics();
    expect(list).toHaveBeenCalledTimes(2);
  });

  it('registers nothing for a part the app does not run', async () => {
    expect(await setup({}).metrics()).toBe('\n');
  });
});
