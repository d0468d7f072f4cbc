import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { onCleanup } from './cleanup';
import { AbpDeviceSpec, FromWorker, OtaaDeviceSpec, RunCommand, RunResult, ToWorker } from './load-protocol';

/** One step's per-uplink timings, shared with the worker (ms on process.hrtime's clock; 0 = never). */
export interface StepTimings {
  firstSent: Float64Array;
  lastSent: Float64Array;
  downlink: Float64Array;
}

export interface StepRequest {
  mode: 'data' | 'join';
  rate: number;
  count: number;
  /** Every n-th uplink is confirmed; 0 (default) for none. */
  confirmedEvery?: number;
  payloadSize?: number;
  firstOtaa?: number;
  closedLoop?: boolean;
  drainMs?: number;
}

/** The main thread's handle on the UDP load generator (udp-load.worker.ts). */
export class LoadGenerator {
  private readonly worker: Worker;
  private waiting: ((msg: FromWorker) => void) | undefined;
  private failure: Error | undefined;
  private step = 0;
  private readonly unregister: () => void;

  private constructor() {
    // The bench runs under ts-node; the worker needs the same loaders before its TypeScript.
    const file = JSON.stringify(join(__dirname, 'udp-load.worker.ts'));
    this.worker = new Worker(
      `require('ts-node/register/transpile-only'); require('tsconfig-paths/register'); require(${file});`,
      { eval: true },
    );
    this.worker.on('message', (msg: FromWorker) => {
      if (msg.kind === 'error') this.failure = new Error(`load generator: ${msg.message}`);
      const w = this.waiting;
      this.waiting = undefined;
      w?.(msg);
    });
    this.unregister = onCleanup(() => this.worker.terminate());
    this.worker.on('error', (err) => {
      this.failure = err;
      const w = this.waiting;
      this.waiting = undefined;
      w?.({ kind: 'error', message: err.message });
    });
  }

  static async start(opts: {
    port: number;
    gatewayIds: string[];
    pull: boolean;
    abp?: AbpDeviceSpec[];
    otaa?: OtaaDeviceSpec[];
  }): Promise<LoadGenerator> {
    const gen = new LoadGenerator();
    await gen.request({ kind: 'init', abp: [], otaa: [], ...opts });
    return gen;
  }

  async addOtaa(otaa: OtaaDeviceSpec[]): Promise<void> {
    await this.request({ kind: 'addOtaa', otaa });
  }

  /** Allocates the step's shared timings (so events can be matched while it runs) and runs it. */
  prepare(req: StepRequest): { step: number; timings: StepTimings; run: () => Promise<RunResult> } {
    const step = ++this.step;
    const buffers = {
      firstSent: new SharedArrayBuffer(8 * req.count),
      lastSent: new SharedArrayBuffer(8 * req.count),
      downlink: new SharedArrayBuffer(8 * req.count),
    };
    const cmd: RunCommand = {
      kind: 'run',
      step,
      mode: req.mode,
      rate: req.rate,
      count: req.count,
      confirmedEvery: req.confirmedEvery ?? 0,
      payloadSize: req.payloadSize ?? 12,
      firstOtaa: req.firstOtaa ?? 0,
      closedLoop: req.closedLoop ?? false,
      drainMs: req.drainMs ?? 3_000,
      ...buffers,
    };
    return {
      step,
      timings: {
        firstSent: new Float64Array(buffers.firstSent),
        lastSent: new Float64Array(buffers.lastSent),
        downlink: new Float64Array(buffers.downlink),
      },
      run: async () => (await this.request(cmd)) as RunResult,
    };
  }

  async stop(): Promise<void> {
    this.worker.postMessage({ kind: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => void this.worker.terminate(), 5_000);
    await new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    clearTimeout(timer);
    this.unregister();
  }

  private request(msg: ToWorker): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('load generator busy'));
    return new Promise((resolve, reject) => {
      this.waiting = (reply) => (reply.kind === 'error' ? reject(new Error(reply.message)) : resolve(reply));
      this.worker.postMessage(msg);
    });
  }
}
