import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { SnapshotMetrics } from './snapshot-metric';

/**
 * The Prometheus registry of this app, with Node's process metrics (CPU, memory, GC, handles,
 * event-loop lag as nodejs_eventloop_lag_*) and the main thread's busy time
 * (`lns_event_loop_busy_seconds_total`: its rate is the event loop's utilisation, 0 to 1, the
 * saturation the lag only hints at). The composing app adds its domain metrics through
 * `metrics`. One registry per app instance, not prom-client's global one, so that two apps in
 * one process (tests) do not mix their figures.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  /** For metrics read at scrape time from counters the libs keep. */
  readonly metrics = new SnapshotMetrics(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.metrics.counter(
      'lns_event_loop_busy_seconds_total',
      "Time the main thread's event loop spent running (not waiting for I/O), since the process started.",
      () => performance.eventLoopUtilization().active / 1000,
    );
  }

  /** The Prometheus text exposition (format 0.0.4). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
