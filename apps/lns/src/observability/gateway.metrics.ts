import {
  BridgeCounters,
  GatewayBridgeService,
  GatewayService,
  GatewayState,
  IntakeGuard,
  isConnected,
} from '@lns/gateway-bridge';
import { Sample, SnapshotMetrics } from '@lns/api';

export interface GatewaySources {
  bridge?: Pick<GatewayBridgeService, 'counters'>;
  gateways?: Pick<GatewayService, 'list'>;
  intake?: Pick<IntakeGuard, 'refusedDatagrams' | 'episodes' | 'refusing'>;
  now?: () => number;
}

/**
 * The Semtech UDP bridge: datagrams it could charge to no gateway, then one series per gateway
 * (label gateway_id, the EUI) from the counters the bridge keeps with each gateway. Those are
 * counted since the gateway was registered and survive restarts.
 */
export function registerGatewayMetrics(m: SnapshotMetrics, src: GatewaySources): void {
  const { bridge, gateways, intake } = src;
  const now = src.now ?? Date.now;
  if (intake) {
    m.counter(
      'lns_udp_push_data_refused_total',
      'PUSH_DATA refused unanswered while uplinks were published late (overload).',
      () => intake.refusedDatagrams,
    );
    m.counter(
      'lns_udp_intake_stops_total',
      'Times the bridge stopped taking in PUSH_DATA because uplinks were published late.',
      () => intake.episodes,
    );
    m.gauge('lns_udp_intake_refusing', '1 while new PUSH_DATA are refused (overload).', () =>
      intake.refusing ? 1 : 0,
    );
  }
  if (bridge) {
    const c = (): Readonly<BridgeCounters> => bridge.counters;
    m.counter('lns_udp_datagrams_total', 'Datagrams received on the Semtech UDP port.', () => c().datagrams);
    m.counter(
      'lns_udp_malformed_datagrams_total',
      'Datagrams refused for their form or content.',
      () => c().malformed,
    );
    m.counter(
      'lns_udp_unknown_gateway_datagrams_total',
      'Datagrams from gateways that are not registered.',
      () => c().unknownGatewayDatagrams,
    );
    m.counter(
      'lns_udp_tx_ack_unmatched_total',
      'TX_ACK matching no pending PULL_RESP.',
      () => c().txAckUnmatched,
    );
    m.counter('lns_udp_tx_ack_missing_total', 'PULL_RESP whose TX_ACK never came.', () => c().txAckMissing);
  }
  if (!gateways) return;

  // Every metric below walks the same list: taken once per scrape (the scrape reads all
  // metrics in one synchronous pass, so a microtask later the list is stale).
  let list: GatewayState[] | undefined;
  const all = (): GatewayState[] => {
    if (!list) {
      list = gateways.list();
      queueMicrotask(() => (list = undefined));
    }
    return list;
  };
  const each = (value: (gw: GatewayState) => number) => (): Sample[] =>
    all().map((gw) => ({ labels: { gateway_id: gw.gatewayId }, value: value(gw) }));

  m.gauge(
    'lns_gateways',
    'Gateways known to the bridge (registered, or let in by allowUnknown).',
    () => all().length,
  );
  m.gauge('lns_gateways_connected', 'Gateways whose PULL_DATA keep-alives arrive.', () => {
    const t = now();
    return all().filter((gw) => isConnected(gw, t)).length;
  });
  m.gauge('lns_gateway_connected', '1 while the gateway sends PULL_DATA keep-alives, else 0.', () => {
    const t = now();
    return each((gw) => (isConnected(gw, t) ? 1 : 0))();
  });
  m.gauge(
    'lns_gateway_last_seen_timestamp_seconds',
    'When the gateway last sent a datagram (Unix time).',
    () =>
      all().flatMap((gw) =>
        gw.lastSeenAt === null ? [] : [{ labels: { gateway_id: gw.gatewayId }, value: gw.lastSeenAt / 1000 }],
      ),
  );
  m.counter(
    'lns_gateway_push_data_total',
    'PUSH_DATA datagrams received.',
    each((gw) => gw.counters.pushData),
  );
  m.counter(
    'lns_gateway_pull_data_total',
    'PULL_DATA keep-alives received.',
    each((gw) => gw.counters.pullData),
  );
  m.counter(
    'lns_gateway_rx_total',
    'Radio packets (rxpk) received, whatever became of them.',
    each((gw) => gw.counters.rxReceived),
  );
  m.counter(
    'lns_gateway_rx_forwarded_total',
    'Radio packets forwarded to the network server.',
    each((gw) => gw.counters.rxOk),
  );
  m.counter(
    'lns_gateway_rx_bad_crc_total',
    'Radio packets with a failed CRC, dropped.',
    each((gw) => gw.counters.rxBadCrc),
  );
  m.counter(
    'lns_gateway_tx_total',
    'PULL_RESP (downlinks) sent to the gateway.',
    each((gw) => gw.counters.txSent),
  );
  m.counter(
    'lns_gateway_tx_ok_total',
    'Downlinks the gateway accepted (TX_ACK).',
    each((gw) => gw.counters.txOk),
  );
  m.counter('lns_gateway_tx_errors_total', 'Downlinks the gateway refused, by TX_ACK error.', () =>
    all().flatMap((gw) =>
      Object.entries(gw.counters.txErrors).map(([error, value]) => ({
        labels: { gateway_id: gw.gatewayId, error },
        value: value ?? 0,
      })),
    ),
  );
  m.counter(
    'lns_gateway_malformed_total',
    'Datagrams, rxpk or stat from the gateway refused for their content.',
    each((gw) => gw.counters.malformed),
  );
}
