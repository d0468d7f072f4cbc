import { JoinServerService } from '@lns/join-server';
import { Sample, SnapshotMetrics } from '@lns/api';

/**
 * Join- and rejoin-requests the embedded join server answered, by request and by the result
 * code of its answer (TS002 §23.5: Success, MICFailed, UnknownDevEUI, JoinReqFailed …).
 */
export function registerJoinServerMetrics(
  m: SnapshotMetrics,
  joinServer: Pick<JoinServerService, 'answerCounts'>,
): void {
  m.counter('lns_joins_total', 'Join- and rejoin-requests answered by the join server, by result.', () => {
    const out: Sample[] = [];
    for (const request of ['join', 'rejoin'] as const) {
      // Success is always there, so a dashboard has the series before the first join.
      const counts = { Success: 0, ...joinServer.answerCounts[request] };
      for (const [result, value] of Object.entries(counts))
        out.push({ labels: { request, result }, value: value ?? 0 });
    }
    return out;
  });
}
