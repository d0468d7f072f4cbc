import { EventSink } from './event-sink';
import { LnsServer, ServerOptions } from './lns-server';
import { LoadGenerator } from './load-generator';
import { AbpDeviceSpec, BENCH_GATEWAY_IDS } from './load-protocol';
import { BenchNetwork, createAbpDevices, setUpNetwork } from './provision';
import { sleep } from './stats';

/** A server under test with its network, ABP devices, gateways (load generator) and MQTT subscriber. */
export interface Rig {
  server: LnsServer;
  net: BenchNetwork;
  gen: LoadGenerator;
  sink: EventSink;
  abp: AbpDeviceSpec[];
  /** OTAA devices handed to the generator so far (each joins once). */
  otaaUsed: number;
  windowMs: number;
  close: () => Promise<void>;
}

export async function startRig(opts: {
  abpDevices: number;
  windowMs: number;
  server?: ServerOptions;
  log: (line: string) => void;
}): Promise<Rig> {
  const server = await LnsServer.start({
    ...opts.server,
    env: { LNS_DEDUP_WINDOW_MS: String(opts.windowMs), ...opts.server?.env },
  });
  let gen: LoadGenerator | undefined;
  let sink: EventSink | undefined;
  try {
    const net = await setUpNetwork(server);
    const t0 = Date.now();
    const abp = await createAbpDevices(server, net, 0, opts.abpDevices);
    const secs = (Date.now() - t0) / 1000;
    opts.log(`  ${abp.length} ABP devices provisioned through REST in ${secs.toFixed(1)} s`);
    sink = await EventSink.connect(server.ports.mqtt, server.adminToken);
    gen = await LoadGenerator.start({
      port: server.ports.udp,
      gatewayIds: BENCH_GATEWAY_IDS,
      pull: true,
      abp,
    });
    await warmUp(server, gen, abp.length, opts.log);
    const rig: Rig = {
      server,
      net,
      gen,
      sink,
      abp,
      otaaUsed: 0,
      windowMs: opts.windowMs,
      close: async () => {
        await gen!.stop().catch(() => undefined);
        await sink!.close().catch(() => undefined);
        await server.stop();
      },
    };
    return rig;
  } catch (err) {
    await gen?.stop().catch(() => undefined);
    await sink?.close().catch(() => undefined);
    await server.stop();
    throw err;
  }
}

/**
 * Every device's first uplinks, in closed loop: the server's MAC layer asks each new device for
 * its status (DevStatusReq) on its first uplink, and the device answers in the next, as a real
 * one would. Afterwards the MAC layer is quiet (next DevStatusReq in 24 h), so the pre-built
 * frames of the measured steps, which cannot answer anything, meet a steady-state network.
 */
async function warmUp(server: LnsServer, gen: LoadGenerator, devices: number, log: (line: string) => void) {
  const t0 = Date.now();
  const downlinks: number[] = [];
  for (let round = 0; round < 2; round++) {
    const prep = gen.prepare({ mode: 'data', rate: 2_000, count: devices, closedLoop: true, drainMs: 1_500 });
    const r = await prep.run();
    downlinks.push(r.downlinksVerified);
    await settle(server);
  }
  log(
    `  warm-up: ${devices} devices × 2 uplinks in closed loop, ${downlinks[0]} + ${downlinks[1]} downlinks ` +
      `(MAC requests) answered, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

interface Stats {
  uplink: { deduplicated: number; accepted: number; copies: number };
  downlink: { frames: number };
  dedupEntries: number;
}

export async function serverStats(server: LnsServer): Promise<Stats> {
  const res = await server.api<Stats>('GET', '/network-server/stats');
  if (res.status !== 200) throw new Error(`stats: HTTP ${res.status}`);
  return res.body;
}

/** Waits until the server has handled everything sent (its counters stop moving), at most 30 s. */
export async function settle(server: LnsServer, sink?: EventSink): Promise<void> {
  let last = '';
  for (let i = 0; i < 240; i++) {
    const s = await serverStats(server);
    // The subscriber too: a step that overloaded the machine leaves events in flight to it, which
    // the next step would otherwise count as its own lateness (or loss).
    const received = sink ? Object.values(sink.counts).reduce((n, c) => n + c, 0) : 0;
    const now = `${s.uplink.copies}/${s.uplink.deduplicated}/${s.uplink.accepted}/${s.downlink.frames}/${received}`;
    if (now === last && s.dedupEntries === 0) return;
    last = now;
    await sleep(250);
  }
}
