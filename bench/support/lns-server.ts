/**
 * The real built server (`dist/apps/lns/apps/lns/src/main.js`) as a child process, the way users
 * run it: default embedded configuration (SQLite file in a temporary data dir, embedded MQTT
 * broker), ports given by the bench, a known admin token and master key.
 *
 * Two extra node flags, neither changing what the server does: `--expose-gc` and a preload
 * (probe-preload.js) that answers SIGUSR2 with a full GC and a `memoryUsage()` line, so memory is
 * compared after a collection rather than at whatever point the heap happened to be.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { onCleanup } from './cleanup';
import { freePorts } from './ports';
import { processCpuMs } from './stats';

export const ROOT = join(__dirname, '../..');
const DEFAULT_MAIN = join(ROOT, 'dist/apps/lns/apps/lns/src/main.js');
const PRELOAD = join(__dirname, 'probe-preload.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** The server's entry: LNS_BENCH_MAIN overrides it (a build elsewhere). */
export function lnsMain(): string {
  return process.env.LNS_BENCH_MAIN ?? DEFAULT_MAIN;
}

/** Newest modification time (ms) of the sources the server is built from. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, name.name);
      if (name.isDirectory()) {
        if (name.name !== 'node_modules') walk(p);
      } else if (name.name.endsWith('.ts') && !name.name.endsWith('.spec.ts')) {
        newest = Math.max(newest, statSync(p).mtimeMs);
      }
    }
  };
  walk(join(ROOT, 'apps/lns/src'));
  for (const lib of readdirSync(join(ROOT, 'libs'))) {
    const src = join(ROOT, 'libs', lib, 'src');
    if (existsSync(src)) walk(src);
  }
  return newest;
}

/** Builds the server (`nest build lns`) when its main.js is missing or older than a source file. */
export function ensureBuilt(log: (line: string) => void): void {
  const main = lnsMain();
  if (process.env.LNS_BENCH_MAIN) {
    if (!existsSync(main)) throw new Error(`LNS_BENCH_MAIN ${main} does not exist`);
    return;
  }
  if (existsSync(main) && statSync(main).mtimeMs >= newestSource()) return;
  log('building the server (nest build lns) …');
  execFileSync(process.execPath, [join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'lns'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

export interface ServerOptions {
  /** An existing data dir (a seeded database); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Default warn: the hot path must not pay for info logs. */
  logLevel?: 'warn' | 'info' | 'error';
  /** Extra LNS_* settings (LNS_DEDUP_WINDOW_MS …). */
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Secrets to reuse (a restart on the same data dir). */
  adminToken?: string;
  masterKey?: string;
}

export interface MemoryProbe {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface StartTimes {
  /** ms from spawn to each `listening …` line (info level only). */
  listening: Partial<Record<'http' | 'udp' | 'mqtt', number>>;
  /** ms from spawn to the first answered HTTP request (any level). */
  ready: number;
}

export class LnsServer {
  readonly ports: { http: number; udp: number; mqtt: number };
  readonly adminToken: string;
  readonly masterKey: string;
  readonly dataDir: string;
  readonly times: StartTimes = { listening: {}, ready: NaN };
  private proc!: ChildProcess;
  private output = '';
  private exited!: Promise<number | null>;
  private readonly ownsDataDir: boolean;
  private probeWaiters: Array<(m: MemoryProbe) => void> = [];
  private unregister: () => void = () => undefined;

  private constructor(
    private readonly options: ServerOptions,
    ports: { http: number; udp: number; mqtt: number },
  ) {
    this.ports = ports;
    this.adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
    this.masterKey = options.masterKey ?? randomBytes(32).toString('hex');
    this.ownsDataDir = options.dataDir === undefined;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lns-bench-'));
  }

  /** Spawns the server and resolves once it answers HTTP (every module is up by then). */
  static async start(options: ServerOptions = {}): Promise<LnsServer> {
    const [http, mqtt] = await freePorts('tcp', 2);
    const [udp] = await freePorts('udp', 1);
    const server = new LnsServer(options, { http, udp, mqtt });
    await server.spawn();
    return server;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get log(): string {
    return this.output;
  }

  /** Resident set size of the server now, from /proc (bytes). */
  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    return kb ? Number(kb[1]) * 1024 : NaN;
  }

  /** CPU time (user + system, ms) the server has used so far, from /proc. */
  cpuMs(): number {
    return processCpuMs(this.pid);
  }

  /** A full GC in the server, then its memoryUsage() (the preload's SIGUSR2 handler). */
  probeMemory(timeoutMs = 10_000): Promise<MemoryProbe> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no memory probe answer')), timeoutMs);
      this.probeWaiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.proc.kill('SIGUSR2');
    });
  }

  /** REST call with the admin token; JSON in and out. */
  async api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`http://127.0.0.1:${this.ports.http}/api${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.adminToken}`,
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: parsed as T };
  }

  /** SIGTERM (an orderly shutdown), SIGKILL if it hangs; removes a data dir it created. */
  async stop(opts: { keepDataDir?: boolean } = {}): Promise<number | null> {
    let code: number | null = null;
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const killer = setTimeout(() => this.proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      code = await this.exited;
      clearTimeout(killer);
    } else {
      code = this.proc.exitCode;
    }
    if (this.ownsDataDir && !opts.keepDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    this.unregister();
    return code;
  }

  private async spawn(): Promise<void> {
    const o = this.options;
    const t0 = performance.now();
    const extra = process.env.LNS_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    this.proc = spawn(
      process.execPath,
      ['--expose-gc', '-r', PRELOAD, ...extra, ...(o.nodeArgs ?? []), lnsMain()],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NO_COLOR: '1',
          LNS_DATA_DIR: this.dataDir,
          LNS_HTTP_HOST: '127.0.0.1',
          LNS_UDP_HOST: '127.0.0.1',
          LNS_MQTT_HOST: '127.0.0.1',
          LNS_HTTP_PORT: String(this.ports.http),
          LNS_UDP_PORT: String(this.ports.udp),
          LNS_MQTT_PORT: String(this.ports.mqtt),
          LNS_ADMIN_TOKEN: this.adminToken,
          LNS_MASTER_KEY: this.masterKey,
          LNS_LOG_LEVEL: o.logLevel ?? 'warn',
          ...o.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    this.unregister = onCleanup(
      () => this.stop(),
      () => {
        this.proc.kill('SIGKILL');
        if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
      },
    );
    const logFile = process.env.LNS_BENCH_SERVER_LOG;
    const onData = (chunk: Buffer) => {
      const at = performance.now() - t0;
      const text = chunk.toString();
      if (logFile) appendFileSync(logFile, text);
      // Keep the head of the log and the recent part: a long run must not grow this without bound.
      this.output = (this.output + text).slice(-200_000);
      for (const m of text.matchAll(/listening (http|udp|mqtt)=(\d+)/g)) {
        this.times.listening[m[1] as 'http'] ??= at;
      }
      for (const m of text.matchAll(/bench-probe (\{[^\n]*\})/g)) {
        const probe = JSON.parse(m[1]) as MemoryProbe;
        this.probeWaiters.shift()?.(probe);
      }
    };
    this.proc.stdout!.on('data', onData);
    this.proc.stderr!.on('data', onData);

    const deadline = Date.now() + START_TIMEOUT_MS;
    let died = false;
    void this.exited.then(() => (died = true));
    for (;;) {
      if (died) throw new Error(`server exited during start-up:\n${this.output.slice(-4000)}`);
      if (Date.now() > deadline) {
        this.proc.kill('SIGKILL');
        throw new Error(`server did not answer HTTP within ${START_TIMEOUT_MS} ms:\n${this.output}`);
      }
      try {
        const res = await fetch(`http://127.0.0.1:${this.ports.http}/api/network-server/stats`, {
          headers: { Authorization: `Bearer ${this.adminToken}` },
        });
        await res.arrayBuffer();
        if (res.status < 500) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    this.times.ready = performance.now() - t0;
  }
}
