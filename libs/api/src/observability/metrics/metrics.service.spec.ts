import { MetricsService } from './metrics.service';

describe('MetricsService', () => {
  it("counts the main thread's busy time (lns_event_loop_busy_seconds_total)", async () => {
    const metrics = new MetricsService();
    const busy = async () =>
      Number(/^lns_event_loop_busy_seconds_total (\S+)$/m.exec(await metrics.scrape())?.[1] ?? NaN);
    const before = await busy();
    const until = Date.now() + 50;
    while (Date.now() < until) {
      // the event loop is busy: this callback runs
    }
    const after = await busy();
    expect(before).toBeGreaterThan(0);
    expect(after - before).toBeGreaterThanOrEqual(0.045);
  });
});
