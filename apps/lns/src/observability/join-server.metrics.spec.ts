import { Registry } from 'prom-client';
import { registerJoinServerMetrics } from './join-server.metrics';
import { SnapshotMetrics } from '@lns/api';

describe('join server metrics', () => {
  it('reports answers by request and TS002 result, Success always present', async () => {
    const registry = new Registry();
    registerJoinServerMetrics(new SnapshotMetrics(registry), {
      answerCounts: { join: { Success: 4, MICFailed: 1, JoinReqFailed: 2 }, rejoin: {} },
    });
    const text = await registry.metrics();
    expect(text).toContain('lns_joins_total{request="join",result="Success"} 4');
    expect(text).toContain('lns_joins_total{request="join",result="MICFailed"} 1');
    expect(text).toContain('lns_joins_total{request="join",result="JoinReqFailed"} 2');
    expect(text).toContain('lns_joins_total{request="rejoin",result="Success"} 0');
  });
});
