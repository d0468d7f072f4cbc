import { Metric, Registry, validateMetricName } from 'prom-client';

export type Labels = Record<string, string | number>;

/** One line of the exposition: `metricName{labels} value` (metricName defaults to the metric's name). */
export interface Sample {
  labels?: Labels;
  value: number;
  metricName?: string;
}

export type MetricKind = 'counter' | 'gauge' | 'histogram';

/**
 * A metric read at scrape time from counters the libraries already keep (NetworkCounters,
 * the gateway registry, MqttCounters …), so the packet path pays nothing for metrics beyond
 * the `++` it already does. prom-client's own Counter/Gauge would need an increment on the
 * hot path or a reset-and-refill at every scrape; its Registry takes any object with
 * name, help, type, aggregator and get(), which is what this is.
 */
export class SnapshotMetric {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricKind,
    private readonly read: () => Sample[],
  ) {
    if (!validateMetricName(name)) throw new Error(`invalid metric name ${name}`);
  }

  async get(): Promise<{
    name: string;
    help: string;
    type: MetricKind;
    aggregator: string;
    values: Sample[];
  }> {
    const values = this.read().map((s) => ({
      labels: s.labels ?? {},
      value: s.value,
      metricName: s.metricName,
    }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** Adds metrics to a registry, each read when scraped. */
export class SnapshotMetrics {
  constructor(private readonly registry: Registry) {}

  /** A counter: one value, or one value per label set. */
  counter(name: string, help: string, read: () => number | Sample[]): void {
    this.add(new SnapshotMetric(name, help, 'counter', () => samples(read())));
  }

  gauge(name: string, help: string, read: () => number | Sample[]): void {
    this.add(new SnapshotMetric(name, help, 'gauge', () => samples(read())));
  }

  /**
   * A histogram from per-bucket counts kept elsewhere: `buckets` are [upper bound, count of
   * observations in that bucket only]; observations above the last bound count in `count` only.
   */
  histogram(
    name: string,
    help: string,
    read: () => { buckets: Array<[number, number]>; count: number; sum: number },
  ): void {
    this.add(
      new SnapshotMetric(name, help, 'histogram', () => {
        const h = read();
        const out: Sample[] = [];
        let cumulative = 0;
        for (const [le, n] of h.buckets) {
          cumulative += n;
          out.push({ metricName: `${name}_bucket`, labels: { le }, value: cumulative });
        }
        out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: h.count });
        out.push({ metricName: `${name}_sum`, value: h.sum });
        out.push({ metricName: `${name}_count`, value: h.count });
        return out;
      }),
    );
  }

  private add(metric: SnapshotMetric): void {
    // The registry's typings list only prom-client's own classes; at run time it calls get().
    this.registry.registerMetric(metric as unknown as Metric);
  }
}

function samples(v: number | Sample[]): Sample[] {
  return typeof v === 'number' ? [{ value: v }] : v;
}

/** One sample per entry of a counts-by-key object, e.g. { TOO_LATE: 2 } → {error="TOO_LATE"} 2. */
export function byLabel(label: string, counts: Readonly<Record<string, number | undefined>>): Sample[] {
  const out: Sample[] = [];
  for (const [k, v] of Object.entries(counts))
    if (v !== undefined) out.push({ labels: { [label]: k }, value: v });
  return out;
}
