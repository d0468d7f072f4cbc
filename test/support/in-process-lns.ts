import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { GatewayBridgeService } from '@lns/gateway-bridge';
import { startLns } from '../../apps/lns/src/bootstrap';

const ROOT = join(__dirname, '../..');
export const IN_PROCESS_ADMIN_TOKEN = 'in-process-e2e-admin-token';

export interface InProcessLns {
  app: INestApplication;
  bus: EventBus;
  bridge: GatewayBridgeService;
  httpPort: number;
  udpPort: number;
  dataDir: string;
  /** supertest against the app, with the admin token set. */
  api: {
    get: (path: string) => request.Test;
    post: (path: string) => request.Test;
    delete: (path: string) => request.Test;
  };
  close: () => Promise<void>;
}

/**
 * The LNS in this process (for assertions on the event bus and on services), on free
 * loopback ports and a fresh data dir; `env` as LNS_* variables, as for the real process.
 */
export async function startLnsInProcess(env: Record<string, string> = {}): Promise<InProcessLns> {
  const dataDir = env.LNS_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'lns-inproc-'));
  const config = loadConfig({
    configDir: join(ROOT, 'config'),
    env: {
      LNS_DATA_DIR: dataDir,
      LNS_HTTP_PORT: '0',
      LNS_HTTP_HOST: '127.0.0.1',
      LNS_UDP_PORT: '0',
      LNS_UDP_HOST: '127.0.0.1',
      LNS_MQTT_PORT: '0',
      LNS_ADMIN_TOKEN: IN_PROCESS_ADMIN_TOKEN,
      LNS_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const { app, httpPort } = await startLns(config);
  const bridge = app.get(GatewayBridgeService);
  const base = `http://127.0.0.1:${httpPort}`;
  const auth = (t: request.Test) => t.set('Authorization', `Bearer ${IN_PROCESS_ADMIN_TOKEN}`);
  return {
    app,
    bus: app.get(EventBus),
    bridge,
    httpPort,
    udpPort: bridge.udpPort!,
    dataDir,
    api: {
      get: (path) => auth(request(base).get(path)),
      post: (path) => auth(request(base).post(path)),
      delete: (path) => auth(request(base).delete(path)),
    },
    close: () => app.close(),
  };
}
