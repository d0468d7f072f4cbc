import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
export const LNS_MAIN = join(ROOT, 'dist/apps/lns/apps/lns/src/main.js');
/** The standalone join server (apps/join-server), built by global-setup too. */
export const JOIN_SERVER_MAIN = join(ROOT, 'dist/apps/join-server/apps/join-server/src/main.js');

export interface LnsProcess {
  proc: ChildProcess;
  ports: { http?: number; udp?: number; mqtt?: number };
  dataDir: string;
  output: () => string;
  adminToken: () => string | undefined;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Starts the built server (or `main`, e.g. JOIN_SERVER_MAIN) as a child process on free ports and
 * resolves once it has logged `listening http=<port>` (and whatever else `waitFor` names).
 */
export async function startLnsProcess(
  env: Record<string, string> = {},
  waitFor: Array<'http' | 'udp' | 'mqtt'> = ['http'],
  main: string = LNS_MAIN,
): Promise<LnsProcess> {
  const dataDir = env.LNS_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'lns-e2e-'));
  const proc = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: {
      ...process.env,
      NO_COLOR: '1',
      LNS_HTTP_PORT: '0',
      LNS_UDP_PORT: '0',
      LNS_MQTT_PORT: '0',
      LNS_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ports: LnsProcess['ports'] = {};
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    // A server that did not start in time is killed: an orphan would keep Jest from exiting.
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start:\n${out}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      for (const m of out.matchAll(/listening (http|udp|mqtt)=(\d+)/g)) {
        ports[m[1] as 'http'] = Number(m[2]);
      }
      if (waitFor.every((k) => ports[k] !== undefined)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    proc,
    ports,
    dataDir,
    output: () => out,
    adminToken: () => /admin token \(generated[^)]*\): ([A-Za-z0-9_-]+)/.exec(out)?.[1],
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}
