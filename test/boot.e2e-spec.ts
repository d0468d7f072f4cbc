import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { LnsProcess, startLnsProcess } from './support/lns-process';

describe('apps/lns process', () => {
  let lns: LnsProcess;

  beforeAll(async () => {
    lns = await startLnsProcess();
  });
  afterAll(async () => {
    await lns?.stop();
  });

  it('logs the port it bound when asked for port 0', () => {
    expect(lns.ports.http).toBeGreaterThan(0);
    expect(lns.output()).toMatch(/listening http=\d+/);
  });

  it('prints the generated admin token once and saves it in the data dir', () => {
    const token = lns.adminToken();
    expect(token).toBeDefined();
    expect(readFileSync(join(lns.dataDir, 'admin-token'), 'utf8').trim()).toBe(token);
    expect(readFileSync(join(lns.dataDir, 'master-key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('serves GET /api/health without a token', async () => {
    const res = await request(`http://127.0.0.1:${lns.ports.http}`).get('/api/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'up' });
  });

  it('refuses protected routes without the right admin token', async () => {
    const http = request(`http://127.0.0.1:${lns.ports.http}`);
    for (const auth of [undefined, 'Bearer wrong-token', 'Basic abc']) {
      const req = http.get('/api/server-info');
      const res = await (auth ? req.set('Authorization', auth) : req);
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/bearer token/);
    }
    const ok = await http
      .get('/api/server-info')
      .set('Authorization', `Bearer ${lns.adminToken()}`)
      .expect(200);
    expect(ok.body).toMatchObject({ netId: '000000', dedupWindowMs: 200, mqtt: 'embedded' });
    expect(JSON.stringify(ok.body)).not.toContain(lns.adminToken());
  });

  it('serves the OpenAPI document', async () => {
    const res = await request(`http://127.0.0.1:${lns.ports.http}`).get('/api/docs/json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toContain('/api/health');
  });
});

describe('shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('exits cleanly with code 0 on %s', async (signal) => {
    const lns = await startLnsProcess();
    expect(await lns.stop(signal)).toBe(0);
  });

  it('does not print the admin token again on the next start', async () => {
    const first = await startLnsProcess();
    await first.stop();
    const second = await startLnsProcess({ LNS_DATA_DIR: first.dataDir });
    expect(second.adminToken()).toBeUndefined();
    await second.stop();
  });

  it('refuses a bad setting at start, naming it', async () => {
    await expect(startLnsProcess({ LNS_NET_ID: 'zz' })).rejects.toThrow(/config netId: must be 6 hex digits/);
  });
});
