import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { onCleanup } from '../support/cleanup';
import { LoadGenerator } from '../support/load-generator';
import { BENCH_GATEWAY_IDS } from '../support/load-protocol';
import { abpSpec } from '../support/provision';
import { SearchResult, stepwiseSearch, StepOutcome } from '../support/search';
import { loadAverage, processCpuMs, round, udpCounters } from '../support/stats';

const FLOOR_SERVER = join(__dirname, '../support/floor-server.js');
const GENERATOR_SHARE = 0.95;

export interface FloorStep extends StepOutcome {
  uplinks: number;
  datagrams: number;
  pushLost: number;
  generatorBehindMs: number;
  floorCpuUsPerDatagram: number;
  benchCpuPercent: number;
  kernelDrops: number;
  loadAverage: number;
}

/** The floor server (floor-server.js) as a child process on a free port. */
async function startFloor(): Promise<{ proc: ChildProcess; port: number; cpuMs: () => number }> {
  const proc = spawn(process.execPath, [FLOOR_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('floor server did not start')), 10_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      const m = /port=(\d+)/.exec(chunk.toString());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', (code) => reject(new Error(`floor server exited with ${code}`)));
  });
  const unregister = onCleanup(
    async () => proc.kill('SIGKILL'),
    () => proc.kill('SIGKILL'),
  );
  proc.once('exit', unregister);
  return { proc, port, cpuMs: () => processCpuMs(proc.pid!) };
}

/**
 * The floor: the same load generator against a server that only parses PUSH_DATA and answers
 * PUSH_ACK. Zero loss means every PUSH_DATA acknowledged. Its ceiling is usually the generator's
 * own (one thread building and sending every datagram), which the result says when it is.
 */
export async function floorScenario(opts: {
  ladder: number[];
  seconds: number;
  devices: number;
  log: (line: string) => void;
}): Promise<SearchResult<FloorStep>> {
  const floor = await startFloor();
  const abp = Array.from({ length: opts.devices }, (_, i) => abpSpec(i));
  let gen: LoadGenerator | undefined;
  try {
    gen = await LoadGenerator.start({ port: floor.port, gatewayIds: BENCH_GATEWAY_IDS, pull: false, abp });
    const g = gen;
    return await stepwiseSearch(
      async (rate, seconds) => {
        const prep = g.prepare({ mode: 'data', rate, count: Math.round(rate * seconds), drainMs: 1_000 });
        const k0 = udpCounters();
        const cpu0 = floor.cpuMs();
        const r = await prep.run();
        const cpu = floor.cpuMs() - cpu0;
        const sentRate = r.sendMs > 0 ? (r.uplinks * 1000) / r.sendMs : rate;
        const step: FloorStep = {
          targetRate: rate,
          rate: round(Math.min(sentRate, rate * 1.01), 0),
          seconds,
          pass: r.pushLost === 0,
          generatorBound: sentRate < rate * GENERATOR_SHARE,
          uplinks: r.uplinks,
          datagrams: r.datagrams,
          pushLost: r.pushLost,
          generatorBehindMs: round(r.maxBehindMs),
          floorCpuUsPerDatagram: round((cpu * 1000) / Math.max(1, r.datagrams), 2),
          benchCpuPercent: round((r.benchCpuMs / (r.sendMs + 1_000)) * 100, 0),
          kernelDrops: udpCounters().rcvbufErrors - k0.rcvbufErrors,
          loadAverage: loadAverage(),
        };
        if (!step.pass) step.why = `${r.pushLost} PUSH_DATA not acknowledged`;
        return step;
      },
      { ladder: opts.ladder, probeSeconds: opts.seconds, holdSeconds: opts.seconds, log: opts.log },
    );
  } finally {
    await gen?.stop();
    floor.proc.kill('SIGTERM');
  }
}
