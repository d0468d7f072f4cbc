import { Registry } from 'prom-client';
import { byLabel, SnapshotMetric, SnapshotMetrics } from './snapshot-metric';

describe('SnapshotMetrics', () => {
  let registry: Registry;
  let m: SnapshotMetrics;
  beforeEach(() => {
    registry = new Registry();
    m = new SnapshotMetrics(registry);
  });

  it('reads a counter at every scrape, never before', async () => {
    let value = 0;
    const read = jest.fn(() => value);
    m.counter('test_things_total', 'Things.', read);
    expect(read).not.toHaveBeenCalled();
    value = 3;
    expect(await registry.metrics()).toContain('# TYPE test_things_total counter\ntest_things_total 3\n');
    value = 5;
    expect(await registry.metrics()).toContain('test_things_total 5');
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('writes one line per label set, label values escaped', async () => {
    m.gauge('test_level', 'Level.', () => [
      { labels: { part: 'a' }, value: 1 },
      { labels: { part: 'say "hi"' }, value: 2 },
    ]);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE test_level gauge');
    expect(text).toContain('test_level{part="a"} 1');
    expect(text).toContain('test_level{part="say \\"hi\\""} 2');
  });

  it('turns per-bucket counts into a cumulative Prometheus histogram', async () => {
    m.histogram('test_size', 'Sizes.', () => ({
      buckets: [
        [1, 4],
        [2, 3],
        [3, 0],
      ],
      count: 9,
      sum: 4 * 1 + 3 * 2 + 2 * 7,
    }));
    const text = await registry.metrics();
    expect(text).toContain('# TYPE test_size histogram');
    expect(text).toContain('test_size_bucket{le="1"} 4');
    expect(text).toContain('test_size_bucket{le="2"} 7');
    expect(text).toContain('test_size_bucket{le="3"} 7');
    expect(text).toContain('test_size_bucket{le="+Inf"} 9');
    expect(text).toContain('test_size_sum 24');
    expect(text).toContain('test_size_count 9');
  });

  it('is readable as JSON too (getMetricsAsJSON)', async () => {
    m.counter('test_json_total', 'J.', () => 7);
    const json = await registry.getMetricsAsJSON();
    expect(json).toEqual([
      expect.objectContaining({
        name: 'test_json_total',
        type: 'counter',
        values: [expect.objectContaining({ value: 7 })],
      }),
    ]);
  });

  it('refuses an invalid metric name and a second metric of the same name', () => {
    expect(() => new SnapshotMetric('bad-name', 'x', 'gauge', () => [])).toThrow(/invalid metric name/);
    m.gauge('test_once', 'x', () => 1);
    expect(() => m.gauge('test_once', 'x', () => 2)).toThrow(/already been registered/);
  });
});

describe('byLabel', () => {
  it('makes one sample per key and skips undefined counts', () => {
    expect(byLabel('error', { TOO_LATE: 2, COLLISION_PACKET: undefined, TX_FREQ: 0 })).toEqual([
      { labels: { error: 'TOO_LATE' }, value: 2 },
      { labels: { error: 'TX_FREQ' }, value: 0 },
    ]);
  });
});
