import { createOtaaDevices } from '../support/provision';
import { Rig, settle } from '../support/rig';
import { StepOutcome } from '../support/search';
import { Distribution, distribution, loadAverage, round, udpCounters } from '../support/stats';

const DRAIN_MS = 3_000;
const GENERATOR_SHARE = 0.95;

export interface JoinStep extends StepOutcome {
  devices: number;
  /** Join-accepts received at the gateways that the device opened (MIC, keys), and `join` events. */
  accepted: number;
  joinEvents: number;
  /**
   * Accepted joins ÷ (time from the first join-request to the last join-accept, less the dedup
   * window every join-request waits out): the rate the server answered at.
   */
  joinsPerSecond: number;
  /** Last gateway copy of the join-request → join-accept PULL_RESP at the gateway (ms). */
  acceptLatencyMs: Distribution;
  rx1: number;
  rx2: number;
  serverCpuUsPerJoin: number;
  kernelDrops: number;
  loadAverage: number;
  provisionSeconds: number;
}

/**
 * One join storm: `rate` join-requests per second from fresh OTAA devices of the local join server
 * (each joins once; provisioned through REST first), each heard by three gateways. Every device
 * must get a join-accept it accepts, and the application a `join` event.
 */
export async function joinStep(rig: Rig, rate: number, seconds: number): Promise<JoinStep> {
  const count = Math.max(1, Math.round(rate * seconds));
  const first = rig.otaaUsed;
  const t0 = Date.now();
  const specs = await createOtaaDevices(rig.server, rig.net, first, count);
  const provisionSeconds = (Date.now() - t0) / 1000;
  await rig.gen.addOtaa(specs);
  rig.otaaUsed += count;
  const joinIndex = new Map(specs.map((d, i) => [d.devEui, i]));
  const prep = rig.gen.prepare({ mode: 'join', rate, count, firstOtaa: first, drainMs: DRAIN_MS });
  const events = rig.sink.track({ step: prep.step, kind: 'join', count, payloadSize: 0, joinIndex });
  const k0 = udpCounters();
  const cpu0 = rig.server.cpuMs();
  const r = await prep.run();
  const cpuMs = rig.server.cpuMs() - cpu0;
  const k1 = udpCounters();
  rig.sink.untrack();

  const { firstSent, lastSent, downlink } = prep.timings;
  const latencies: number[] = [];
  let joinEvents = 0;
  let lastAccept = 0;
  for (let i = 0; i < count; i++) {
    if (downlink[i] > 0) {
      latencies.push(downlink[i] - lastSent[i]);
      lastAccept = Math.max(lastAccept, downlink[i]);
    }
    if (events.received[i] > 0) joinEvents++;
  }
  const sentRate = r.sendMs > 0 ? (r.uplinks * 1000) / r.sendMs : rate;
  const span = lastAccept - firstSent[0] - rig.windowMs;
  const step: JoinStep = {
    targetRate: rate,
    rate: round(Math.min(sentRate, rate * 1.01), 0),
    seconds,
    pass: r.downlinksVerified === count && joinEvents === count && events.duplicates === 0,
    generatorBound: sentRate < rate * GENERATOR_SHARE,
    devices: count,
    accepted: r.downlinksVerified,
    joinEvents,
    joinsPerSecond: span > 0 ? round((r.downlinksVerified * 1000) / span, 0) : 0,
    acceptLatencyMs: distribution(latencies),
    rx1: r.rx1,
    rx2: r.rx2,
    serverCpuUsPerJoin: round((cpuMs * 1000) / Math.max(1, r.uplinks)),
    kernelDrops: k1.rcvbufErrors - k0.rcvbufErrors,
    loadAverage: loadAverage(),
    provisionSeconds: round(provisionSeconds),
  };
  if (!step.pass) {
    step.why = `${count - r.downlinksVerified} join-accepts and ${count - joinEvents} join events missing`;
  }
  await settle(rig.server, rig.sink);
  return step;
}
