import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { LnsProcess, startLnsProcess } from './support/lns-process';

// Starting a server takes a second or two on 2 cores; Jest 29 ignores the project testTimeout.
jest.setTimeout(90_000);

type Method = 'get' | 'post' | 'delete';
type Body = Record<string, unknown>;

// Devices of application A and B (ABP: active at once, so their queues take downlinks).
const DEV_A = '0004a30b001c0a01';
const DEV_B = '0004a30b001c0b01';
/** A DevEUI no device has. */
const DEV_NONE = '0004a30b001c0f0f';

const READ_ONLY = (method: string) => ({
  statusCode: 403,
  error: 'Forbidden',
  message: `this token is read-only: it may not ${method}`,
});
const ADMIN_ONLY = {
  statusCode: 403,
  error: 'Forbidden',
  message: 'this route needs the admin token: an application token may not use it',
};
const NOT_YOURS = (field: string) => ({
  statusCode: 403,
  error: 'Forbidden',
  message: `${field}: not this token's application`,
  fields: [{ field, reason: "not this token's application" }],
});
const UNAUTHORIZED = { statusCode: 401, error: 'Unauthorized', message: 'missing or wrong bearer token' };

describe('application API tokens on the REST API (the server process over HTTP)', () => {
  let lns: LnsProcess;
  let admin: string;
  let profile: string;
  let appA: string;
  let appB: string;
  let appE: string; // end-to-end, for transport keys
  const token = { rwA: '', roA: '', rwB: '', rwE: '', revokedA: '' };

  const call = (method: Method, path: string, bearer?: string, body?: unknown) => {
    let req = request(`http://127.0.0.1:${lns.ports.http}`)[method](path);
    if (bearer !== undefined) req = req.set('Authorization', `Bearer ${bearer}`);
    return body === undefined ? req : req.send(body as object);
  };
  const abp = (devEui: string, applicationId: string, devAddr: string): Body => ({
    devEui,
    name: devEui,
    applicationId,
    deviceProfileId: profile,
    activation: 'ABP',
    abp: {
      devAddr,
      nwkSKey: '44024241ed4ce9a68c6a8bc055233fd3',
      appSKey: 'ec925802ae430ca77fd3dd73cb2cc588',
    },
  });
  const mint = async (app: string, body: Body) =>
    (await call('post', `/api/applications/${app}/tokens`, admin, body).expect(201)).body as {
      id: string;
      token: string;
    };

  beforeAll(async () => {
    lns = await startLnsProcess();
    admin = lns.adminToken()!;
    profile = (
      await call('post', '/api/device-profiles', admin, {
        name: 'p',
        region: 'EU868',
        macVersion: '1.0.3',
      }).expect(201)
    ).body.id;
    appA = (await call('post', '/api/applications', admin, { name: 'A' }).expect(201)).body.id;
    appB = (await call('post', '/api/applications', admin, { name: 'B' }).expect(201)).body.id;
    appE = (await call('post', '/api/applications', admin, { name: 'E', endToEnd: true }).expect(201)).body
      .id;
    await call('post', '/api/devices', admin, abp(DEV_A, appA, '26011a01')).expect(201);
    await call('post', '/api/devices', admin, abp(DEV_B, appB, '26011b01')).expect(201);
    token.rwA = (await mint(appA, { name: 'rw' })).token;
    token.roA = (await mint(appA, { name: 'ro', readOnly: true })).token;
    token.rwB = (await mint(appB, { name: 'rw' })).token;
    token.rwE = (await mint(appE, { name: 'rw' })).token;
    const revoked = await mint(appA, { name: 'gone' });
    token.revokedA = revoked.token;
    await call('delete', `/api/applications/${appA}/tokens/${revoked.id}`, admin).expect(204);
  });
  afterAll(async () => {
    await lns?.stop();
  });

  it("opens its own application's routes to an application token", async () => {
    const t = token.rwA;
    expect((await call('get', `/api/applications/${appA}`, t).expect(200)).body).toMatchObject({ id: appA });
    expect((await call('get', '/api/device-profiles', t).expect(200)).body).toEqual([
      expect.objectContaining({ id: profile }),
    ]);
    await call('get', `/api/device-profiles/${profile}`, t).expect(200);

    // Listing: its own devices only, asked for or not.
    const listed = (await call('get', '/api/devices', t).expect(200)).body as Array<{ devEui: string }>;
    expect(listed.map((d) => d.devEui)).toEqual([DEV_A]);
    const filtered = (await call('get', `/api/devices?applicationId=${appA}`, t).expect(200)).body;
    expect(filtered).toEqual(listed);

    // A device created, read and deleted with the token.
    const created = await call('post', '/api/devices', t, abp('0004a30b001c0a02', appA, '26011a02')).expect(
      201,
    );
    expect(created.body).toMatchObject({ devEui: '0004a30b001c0a02', applicationId: appA });
    await call('get', '/api/devices/0004A30B001C0A02', t).expect(200);
    await call('delete', '/api/devices/0004a30b001c0a02', t).expect(204);
    await call('get', '/api/devices/0004a30b001c0a02', admin).expect(404);

    // One device's state and queue.
    expect((await call('get', `/api/devices/${DEV_A}`, t).expect(200)).body).toMatchObject({ devEui: DEV_A });
    await call('get', `/api/devices/${DEV_A}/state`, t).expect(200);
    const queued = await call('post', `/api/devices/${DEV_A}/queue`, t, { fPort: 10, data: 'AQI=' }).expect(
      201,
    );
    const queue = (await call('get', `/api/devices/${DEV_A}/queue`, t).expect(200)).body;
    expect(queue).toMatchObject({ totalCount: 1, result: [{ id: queued.body.id, fPort: 10, data: 'AQI=' }] });
    await call('delete', `/api/devices/${DEV_A}/queue`, t).expect(204);
    expect((await call('get', `/api/devices/${DEV_A}/queue`, admin).expect(200)).body.totalCount).toBe(0);

    // Webhooks.
    const hook = await call('post', `/api/applications/${appA}/webhooks`, t, {
      url: 'http://example.com/a',
    }).expect(201);
    expect(hook.body).toMatchObject({ applicationId: appA, url: 'http://example.com/a' });
    const hooks = (await call('get', `/api/applications/${appA}/webhooks`, t).expect(200)).body;
    expect(hooks).toEqual([expect.objectContaining({ id: hook.body.id })]);
    await call('delete', `/api/applications/${appA}/webhooks/${hook.body.id}`, t).expect(204);

    // Its tokens: listed (never the secrets), one revoked; but no new one minted (below).
    const tokens = (await call('get', `/api/applications/${appA}/tokens`, t).expect(200)).body;
    expect(tokens.map((x: { name: string }) => x.name).sort()).toEqual(['ro', 'rw']);
    expect(JSON.stringify(tokens)).not.toContain(t);

    // QR provisioning passes the guard with its own application (and fails on the code itself).
    const qr = await call('post', '/api/devices/qr', t, {
      qr: 'LW:D0:x',
      applicationId: appA,
      deviceProfileId: profile,
    });
    expect(qr.status).toBe(400);
    expect(qr.body.fields).toEqual([expect.objectContaining({ field: 'qr' })]);
  });

  it("opens an end-to-end application's transport keys to its token", async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const path = `/api/applications/${appE}/transport-keys`;
    const created = await call('post', path, token.rwE, { publicKey: pem }).expect(201);
    expect(created.body).toMatchObject({ applicationId: appE, kekLabel: expect.any(String) });
    const keys = (await call('get', path, token.rwE).expect(200)).body;
    expect(keys).toEqual([expect.objectContaining({ kekLabel: created.body.kekLabel })]);
    await call('delete', `${path}/${created.body.kekLabel}`, token.rwE).expect(204);
    // And not to another application's token.
    expect((await call('get', path, token.rwA).expect(403)).body).toEqual(NOT_YOURS('id'));
    expect((await call('post', path, token.rwA, { publicKey: pem }).expect(403)).body).toEqual(
      NOT_YOURS('id'),
    );
  });

  it("refuses another application's resources: 403 naming the field", async () => {
    const t = token.rwB;
    const cases: Array<[Method, string, unknown, string]> = [
      ['get', `/api/applications/${appA}`, undefined, 'id'],
      ['get', `/api/applications/${appA}/webhooks`, undefined, 'id'],
      ['post', `/api/applications/${appA}/webhooks`, { url: 'http://example.com/b' }, 'id'],
      ['get', `/api/applications/${appA}/tokens`, undefined, 'id'],
      ['get', `/api/applications/${appA}/transport-keys`, undefined, 'id'],
      ['delete', `/api/applications/${appA}/transport-keys/k`, undefined, 'id'],
      ['get', `/api/devices?applicationId=${appA}`, undefined, 'applicationId'],
      ['post', '/api/devices', abp('0004a30b001c0b02', appA, '26011b02'), 'applicationId'],
      [
        'post',
        '/api/devices/qr',
        { qr: 'LW:D0:x', applicationId: appA, deviceProfileId: profile },
        'applicationId',
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await call(method, path, t, body);
      expect({ path, status: res.status, body: res.body }).toEqual({
        path,
        status: 403,
        body: NOT_YOURS(field),
      });
    }
    // Its own listing has its own device only.
    const listed = (await call('get', '/api/devices', t).expect(200)).body as Array<{ devEui: string }>;
    expect(listed.map((d) => d.devEui)).toEqual([DEV_B]);
    await call('get', '/api/devices/0004a30b001c0b02', admin).expect(404);
  });

  it("answers another application's device exactly as a DevEUI no device has (404)", async () => {
    const routes: Array<[Method, string, unknown?]> = [
      ['get', ''],
      ['delete', ''],
      ['get', '/state'],
      ['get', '/queue'],
      ['post', '/queue', { fPort: 10, data: 'AQI=' }],
      ['delete', '/queue'],
    ];
    for (const [method, suffix, body] of routes) {
      const other = await call(method, `/api/devices/${DEV_A}${suffix}`, token.rwB, body);
      const none = await call(method, `/api/devices/${DEV_NONE}${suffix}`, token.rwB, body);
      const asAdmin = await call(method, `/api/devices/${DEV_NONE}${suffix}`, admin, body);
      const seen = (res: request.Response, eui: string) => ({
        status: res.status,
        body: JSON.parse(JSON.stringify(res.body).split(eui).join('<devEui>')),
      });
      const label = `${method} ${suffix}`;
      expect({ label, ...seen(other, DEV_A) }).toEqual({ label, ...seen(none, DEV_NONE) });
      expect({ label, ...seen(other, DEV_A) }).toEqual({ label, ...seen(asAdmin, DEV_NONE) });
      expect(other.status).toBe(404);
      expect(other.body.fields).toEqual([expect.objectContaining({ field: 'devEui' })]);
    }
    // Nothing happened to it.
    await call('get', `/api/devices/${DEV_A}`, admin).expect(200);
    expect((await call('get', `/api/devices/${DEV_A}/queue`, admin).expect(200)).body.totalCount).toBe(0);
  });

  it('lets a read-only token read, and refuses every write with 403', async () => {
    const t = token.roA;
    await call('get', `/api/applications/${appA}`, t).expect(200);
    await call('get', `/api/devices/${DEV_A}`, t).expect(200);
    await call('get', `/api/devices/${DEV_A}/queue`, t).expect(200);
    await call('get', `/api/devices/${DEV_A}/state`, t).expect(200);
    await call('get', `/api/applications/${appA}/webhooks`, t).expect(200);
    expect((await call('get', '/api/devices', t).expect(200)).body).toHaveLength(1);
    const writes: Array<[Method, string, unknown?]> = [
      ['post', `/api/devices/${DEV_A}/queue`, { fPort: 10, data: 'AQI=' }],
      ['delete', `/api/devices/${DEV_A}/queue`],
      ['delete', `/api/devices/${DEV_A}`],
      ['post', '/api/devices', abp('0004a30b001c0a03', appA, '26011a03')],
      ['post', `/api/applications/${appA}/webhooks`, { url: 'http://example.com/ro' }],
      ['delete', `/api/applications/${appA}/tokens/00000000-0000-0000-0000-000000000000`],
      // Another application's device: the same 403, before anything is looked up.
      ['delete', `/api/devices/${DEV_B}`],
    ];
    for (const [method, path, body] of writes) {
      const res = await call(method, path, t, body);
      expect({ path, status: res.status, body: res.body }).toEqual({
        path,
        status: 403,
        body: READ_ONLY(method.toUpperCase()),
      });
    }
    await call('get', `/api/devices/${DEV_A}`, admin).expect(200);
    await call('get', '/api/devices/0004a30b001c0a03', admin).expect(404);
  });

  it('keeps every other route for the admin token (403), including minting tokens', async () => {
    const t = token.rwA;
    const closed: Array<[Method, string, unknown?]> = [
      ['post', `/api/applications/${appA}/tokens`, { name: 'minted' }],
      ['post', `/api/applications/${appB}/tokens`, { name: 'minted' }],
      ['get', '/api/applications'],
      ['post', '/api/applications', { name: 'mine' }],
      ['delete', `/api/applications/${appA}`],
      ['post', '/api/device-profiles', { name: 'p2', region: 'EU868', macVersion: '1.0.3' }],
      ['delete', `/api/device-profiles/${profile}`],
      ['post', '/api/gateways', { gatewayId: '0016c001ff10a235', name: 'gw' }],
      ['get', '/api/gateways/0016c001ff10a235'],
      ['get', '/api/join-servers'],
      ['post', '/api/join-servers', { name: 'js', url: 'https://js.example.net/api/backend-interfaces' }],
      ['get', '/api/join-server/devices/0004a30b001c0a01'],
      ['get', '/api/server-info'],
      ['get', '/api/network-server/stats'],
    ];
    for (const [method, path, body] of closed) {
      const res = await call(method, path, t, body);
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 403, body: ADMIN_ONLY });
    }
    // The token list is as it was: nothing was minted.
    expect((await call('get', `/api/applications/${appA}/tokens`, admin).expect(200)).body).toHaveLength(2);
    // Public routes stay public.
    await call('get', '/api/health').expect(200);
    await call('get', '/metrics').expect(200);
  });

  it('refuses a revoked, unknown or missing token with 401 on every route', async () => {
    const paths: Array<[Method, string]> = [
      ['get', `/api/applications/${appA}`],
      ['get', `/api/devices/${DEV_A}`],
      ['get', '/api/devices'],
      ['post', `/api/devices/${DEV_A}/queue`],
      ['get', '/api/gateways/0016c001ff10a235'],
    ];
    for (const bearer of [token.revokedA, 'lns_' + 'A'.repeat(43), 'nonsense', undefined]) {
      for (const [method, path] of paths) {
        const res = await call(method, path, bearer);
        expect({ path, status: res.status, body: res.body }).toEqual({
          path,
          status: 401,
          body: UNAUTHORIZED,
        });
      }
    }
  });

  it('takes a token revoked by its own application at once, and the admin token keeps working', async () => {
    const extra = await mint(appB, { name: 'short-lived' });
    await call('get', `/api/applications/${appB}`, extra.token).expect(200);
    await call('delete', `/api/applications/${appB}/tokens/${extra.id}`, token.rwB).expect(204);
    expect((await call('get', `/api/applications/${appB}`, extra.token).expect(401)).body).toEqual(
      UNAUTHORIZED,
    );
    await call('get', `/api/applications/${appB}`, admin).expect(200);
    await call('get', '/api/applications', admin).expect(200);
  });
});
