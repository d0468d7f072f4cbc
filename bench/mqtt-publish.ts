/**
 * The MQTT side of the uplink path on its own: what the embedded broker costs the server's
 * main thread per `up` event, from `ApplicationEventForwarder.forward` (JSON, topic, Buffer)
 * through aedes to the subscribers' sockets.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/mqtt-publish.ts
 *       [--events=20000] [--rate=5000] [--runs=3] [--only=name,…] [--impl=<root>]
 *
 * The broker is `EmbeddedMqttBroker` on 127.0.0.1 as the server starts it (a stub token
 * service accepts the admin login). The subscribers are real mqtt.js clients logged in as
 * admin and subscribed to `application/+/device/+/event/+`; they run in a child process, so
 * `process.cpuUsage()` here is the broker's side only (main thread plus V8's and libuv's
 * helper threads). Each scenario publishes N `up` events (three gateways' rxInfo, ≈ 900
 * bytes of JSON, 1,000 devices) through the forwarder:
 *
 * - paced: at --rate events/s, in 1 ms ticks, as the dedup window's timers release them
 *   (a few events per event-loop turn: the server's situation);
 * - burst: 200 events per event-loop turn, as fast as the broker takes them (its ceiling).
 *
 * CPU is counted from the first publish until every subscriber has every message; `writes`
 * is the number of write syscalls of the process in that time (`/proc/self/io` syscw), i.e.
 * socket writes (writev) per event. Latency: publish → the first subscriber's 'message'
 * (`fCnt` carries the publish time), subscriber process included. Scenarios run --runs
 * times; the table gives the median.
 * `--impl=<root>` benchmarks another version: a directory holding a copy of
 * `libs/application/src` (and a `node_modules` link), e.g. the code before a change.
 * Standalone, not run by `npm test`.
 */
import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { connectAsync, MqttClient } from 'mqtt';
import type { LnsConfig } from '@lns/config';
import { ApplicationEvent, EventBus, UpEvent } from '@lns/event-bus';
import { join } from 'node:path';
import type { ApplicationEventForwarder } from '../libs/application/src/events/event-forwarder';
import type { EmbeddedMqttBroker } from '../libs/application/src/mqtt/embedded-broker';
import type { MqttCounters } from '../libs/application/src/mqtt/mqtt-counters';
import type { ApiTokenService } from '../libs/application/src/tokens/api-token.service';

/** The code under test: this tree's, or with --impl=<root> another copy of libs/application/src. */
interface Implementation {
  EmbeddedMqttBroker: typeof EmbeddedMqttBroker;
  ApplicationEventForwarder: typeof ApplicationEventForwarder;
  MqttCounters: typeof MqttCounters;
}

function loadImplementation(root: string): Implementation {
  const src = join(root, 'libs/application/src');
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require(join(src, 'mqtt/embedded-broker')) as Pick<Implementation, 'EmbeddedMqttBroker'>),
    ...(require(join(src, 'events/event-forwarder')) as Pick<Implementation, 'ApplicationEventForwarder'>),
    ...(require(join(src, 'mqtt/mqtt-counters')) as Pick<Implementation, 'MqttCounters'>),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

const FILTER = 'application/+/device/+/event/+';
const APPLICATION_ID = '6d2e1f64-5c1b-4d3e-9a51-0c6f1b2d3e4f';
const DEVICES = 1000;

interface Scenario {
  name: string;
  /** QoS the server publishes with (`mqtt.qos`). */
  publishQos: 0 | 1;
  /** One entry per subscriber: the QoS it subscribes with. */
  subscribers: Array<0 | 1>;
  mode: 'paced' | 'burst';
}

const SCENARIOS: Scenario[] = [
  { name: 'paced-1xq0', publishQos: 0, subscribers: [0], mode: 'paced' },
  { name: 'paced-3xq0', publishQos: 0, subscribers: [0, 0, 0], mode: 'paced' },
  { name: 'paced-q1-1xq1+2xq0', publishQos: 1, subscribers: [1, 0, 0], mode: 'paced' },
  { name: 'burst-1xq0', publishQos: 0, subscribers: [0], mode: 'burst' },
  { name: 'burst-3xq0', publishQos: 0, subscribers: [0, 0, 0], mode: 'burst' },
  { name: 'burst-q1-1xq1+2xq0', publishQos: 1, subscribers: [1, 0, 0], mode: 'burst' },
];

interface RunResult {
  cpuMicrosPerEvent: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  eventsPerSecond: number;
  messagesPerSecond: number;
  writesPerEvent: number;
}

/* ---------------------------------------------------------------- subscriber side (child) */

type ToChild = { cmd: 'expect'; count: number } | { cmd: 'stop' };
type FromChild =
  | { msg: 'ready' }
  | { msg: 'complete'; counts: number[]; latencyMs: number[] }
  | { msg: 'error'; error: string };

/** Wall clock in µs, comparable across processes of one machine. */
const wallMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

async function runSubscribers(port: number, qosList: Array<0 | 1>): Promise<void> {
  const send = (m: FromChild) => process.send?.(m);
  const clients: MqttClient[] = [];
  const counts = qosList.map(() => 0);
  let expected = Infinity;
  let latencyMs: number[] = [];
  const check = () => {
    if (counts.every((c) => c >= expected)) {
      expected = Infinity;
      send({ msg: 'complete', counts: [...counts], latencyMs });
    }
  };
  for (const [i, qos] of qosList.entries()) {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: 'bench',
      password: 'admin-token',
      clientId: `bench-sub-${process.pid}-${i}`,
      reconnectPeriod: 0,
    });
    const granted = await client.subscribeAsync(FILTER, { qos });
    if (granted[0]?.qos !== qos) throw new Error(`subscription granted QoS ${granted[0]?.qos}`);
    client.on('message', (_topic, payload) => {
      // The first subscriber times one event in 10: fCnt carries the publish time (µs).
      if (i === 0 && counts[0] % 10 === 0)
        latencyMs.push((wallMicros() - (JSON.parse(payload.toString()) as UpEvent).fCnt) / 1000);
      counts[i]++;
      if (counts[i] >= expected) check();
    });
    clients.push(client);
  }
  process.on('message', (m: ToChild) => {
    if (m.cmd === 'expect') {
      counts.fill(0);
      latencyMs = [];
      expected = m.count;
    } else {
      void Promise.all(clients.map((c) => c.endAsync(true))).then(() => process.exit(0));
    }
  });
  send({ msg: 'ready' });
}

/* ---------------------------------------------------------------- broker side (parent) */

function upEvent(i: number): ApplicationEvent {
  const devEui = (0x70b3d57ed0000000n + BigInt(i % DEVICES)).toString(16).padStart(16, '0');
  const time = new Date(Date.UTC(2026, 10, 21, 12, 0, 0, i)).toISOString();
  const payload: UpEvent = {
    deduplicationId: `0b5c2a4e-9f6d-4c1b-8e3a-${i.toString(16).padStart(12, '0')}`,
    time,
    deviceInfo: {
      applicationId: APPLICATION_ID,
      applicationName: 'bench',
      deviceProfileId: 'a1b2c3d4-0000-4000-8000-000000000001',
      deviceProfileName: 'EU868 1.0.3 ABP',
      deviceName: `device-${i % DEVICES}`,
      devEui,
      deviceClassEnabled: 'CLASS_A',
      tags: { building: 'b1' },
    },
    devAddr: (0x26000000 + (i % DEVICES)).toString(16).padStart(8, '0'),
    adr: false,
    dr: 5,
    fCnt: i,
    fPort: 1,
    confirmed: false,
    data: Buffer.alloc(12, i & 0xff).toString('base64'),
    rxInfo: [0, 1, 2].map((g) => ({
      gatewayId: `00800000a00016${g.toString(16).padStart(2, '0')}`,
      uplinkId: (i * 3 + g) & 0xffff,
      gwTime: time,
      rssi: -60 - g * 7,
      snr: 9.5 - g * 2,
      channel: 1,
      rfChain: 0,
      context: 'AAAAAA==',
      crcStatus: 'CRC_OK' as const,
    })),
    txInfo: {
      frequency: 868300000,
      modulation: { lora: { bandwidth: 125000, spreadingFactor: 7, codeRate: 'CR_4_5' } },
    },
  };
  return { type: 'up', applicationId: APPLICATION_ID, devEui, payload };
}

/** Write-type syscalls of this process so far (Linux). */
function writeSyscalls(): number {
  try {
    const m = /syscw:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class SubscriberProcess {
  private waiting: ((m: FromChild) => void) | undefined;
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: FromChild) => {
      if (m.msg === 'error') throw new Error(`subscriber: ${m.error}`);
      const w = this.waiting;
      this.waiting = undefined;
      w?.(m);
    });
  }

  static async start(port: number, qos: Array<0 | 1>): Promise<SubscriberProcess> {
    const child = fork(__filename, ['--subscribers', String(port), qos.join(',')], {
      execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
    });
    const p = new SubscriberProcess(child);
    await p.next('ready');
    return p;
  }

  next(kind: FromChild['msg']): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${kind}' from the subscribers in 60 s`)), 60_000);
      this.waiting = (m) => {
        clearTimeout(timer);
        if (m.msg === kind) resolve(m);
        else reject(new Error(`expected ${kind}, got ${m.msg}`));
      };
    });
  }

  expect(count: number): Promise<FromChild> {
    const done = this.next('complete');
    this.child.send({ cmd: 'expect', count } satisfies ToChild);
    return done;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ cmd: 'stop' } satisfies ToChild);
    });
  }
}

/** fCnt carries the publish time, for the subscriber's latency figure. */
function stamped(e: ApplicationEvent): ApplicationEvent {
  (e.payload as UpEvent).fCnt = wallMicros();
  return e;
}

async function publishAll(
  forwarder: ApplicationEventForwarder,
  events: ApplicationEvent[],
  mode: Scenario['mode'],
  rate: number,
): Promise<void> {
  if (mode === 'burst') {
    for (let i = 0; i < events.length; i++) {
      forwarder.forward(stamped(events[i]));
      if (i % 200 === 199) await immediate();
    }
    return;
  }
  const start = performance.now();
  let sent = 0;
  while (sent < events.length) {
    const due = Math.min(events.length, Math.floor(((performance.now() - start) * rate) / 1000));
    while (sent < due) forwarder.forward(stamped(events[sent++]));
    await sleep(1);
  }
}

async function runScenario(impl: Implementation, s: Scenario, n: number, rate: number): Promise<RunResult> {
  const { EmbeddedMqttBroker, ApplicationEventForwarder, MqttCounters } = impl;
  const config = { mqtt: { port: 0, host: '127.0.0.1', url: '', qos: s.publishQos } } as LnsConfig;
  const tokens = {
    verify: async () => ({ applicationId: null, readOnly: false, tokenId: null }),
  } as unknown as ApiTokenService;
  const bus = new EventBus();
  const counters = new MqttCounters();
  const broker = new EmbeddedMqttBroker(config, tokens, bus, counters);
  await broker.onApplicationBootstrap();
  const forwarder = new ApplicationEventForwarder(bus, broker, counters, config);
  const subscribers = await SubscriberProcess.start(broker.port!, s.subscribers);
  try {
    // Warm-up: JIT, socket buffers.
    const warm = Array.from({ length: 2000 }, (_, i) => upEvent(i));
    let done = subscribers.expect(warm.length);
    await publishAll(forwarder, warm, s.mode, rate);
    await done;

    const events = Array.from({ length: n }, (_, i) => upEvent(2000 + i));
    global.gc?.();
    done = subscribers.expect(n);
    const writes0 = writeSyscalls();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await publishAll(forwarder, events, s.mode, rate);
    const complete = (await done) as Extract<FromChild, { msg: 'complete' }>;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const writes = writeSyscalls() - writes0;
    if (counters.eventsDropped > 0) throw new Error(`${counters.eventsDropped} events dropped`);
    const latency = complete.latencyMs.sort((a, b) => a - b);
    return {
      cpuMicrosPerEvent: (cpu.user + cpu.system) / n,
      latencyP50Ms: latency[Math.floor(latency.length * 0.5)],
      latencyP99Ms: latency[Math.floor(latency.length * 0.99)],
      eventsPerSecond: n / seconds,
      messagesPerSecond: (n * s.subscribers.length) / seconds,
      writesPerEvent: writes / n,
    };
  } finally {
    await subscribers.stop();
    await broker.onApplicationShutdown();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const n = Number(value('events') ?? 20_000);
  const rate = Number(value('rate') ?? 5_000);
  const runs = Number(value('runs') ?? 3);
  const only = value('only')?.split(',');
  const root = value('impl') ?? join(__dirname, '..');
  const impl = loadImplementation(root);
  Logger.overrideLogger(['error', 'warn']);
  const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.name));
  console.log(`${root}: ${n} up events per run, paced at ${rate}/s, ${runs} runs (median shown)`);
  const rows: Array<Record<string, string | number>> = [];
  for (const s of scenarios) {
    const results: RunResult[] = [];
    for (let r = 0; r < runs; r++) results.push(await runScenario(impl, s, n, rate));
    rows.push({
      scenario: s.name,
      'CPU µs/event': Math.round(median(results.map((x) => x.cpuMicrosPerEvent)) * 10) / 10,
      range: results
        .map((x) => x.cpuMicrosPerEvent.toFixed(1))
        .sort((a, b) => Number(a) - Number(b))
        .join('-'),
      'events/s': Math.round(median(results.map((x) => x.eventsPerSecond))),
      'messages/s': Math.round(median(results.map((x) => x.messagesPerSecond))),
      'writes/event': Math.round(median(results.map((x) => x.writesPerEvent)) * 100) / 100,
      'latency p50/p99 ms': `${median(results.map((x) => x.latencyP50Ms)).toFixed(2)} / ${median(
        results.map((x) => x.latencyP99Ms),
      ).toFixed(2)}`,
    });
  }
  console.table(rows);
}

if (process.argv[2] === '--subscribers') {
  const qos = process.argv[4].split(',').map((q) => Number(q) as 0 | 1);
  runSubscribers(Number(process.argv[3]), qos).catch((err: unknown) => {
    process.send?.({
      msg: 'error',
      error: err instanceof Error ? err.message : String(err),
    } satisfies FromChild);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
