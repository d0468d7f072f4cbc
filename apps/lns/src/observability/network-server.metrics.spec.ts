import { Registry } from 'prom-client';
import { DelayHistogram, NetworkCounters } from '@lns/network-server';
import { registerNetworkServerMetrics } from './network-server.metrics';
import { SnapshotMetrics } from '@lns/api';

async function scrape(
  counters: NetworkCounters,
  extra: { sessions?: number; queue?: number; commitTimes?: DelayHistogram } = {},
) {
  const registry = new Registry();
  registerNetworkServerMetrics(new SnapshotMetrics(registry), {
    counters,
    sessions:
      extra.sessions === undefined
        ? undefined
        : { size: () => extra.sessions!, commitTimes: extra.commitTimes },
    queue: extra.queue === undefined ? undefined : { depth: () => extra.queue! },
  });
  return registry.metrics();
}

describe('network server metrics', () => {
  it('reports each uplink result from the NetworkCounters', async () => {
    const c = new NetworkCounters();
    Object.assign(c.uplink, {
      copies: 30,
      lateCopies: 2,
      deduplicated: 12,
      accepted: 5,
      unknownDevAddr: 1,
      micFailures: 2,
      replays: 1,
      retransmissions: 1,
      fCntGapRefused: 1,
      malformed: 1,
      joinRequests: 3,
    });
    const text = await scrape(c);
    expect(text).toContain('lns_uplink_copies_total 30');
    expect(text).toContain('lns_uplink_copies_dropped_total{reason="late"} 2');
    expect(text).toContain('lns_uplinks_deduplicated_total 12');
    expect(text).toContain('lns_uplinks_total{result="ok"} 5');
    expect(text).toContain('lns_uplinks_total{result="mic_failed"} 2');
    expect(text).toContain('lns_uplinks_total{result="replay"} 1');
    expect(text).toContain('lns_uplinks_total{result="unknown_devaddr"} 1');
    expect(text).toContain('lns_uplinks_total{result="fcnt_gap"} 1');
    expect(text).toContain('lns_uplinks_total{result="malformed"} 1');
    expect(text).toContain('lns_uplinks_total{result="join_request"} 3');
  });

  it('reports how late uplinks were published and how long session commits took, in seconds', async () => {
    const c = new NetworkCounters();
    for (const ms of [3, 40, 40, 180, 9_000]) c.publishDelay.observe(ms);
    const commits = new DelayHistogram([1, 5]);
    for (const ms of [0.5, 4, 30]) commits.observe(ms);
    const text = await scrape(c, { sessions: 1, commitTimes: commits });
    expect(text).toContain('lns_uplink_publish_delay_seconds_bucket{le="0.005"} 1');
    expect(text).toContain('lns_uplink_publish_delay_seconds_bucket{le="0.05"} 3');
    expect(text).toContain('lns_uplink_publish_delay_seconds_bucket{le="0.2"} 4');
    expect(text).toContain('lns_uplink_publish_delay_seconds_bucket{le="5"} 4');
    expect(text).toContain('lns_uplink_publish_delay_seconds_bucket{le="+Inf"} 5');
    expect(text).toContain('lns_uplink_publish_delay_seconds_sum 9.263');
    expect(text).toContain('lns_session_commit_seconds_bucket{le="0.001"} 1');
    expect(text).toContain('lns_session_commit_seconds_bucket{le="0.005"} 2');
    expect(text).toContain('lns_session_commit_seconds_count 3');
  });

  it('splits the publish delay into the window closing late and the wait for the commit', async () => {
    const c = new NetworkCounters();
    for (const ms of [0, 2, 60]) c.windowCloseDelay.observe(ms);
    for (const ms of [4, 12]) c.commitWait.observe(ms);
    const text = await scrape(c);
    expect(text).toContain('lns_uplink_window_close_delay_seconds_bucket{le="0.005"} 2');
    expect(text).toContain('lns_uplink_window_close_delay_seconds_bucket{le="0.075"} 3');
    expect(text).toContain('lns_uplink_window_close_delay_seconds_sum 0.062');
    expect(text).toContain('lns_uplink_commit_wait_seconds_bucket{le="0.005"} 1');
    expect(text).toContain('lns_uplink_commit_wait_seconds_bucket{le="0.025"} 2');
    expect(text).toContain('lns_uplink_commit_wait_seconds_count 2');
  });

  it('builds the dedup-size histogram from dedupSize(), 5+ copies above the last bound', async () => {
    const c = new NetworkCounters();
    for (const copies of [1, 1, 2, 3, 3, 3, 7]) c.dedupSize(copies);
    const text = await scrape(c);
    expect(text).toContain('lns_uplink_dedup_group_size_bucket{le="1"} 2');
    expect(text).toContain('lns_uplink_dedup_group_size_bucket{le="2"} 3');
    expect(text).toContain('lns_uplink_dedup_group_size_bucket{le="3"} 6');
    expect(text).toContain('lns_uplink_dedup_group_size_bucket{le="4"} 6');
    expect(text).toContain('lns_uplink_dedup_group_size_bucket{le="+Inf"} 7');
    expect(text).toContain('lns_uplink_dedup_group_size_sum 20');
    expect(text).toContain('lns_uplink_dedup_group_size_count 7');
  });

  it('splits downlink frames into sent, no gateway and failed, and lists errors by code', async () => {
    const c = new NetworkCounters();
    Object.assign(c.downlink, {
      txOk: 4,
      failed: 3,
      noGateway: 1,
      rx1: 3,
      rx2: 1,
      joinAccepts: 2,
      sendErrors: 3,
    });
    c.txError('TOO_LATE');
    c.txError('TOO_LATE');
    c.sendErrorCode('GATEWAY_NOT_CONNECTED');
    c.sendErrorCode('GATEWAY_NOT_CONNECTED');
    const text = await scrape(c);
    expect(text).toContain('lns_downlinks_total{result="sent"} 4');
    expect(text).toContain('lns_downlinks_total{result="no_gateway"} 1');
    expect(text).toContain('lns_downlinks_total{result="failed"} 2');
    expect(text).toContain('lns_downlink_windows_total{window="rx1"} 3');
    expect(text).toContain('lns_join_accepts_total 2');
    expect(text).toContain('lns_downlink_tx_ack_errors_total{error="TOO_LATE"} 2');
    expect(text).toContain('lns_downlink_send_errors_total{error="GATEWAY_NOT_CONNECTED"} 2');
    // A send error that is not one of the bridge's typed errors.
    expect(text).toContain('lns_downlink_send_errors_total{error="OTHER"} 1');
  });

  it('adds the session and queue gauges only when those services exist', async () => {
    expect(await scrape(new NetworkCounters())).not.toContain('lns_device_sessions');
    const text = await scrape(new NetworkCounters(), { sessions: 42, queue: 7 });
    expect(text).toContain('lns_device_sessions 42');
    expect(text).toContain('lns_downlink_queue_depth 7');
  });
});
