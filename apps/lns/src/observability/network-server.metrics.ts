import type {
  DelayHistogram,
  DeviceQueueService,
  NetworkCounters,
  SessionStore,
  UplinkCounters,
} from '@lns/network-server';
import { byLabel, SnapshotMetrics } from '@lns/api';

export interface NetworkServerSources {
  counters: Pick<NetworkCounters, 'uplink' | 'downlink'> &
    Partial<Pick<NetworkCounters, 'publishDelay' | 'windowCloseDelay' | 'commitWait'>>;
  sessions?: Pick<SessionStore, 'size'> & Partial<Pick<SessionStore, 'commitTimes'>>;
  queue?: Pick<DeviceQueueService, 'depth'>;
}

/** Buckets of the dedup-size histogram: NetworkCounters keeps 1, 2, 3, 4 and "5 or more" (+Inf). */
const DEDUP_BUCKETS: Array<[number, keyof UplinkCounters['dedupSizes']]> = [
  [1, '1'],
  [2, '2'],
  [3, '3'],
  [4, '4'],
];

/** The network server's uplink, join and downlink counters, its sessions and queues. */
export function registerNetworkServerMetrics(m: SnapshotMetrics, src: NetworkServerSources): void {
  const up = src.counters.uplink;
  const down = src.counters.downlink;

  m.counter(
    'lns_uplink_copies_total',
    'Gateway copies of uplinks received by the network server.',
    () => up.copies,
  );
  m.counter('lns_uplink_copies_dropped_total', 'Copies dropped before deduplication, by reason.', () => [
    { labels: { reason: 'late' }, value: up.lateCopies },
    { labels: { reason: 'dedup_full' }, value: up.dedupOverflow },
  ]);
  m.counter('lns_uplinks_deduplicated_total', 'Distinct uplinks after deduplication.', () => up.deduplicated);
  m.histogram('lns_uplink_dedup_group_size', 'Gateway copies per deduplicated uplink.', () => ({
    buckets: DEDUP_BUCKETS.map(([le, key]) => [le, up.dedupSizes[key]]),
    count: Object.values(up.dedupSizes).reduce((n, c) => n + c, 0),
    sum: up.dedupCopies,
  }));
  // The publish delay, then its two parts worth telling apart when it grows (README, "Metrics").
  const delays: Array<[string, string, DelayHistogram | undefined]> = [
    [
      'lns_uplink_publish_delay_seconds',
      'Data uplinks: time from the end of their dedup window (first copy at the socket + window) to the up event.',
      src.counters.publishDelay,
    ],
    [
      'lns_uplink_window_close_delay_seconds',
      'Data uplinks: how late their dedup window closed (the event loop was busy at the deadline).',
      src.counters.windowCloseDelay,
    ],
    [
      'lns_uplink_commit_wait_seconds',
      'Data uplinks: time waiting for the session commit (FCntUp on disk) before the up event.',
      src.counters.commitWait,
    ],
  ];
  for (const [name, help, histogram] of delays) {
    if (histogram) m.histogram(name, help, () => histogram.toSeconds());
  }
  // Every deduplicated uplink ends in exactly one of these (joins go on in lns_joins_total).
  m.counter('lns_uplinks_total', 'Deduplicated uplinks by what became of them.', () => [
    { labels: { result: 'ok' }, value: up.accepted },
    { labels: { result: 'unknown_devaddr' }, value: up.unknownDevAddr },
    { labels: { result: 'mic_failed' }, value: up.micFailures },
    { labels: { result: 'replay' }, value: up.replays },
    { labels: { result: 'retransmission' }, value: up.retransmissions },
    { labels: { result: 'fcnt_gap' }, value: up.fCntGapRefused },
    { labels: { result: 'persist_failed' }, value: up.persistFailures },
    { labels: { result: 'malformed' }, value: up.malformed },
    { labels: { result: 'unsupported_mtype' }, value: up.otherMTypes },
    { labels: { result: 'join_request' }, value: up.joinRequests },
    { labels: { result: 'rejoin_request' }, value: up.rejoinRequests },
  ]);
  m.counter(
    'lns_uplinks_checked_early_total',
    'Uplinks published (result ok) that were verified and committed on their first copy, while their dedup window ran.',
    () => up.checkedEarly,
  );
  m.counter(
    'lns_uplink_mic_attempts_total',
    'MIC computations (more than one per frame when sessions share a DevAddr).',
    () => up.micAttempts,
  );
  m.counter(
    'lns_uplink_mic_attempt_limit_total',
    'Frames whose DevAddr had more candidate sessions than are tried.',
    () => up.micAttemptLimit,
  );
  m.counter(
    'lns_join_requests_dropped_total',
    'Join- and rejoin-requests dropped for want of a join handler.',
    () => up.joinDropped,
  );

  // Each downlink frame ends sent or not; a frame may take several attempts (RX1, then RX2).
  m.counter('lns_downlinks_total', 'Downlink frames (data and join-accepts) by result.', () => [
    { labels: { result: 'sent' }, value: down.txOk },
    { labels: { result: 'no_gateway' }, value: down.noGateway },
    { labels: { result: 'failed' }, value: Math.max(0, down.failed - down.noGateway) },
  ]);
  m.counter('lns_downlink_windows_total', 'Downlinks sent, by receive window.', () => [
    { labels: { window: 'rx1' }, value: down.rx1 },
    { labels: { window: 'rx2' }, value: down.rx2 },
    { labels: { window: 'class_c' }, value: down.classC },
  ]);
  m.counter('lns_join_accepts_total', 'Join-accepts sent.', () => down.joinAccepts);
  m.counter(
    'lns_downlink_data_frames_total',
    'Data downlink frames built (Class A answers, Class C).',
    () => down.frames,
  );
  m.counter(
    'lns_downlink_fcnt_down_commits_total',
    'Class A answers that waited for a commit of their own FCntDown (the uplink commit had not reserved it).',
    () => down.fCntDownCommits,
  );
  m.counter(
    'lns_downlink_tx_ack_errors_total',
    'Attempts a gateway refused in its TX_ACK, by Semtech error code.',
    () => byLabel('error', down.txErrors),
  );
  m.counter('lns_downlink_send_errors_total', 'Attempts the gateway bridge refused, by code.', () => {
    const codes = byLabel('error', down.sendErrorCodes);
    const coded = codes.reduce((n, s) => n + s.value, 0);
    // Failures that are not the bridge's typed errors (they are also logged).
    codes.push({ labels: { error: 'OTHER' }, value: Math.max(0, down.sendErrors - coded) });
    return codes;
  });
  m.counter(
    'lns_downlink_tx_ack_timeouts_total',
    'Attempts without TX_ACK within the wait (taken as sent).',
    () => down.txAckTimeouts,
  );
  m.counter(
    'lns_downlink_windows_missed_total',
    'Receive windows passed over because their time had come before the frame could be sent.',
    () => down.windowsMissed,
  );
  m.counter(
    'lns_downlink_queue_outcomes_total',
    'Queue items done with: acknowledged or not (confirmed), expired, too large, or with a used AS counter.',
    () => [
      { labels: { outcome: 'acknowledged' }, value: down.acknowledged },
      { labels: { outcome: 'not_acknowledged' }, value: down.notAcknowledged },
      { labels: { outcome: 'expired' }, value: down.expired },
      { labels: { outcome: 'payload_too_large' }, value: down.payloadTooLarge },
      { labels: { outcome: 'stale_fcnt_down' }, value: down.staleFCntDown },
    ],
  );

  const { sessions, queue } = src;
  if (sessions) m.gauge('lns_device_sessions', 'Device sessions in memory.', () => sessions.size());
  const commits = sessions?.commitTimes;
  if (commits) {
    m.histogram(
      'lns_session_commit_seconds',
      'Group commits of device sessions (frame counters): time to write and fsync one batch.',
      () => commits.toSeconds(),
    );
  }
  if (queue) m.gauge('lns_downlink_queue_depth', 'Items waiting in all device queues.', () => queue.depth());
}
