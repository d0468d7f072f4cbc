import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { SnapshotMetrics } from './snapshot-metric';

/**
 * The Prometheus registry of this app, with Node's process metrics (CPU, memory, GC, handles,
 * event-loop lag as nodejs_eventloop_lag_*). The composing app adds its domain metrics through
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
  }

  /** The Prometheus text exposition (format 0.0.4). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
