import { Rig, settle } from '../support/rig';
import { StepOutcome } from '../support/search';
import {
  describeServerView,
  loopBusySeconds,
  scrape,
  ServerView,
  serverView,
} from '../support/server-metrics';
import { Distribution, distribution, loadAverage, percentile, round, udpCounters } from '../support/stats';

/** Drain after the last send: events of a 200 ms window arrive well within it. */
const DRAIN_MS = 3_000;
/** A step sent below this share of its rate measured the generator, not the server. */
const GENERATOR_SHARE = 0.95;

export interface DataStep extends StepOutcome {
  /** Every n-th uplink was confirmed (0: none). */
  confirmedEvery: number;
  uplinks: number;
  /** Uplinks without an `up` event, and uplinks with more than one. */
  lost: number;
  duplicates: number;
  invalid: number;
  /** PUSH_DATA not acknowledged (PUSH_ACK). */
  pushLost: number;
  generatorBehindMs: number;
  /** Last gateway copy sent → MQTT `up` event received (ms). */
  latencyMs: Distribution;
  /** The same latency's p99 for the uplinks sent in each second of the step: shows a transient. */
  latencyP99BySecondMs: number[];
  /** The event's `time` (first copy at the server's socket) → received, less the dedup window (ms). */
  afterWindowAtSubscriberMs: Distribution;
  /** The server's own figures: publish delay after the dedup window, PUSH_DATA refused (overload). */
  server: ServerView;
  /** Confirmed: end of the dedup window (first copy sent + window) → PULL_RESP at the gateway (ms). */
  pullRespAfterWindowMs?: Distribution;
  downlinks?: { expected: number; verified: number; rx1: number; rx2: number };
  /** PULL_RESP the gateways received during the step (unconfirmed uplinks of warmed-up devices: none). */
  pullResps: number;
  /** Server CPU time per uplink (µs), and the server's CPU use over the step (% of one core). */
  serverCpuUsPerUplink: number;
  serverCpuPercent: number;
  /** Server event loop busy time per uplink (µs): CPU plus blocking calls (SQLite fsync). */
  serverLoopUsPerUplink: number;
  /** CPU of the bench itself (load generator and MQTT subscriber), % of one core. */
  benchCpuPercent: number;
  /** Datagrams the kernel dropped for full receive buffers during the step (whole machine). */
  kernelDrops: number;
  loadAverage: number;
}

/**
 * One step of data uplinks: `rate` per second for `seconds`, 12-byte payloads, each heard by the
 * three gateways; every uplink must give exactly one `up` event. Every `confirmedEvery`-th uplink
 * is confirmed and must also get its ACK in a PULL_RESP.
 */
export async function dataStep(
  rig: Rig,
  rate: number,
  seconds: number,
  confirmedEvery = 0,
): Promise<DataStep> {
  const count = Math.max(1, Math.round(rate * seconds));
  const d = rig.abp.length;
  const confirmed = confirmedEvery > 0;
  const isConfirmed = (i: number) => confirmed && i % confirmedEvery === 0;
  const prep = rig.gen.prepare({
    mode: 'data',
    rate,
    count,
    confirmedEvery,
    payloadSize: 12,
    drainMs: DRAIN_MS,
  });
  const events = rig.sink.track({
    step: prep.step,
    kind: 'up',
    count,
    payloadSize: 12,
    devEuiOf: (i) => rig.abp[i % d].devEui,
  });
  const kernel0 = udpCounters();
  // No memory probe around a step: its forced full GC reset V8's heap sizing, and the next
  // 2-3 s ran behind (uplink latency p99 315-410 ms there, 215-235 ms after; docs/benchmarks.md).
  const metrics0 = await scrape(rig.server);
  const cpu0 = rig.server.cpuMs();
  const r = await prep.run();
  const cpuMs = rig.server.cpuMs() - cpu0;
  const metrics1 = await scrape(rig.server);
  const loopMs = (loopBusySeconds(metrics1) - loopBusySeconds(metrics0)) * 1000;
  const kernel1 = udpCounters();
  rig.sink.untrack();

  const { firstSent, lastSent, downlink } = prep.timings;
  const latencies: number[] = [];
  const afterWindow: number[] = [];
  let received = 0;
  let confirmedReceived = 0;
  for (let i = 0; i < count; i++) {
    if (events.received[i] > 0) {
      received++;
      latencies.push(events.received[i] - lastSent[i]);
      if (isConfirmed(i)) confirmedReceived++;
    }
    if (isConfirmed(i) && downlink[i] > 0) afterWindow.push(downlink[i] - (firstSent[i] + rig.windowMs));
  }
  const lost = count - received;
  const sentRate = r.sendMs > 0 ? (r.uplinks * 1000) / r.sendMs : rate;
  const step: DataStep = {
    targetRate: rate,
    rate: round(Math.min(sentRate, rate * 1.01), 0),
    seconds,
    confirmedEvery,
    pass: true,
    generatorBound: sentRate < rate * GENERATOR_SHARE,
    uplinks: r.uplinks,
    lost,
    duplicates: events.duplicates,
    invalid: events.invalid,
    pushLost: r.pushLost,
    pullResps: r.pullResps,
    generatorBehindMs: round(r.maxBehindMs),
    latencyMs: distribution(latencies),
    latencyP99BySecondMs: p99BySecond(lastSent, events.received, count),
    afterWindowAtSubscriberMs: distribution(events.sinceSocketMs.map((ms) => ms - rig.windowMs)),
    server: serverView(metrics0, metrics1),
    serverCpuUsPerUplink: round((cpuMs * 1000) / Math.max(1, r.uplinks)),
    serverCpuPercent: round((cpuMs / (r.sendMs + DRAIN_MS)) * 100, 0),
    serverLoopUsPerUplink: round((loopMs * 1000) / Math.max(1, r.uplinks)),
    benchCpuPercent: round((r.benchCpuMs / (r.sendMs + DRAIN_MS)) * 100, 0),
    kernelDrops: kernel1.rcvbufErrors - kernel0.rcvbufErrors,
    loadAverage: loadAverage(),
  };
  if (confirmed) {
    step.pullRespAfterWindowMs = distribution(afterWindow);
    step.downlinks = { expected: confirmedReceived, verified: r.downlinksVerified, rx1: r.rx1, rx2: r.rx2 };
  }
  const faults: string[] = [];
  if (lost > 0) faults.push(`${lost} lost`);
  if (events.duplicates > 0) faults.push(`${events.duplicates} duplicated`);
  if (events.invalid > 0) faults.push(`${events.invalid} invalid`);
  if (confirmed && r.downlinksVerified < confirmedReceived) {
    faults.push(`${confirmedReceived - r.downlinksVerified} ACKs missing`);
  }
  if (faults.length > 0) {
    step.pass = false;
    step.why = faults.join(', ');
  }
  await settle(rig.server, rig.sink);
  return step;
}

/** Latency p99 (ms) of the uplinks whose last copy went out in each whole second of the step. */
function p99BySecond(lastSent: Float64Array, received: Float64Array, count: number): number[] {
  const bySecond: number[][] = [];
  for (let i = 0; i < count; i++) {
    if (received[i] === 0) continue;
    const second = Math.floor((lastSent[i] - lastSent[0]) / 1000);
    (bySecond[second] ??= []).push(received[i] - lastSent[i]);
  }
  // The last second is a fraction of one (the schedule's end): left out.
  return bySecond.slice(0, -1).map((l) => round(percentile(Float64Array.from(l ?? []).sort(), 99), 0));
}

/** How late the subscriber got the events after their window, against how late the server published them. */
export function describeDelivery(s: DataStep): string {
  const d = s.afterWindowAtSubscriberMs;
  return `subscriber: got the up events p50 ${d.p50} ms, p99 ${d.p99} ms, max ${d.max} ms after their window (socket time + window; the server published p99 ≤ ${s.server.publishDelayP99LeMs} ms)`;
}

/** p99 latency of each second of the step, e.g. "p99 by second: 231 216 … ms". */
export function describeSeconds(s: DataStep): string {
  return `p99 by second: ${s.latencyP99BySecondMs.join(' ')} ms`;
}

export function describeLatency(s: DataStep): string {
  const l = s.latencyMs;
  let line = `    up latency p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms; server CPU ${s.serverCpuUsPerUplink} µs/uplink (${s.serverCpuPercent} %), loop ${s.serverLoopUsPerUplink} µs/uplink; bench CPU ${s.benchCpuPercent} %`;
  line += `\n    ${describeSeconds(s)}`;
  line += `\n    ${describeServerView(s.server)}`;
  line += `\n    ${describeDelivery(s)}`;
  if (s.pullRespAfterWindowMs) {
    const p = s.pullRespAfterWindowMs;
    line += `\n    PULL_RESP after the window p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms (${s.downlinks!.verified}/${s.downlinks!.expected} ACKs, RX1 ${s.downlinks!.rx1}, RX2 ${s.downlinks!.rx2})`;
  }
  if (s.pushLost > 0 || s.kernelDrops > 0)
    line += `\n    PUSH_ACK missing ${s.pushLost}, kernel UDP drops ${s.kernelDrops}`;
  return line;
}
