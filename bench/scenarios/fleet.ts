import { rmSync } from 'node:fs';
import { EventSink } from '../support/event-sink';
import { LnsServer, MemoryProbe } from '../support/lns-server';
import { LoadGenerator } from '../support/load-generator';
import { BENCH_GATEWAY_IDS } from '../support/load-protocol';
import { abpSpec, BenchNetwork, setUpNetwork } from '../support/provision';
import { Rig } from '../support/rig';
import { seedAbpDevices } from '../support/seed-database';
import { round } from '../support/stats';
import { dataStep } from './uplinks';

export interface StartRun {
  devices: number;
  /** Spawn → each `listening …` line (ms), and → first answered HTTP request. */
  listeningMs: { http?: number; udp?: number; mqtt?: number };
  readyMs: number;
  memory: MemoryProbe;
}

export interface FleetResult {
  devices: number;
  seedSeconds: number;
  empty: StartRun[];
  loaded: StartRun[];
  /** Median start-up (spawn → last `listening` line) with the fleet, ms. */
  startupMs: number;
  /** (RSS with the fleet − RSS without) ÷ devices, after a full GC; and the same for the V8 heap. */
  rssBytesPerSession: number;
  heapBytesPerSession: number;
  /** Uplinks from seeded devices that came out as `up` events (the seeded sessions are real). */
  sanity: { uplinks: number; upEvents: number };
}

/** Idle time before each of the two memory probes. */
const IDLE_MS = 4_000;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function measuredStart(
  dataDir: string,
  secrets: { adminToken: string; masterKey: string },
  devices: number,
): Promise<{ server: LnsServer; run: StartRun }> {
  // Info level: the `listening …` lines are what start-up is timed to (CONTRACT.md).
  const server = await LnsServer.start({ dataDir, logLevel: 'info', ...secrets });
  // Idle, as a fleet between uplinks: V8 hands the start-up's transient heap back to the system
  // over the first seconds (RSS 406 → 337 MB within 5 s with 100,000 sessions), so memory is
  // read after a full GC once that has happened, not at the start-up peak.
  await new Promise((r) => setTimeout(r, IDLE_MS));
  await server.probeMemory();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const memory = await server.probeMemory();
  return {
    server,
    run: {
      devices,
      listeningMs: {
        http: round(server.times.listening.http ?? NaN, 0),
        udp: round(server.times.listening.udp ?? NaN, 0),
        mqtt: round(server.times.listening.mqtt ?? NaN, 0),
      },
      readyMs: round(server.times.ready, 0),
      memory,
    },
  };
}

/**
 * A large fleet idle in memory: the server started on a database without devices, then on the
 * same database with `devices` ABP devices and sessions, each time measured from spawn to its
 * `listening` lines and for memory after a full GC. The difference is what the sessions cost.
 */
export async function fleetScenario(opts: {
  devices: number;
  runs: number;
  log: (line: string) => void;
}): Promise<FleetResult> {
  const setup = await LnsServer.start();
  const { dataDir, adminToken, masterKey } = setup;
  const secrets = { adminToken, masterKey };
  let net: BenchNetwork;
  try {
    net = await setUpNetwork(setup);
  } finally {
    await setup.stop({ keepDataDir: true });
  }
  try {
    const empty: StartRun[] = [];
    for (let k = 0; k < opts.runs; k++) {
      const { server, run } = await measuredStart(dataDir, secrets, 0);
      await server.stop({ keepDataDir: true });
      empty.push(run);
      opts.log(`  0 devices: listening http ${run.listeningMs.http} ms, RSS ${mb(run.memory.rss)} MB`);
    }

    const t0 = Date.now();
    await seedAbpDevices({ dataDir, masterKey, net, from: 0, count: opts.devices });
    const seedSeconds = (Date.now() - t0) / 1000;
    opts.log(`  ${opts.devices} ABP devices and sessions written to SQLite in ${seedSeconds.toFixed(1)} s`);

    const loaded: StartRun[] = [];
    let sanity = { uplinks: 0, upEvents: 0 };
    for (let k = 0; k < opts.runs; k++) {
      const { server, run } = await measuredStart(dataDir, secrets, opts.devices);
      loaded.push(run);
      opts.log(
        `  ${opts.devices} devices: listening http ${run.listeningMs.http} ms, RSS ${mb(run.memory.rss)} MB`,
      );
      try {
        if (k === 0) sanity = await sanityCheck(server, net);
      } finally {
        await server.stop({ keepDataDir: true });
      }
    }

    const lastListening = (r: StartRun) =>
      Math.max(r.listeningMs.http ?? NaN, r.listeningMs.udp ?? NaN, r.listeningMs.mqtt ?? NaN);
    const rss0 = median(empty.map((r) => r.memory.rss));
    const rssN = median(loaded.map((r) => r.memory.rss));
    const heap0 = median(empty.map((r) => r.memory.heapUsed));
    const heapN = median(loaded.map((r) => r.memory.heapUsed));
    return {
      devices: opts.devices,
      seedSeconds: round(seedSeconds),
      empty,
      loaded,
      startupMs: median(loaded.map(lastListening)),
      rssBytesPerSession: Math.round((rssN - rss0) / opts.devices),
      heapBytesPerSession: Math.round((heapN - heap0) / opts.devices),
      sanity,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** 1,000 uplinks from the first seeded devices, through the gateways, must each give an `up` event. */
async function sanityCheck(
  server: LnsServer,
  net: BenchNetwork,
): Promise<{ uplinks: number; upEvents: number }> {
  const abp = Array.from({ length: 1_000 }, (_, i) => abpSpec(i));
  const gen = await LoadGenerator.start({
    port: server.ports.udp,
    gatewayIds: BENCH_GATEWAY_IDS,
    pull: true,
    abp,
  });
  const sink = await EventSink.connect(server.ports.mqtt, server.adminToken);
  const rig: Rig = {
    server,
    net,
    gen,
    sink,
    abp,
    otaaUsed: 0,
    windowMs: 200,
    close: async () => undefined,
  };
  try {
    const step = await dataStep(rig, 1_000, 1);
    return { uplinks: step.uplinks, upEvents: step.uplinks - step.lost };
  } finally {
    await gen.stop();
    await sink.close();
  }
}

function mb(bytes: number): string {
  return (bytes / 1048576).toFixed(0);
}
