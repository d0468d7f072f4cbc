import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { LnsProcess, startLnsProcess } from './support/lns-process';

// Starting a server takes a second or two on 2 cores; Jest 29 ignores the project testTimeout.
jest.setTimeout(60_000);

type Body = Record<string, unknown>;
interface FieldError {
  field: string;
  reason: string;
}

// Distinct keys, so a search of the JSON for any of them means a leak.
const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const NWK_KEY = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const NWK_S_KEY = '44024241ed4ce9a68c6a8bc055233fd3';
const APP_S_KEY = 'ec925802ae430ca77fd3dd73cb2cc588';
const F_NWK_S_INT_KEY = '1122334455667788990011223344aaaa';
const S_NWK_S_INT_KEY = '1122334455667788990011223344bbbb';
const NWK_S_ENC_KEY = '1122334455667788990011223344cccc';
const ALL_KEYS = [APP_KEY, NWK_KEY, NWK_S_KEY, APP_S_KEY, F_NWK_S_INT_KEY, S_NWK_S_INT_KEY, NWK_S_ENC_KEY];

const JOIN_EUI = '70b3d57ed0000000';

/** Fails with the leaked key's name if any key's hex, in either case, is anywhere in `body`. */
function expectNoKey(body: unknown): void {
  const json = JSON.stringify(body).toLowerCase();
  for (const key of ALL_KEYS) expect(json).not.toContain(key);
}

function namedFields(res: request.Response): string[] {
  return [...new Set((res.body.fields as FieldError[]).map((f) => f.field))];
}

class Api {
  constructor(
    private readonly port: number,
    private readonly token: string,
  ) {}
  private http() {
    return request(`http://127.0.0.1:${this.port}`);
  }
  get(path: string) {
    return this.http().get(path).set('Authorization', `Bearer ${this.token}`);
  }
  post(path: string, body: unknown) {
    return this.http()
      .post(path)
      .set('Authorization', `Bearer ${this.token}`)
      .send(body as object);
  }
  delete(path: string) {
    return this.http().delete(path).set('Authorization', `Bearer ${this.token}`);
  }
  anonymous() {
    return this.http();
  }
}

describe('device registry REST API (the server process over HTTP)', () => {
  let lns: LnsProcess;
  let api: Api;
  let p10: string; // EU868, LoRaWAN 1.0.3
  let p11: string; // EU868, LoRaWAN 1.1.0
  let app: string;
  let e2eApp: string;

  const otaa = (over: Body = {}): Body => ({
    devEui: '0004a30b001c0530',
    joinEui: JOIN_EUI,
    name: 'otaa',
    applicationId: app,
    deviceProfileId: p10,
    activation: 'OTAA',
    appKey: APP_KEY,
    ...over,
  });
  const abp10 = (over: Body = {}, session: Body = {}): Body => ({
    devEui: '0004a30b001c0531',
    name: 'abp',
    applicationId: app,
    deviceProfileId: p10,
    activation: 'ABP',
    abp: { devAddr: '26011bda', nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY, ...session },
    ...over,
  });
  const abp11 = (over: Body = {}, session: Body = {}): Body => ({
    ...abp10(over),
    deviceProfileId: p11,
    ...over,
    abp: {
      devAddr: '26011bdb',
      fNwkSIntKey: F_NWK_S_INT_KEY,
      sNwkSIntKey: S_NWK_S_INT_KEY,
      nwkSEncKey: NWK_S_ENC_KEY,
      appSKey: APP_S_KEY,
      ...session,
    },
  });

  beforeAll(async () => {
    lns = await startLnsProcess();
    api = new Api(lns.ports.http!, lns.adminToken()!);
    p10 = (
      await api
        .post('/api/device-profiles', { name: 'p10', region: 'EU868', macVersion: '1.0.3' })
        .expect(201)
    ).body.id;
    p11 = (
      await api
        .post('/api/device-profiles', { name: 'p11', region: 'EU868', macVersion: '1.1.0' })
        .expect(201)
    ).body.id;
    app = (await api.post('/api/applications', { name: 'plain' }).expect(201)).body.id;
    e2eApp = (await api.post('/api/applications', { name: 'tunnel', endToEnd: true }).expect(201)).body.id;
  });
  afterAll(async () => {
    await lns?.stop();
  });

  it('refuses every registry route without the admin token (401)', async () => {
    const http = api.anonymous();
    const routes: Array<[string, string]> = [
      ['post', '/api/device-profiles'],
      ['get', '/api/device-profiles'],
      ['get', `/api/device-profiles/${p10}`],
      ['delete', `/api/device-profiles/${p10}`],
      ['post', '/api/applications'],
      ['get', '/api/applications'],
      ['get', `/api/applications/${app}`],
      ['delete', `/api/applications/${app}`],
      ['post', '/api/devices'],
      ['get', '/api/devices'],
      ['get', '/api/devices/0004a30b001c0530'],
      ['delete', '/api/devices/0004a30b001c0530'],
    ];
    for (const [method, path] of routes) {
      const res = await (http as unknown as Record<string, (p: string) => request.Test>)[method](path);
      expect([method, path, res.status]).toEqual([method, path, 401]);
    }
    const wrong = await http.get('/api/devices').set('Authorization', 'Bearer wrong');
    expect(wrong.status).toBe(401);
  });

  it('documents the registry routes in the OpenAPI document', async () => {
    const res = await api.anonymous().get('/api/docs/json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/device-profiles',
        '/api/device-profiles/{id}',
        '/api/applications',
        '/api/applications/{id}',
        '/api/devices',
        '/api/devices/{devEui}',
      ]),
    );
  });

  describe('device profiles', () => {
    it('creates (201 {id}), gets and lists', async () => {
      const created = await api
        .post('/api/device-profiles', {
          name: 'US915 class C',
          region: 'US915',
          macVersion: '1.0.4',
          regParamsRevision: 'RP002-1.0.3',
          supportsClassC: true,
          adrEnabled: false,
          rx1Delay: 2,
          rx1DrOffset: 1,
          rx2DataRate: 8,
          rx2Frequency: 923_300_000,
          subBand: 2,
        })
        .expect(201);
      expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      const got = await api.get(`/api/device-profiles/${created.body.id}`).expect(200);
      expect(got.body).toEqual({
        id: created.body.id,
        name: 'US915 class C',
        region: 'US915',
        macVersion: '1.0.4',
        regParamsRevision: 'RP002-1.0.3',
        supportsClassC: true,
        adrEnabled: false,
        rx1Delay: 2,
        rx1DrOffset: 1,
        rx2DataRate: 8,
        rx2Frequency: 923_300_000,
        subBand: 2,
        createdAt: expect.any(String),
      });
      const defaults = await api.get(`/api/device-profiles/${p10}`).expect(200);
      expect(defaults.body).toMatchObject({
        regParamsRevision: null,
        supportsClassC: false,
        adrEnabled: true,
        rx1Delay: 1,
        rx1DrOffset: 0,
        rx2DataRate: null,
        rx2Frequency: null,
        subBand: null,
      });
      const list = await api.get('/api/device-profiles').expect(200);
      expect(list.body.map((p: { id: string }) => p.id)).toEqual(
        expect.arrayContaining([p10, p11, created.body.id]),
      );
    });

    it('refuses each bad value with 400 naming its field', async () => {
      const base = { name: 'x', region: 'EU868', macVersion: '1.0.3' };
      const cases: Array<[string, Body, string]> = [
        ['no name', { region: 'EU868', macVersion: '1.0.3' }, 'name'],
        ['an unknown region', { ...base, region: 'EU869' }, 'region'],
        ['an unknown LoRaWAN version', { ...base, macVersion: '1.0.5' }, 'macVersion'],
        ['an unknown RP revision', { ...base, regParamsRevision: 'RP003' }, 'regParamsRevision'],
        ['a non-boolean supportsClassC', { ...base, supportsClassC: 'yes' }, 'supportsClassC'],
        ['a non-boolean adrEnabled', { ...base, adrEnabled: 1 }, 'adrEnabled'],
        ['an RX1 delay of 16 s', { ...base, rx1Delay: 16 }, 'rx1Delay'],
        ['an RX1 DR offset beyond EU868’s 5', { ...base, rx1DrOffset: 6 }, 'rx1DrOffset'],
        ['an uplink-only RX2 data rate', { ...base, rx2DataRate: 8 }, 'rx2DataRate'],
        ['an RX2 frequency in MHz', { ...base, rx2Frequency: 869 }, 'rx2Frequency'],
        ['a sub-band in EU868', { ...base, subBand: 1 }, 'subBand'],
        ['a sub-band beyond 8', { ...base, region: 'US915', subBand: 9 }, 'subBand'],
        ['an unknown field', { ...base, colour: 'red' }, 'colour'],
      ];
      for (const [name, body, field] of cases) {
        const res = await api.post('/api/device-profiles', body);
        expect([name, res.status, namedFields(res)]).toEqual([name, 400, [field]]);
      }
    });

    it('answers 400 for a malformed id and 404 for an unknown one', async () => {
      const bad = await api.get('/api/device-profiles/not-a-uuid').expect(400);
      expect(namedFields(bad)).toEqual(['id']);
      const unknown = await api.get('/api/device-profiles/00000000-0000-4000-8000-000000000000').expect(404);
      expect(namedFields(unknown)).toEqual(['id']);
    });

    it('refuses to delete a profile while devices use it (409), deletes it after (204)', async () => {
      const id = (
        await api.post('/api/device-profiles', { name: 'temp', region: 'EU868', macVersion: '1.0.2' })
      ).body.id;
      await api.post('/api/devices', otaa({ devEui: '00000000000000d1', deviceProfileId: id })).expect(201);
      const refused = await api.delete(`/api/device-profiles/${id}`).expect(409);
      expect(refused.body.fields).toEqual([{ field: 'id', reason: expect.stringMatching(/1 device/) }]);
      await api.delete('/api/devices/00000000000000d1').expect(204);
      await api.delete(`/api/device-profiles/${id}`).expect(204);
      await api.get(`/api/device-profiles/${id}`).expect(404);
      await api.delete(`/api/device-profiles/${id}`).expect(404);
    });
  });

  describe('applications', () => {
    it('creates (201 {id}), gets and lists', async () => {
      const created = await api.post('/api/applications', { name: 'meters' }).expect(201);
      expect(created.body).toEqual({ id: expect.any(String) });
      expect((await api.get(`/api/applications/${created.body.id}`).expect(200)).body).toEqual({
        id: created.body.id,
        name: 'meters',
        endToEnd: false,
        createdAt: expect.any(String),
      });
      expect((await api.get(`/api/applications/${e2eApp}`).expect(200)).body.endToEnd).toBe(true);
      const list = await api.get('/api/applications').expect(200);
      expect(list.body.map((a: { id: string }) => a.id)).toEqual(
        expect.arrayContaining([app, e2eApp, created.body.id]),
      );
    });

    it('refuses each bad value with 400 naming its field', async () => {
      const cases: Array<[Body, string]> = [
        [{}, 'name'],
        [{ name: '' }, 'name'],
        [{ name: 'x', endToEnd: 'true' }, 'endToEnd'],
        [{ name: 'x', owner: 'me' }, 'owner'],
      ];
      for (const [body, field] of cases) {
        const res = await api.post('/api/applications', body);
        expect([body, res.status, namedFields(res)]).toEqual([body, 400, [field]]);
      }
      expect(namedFields(await api.get('/api/applications/nope').expect(400))).toEqual(['id']);
      await api.get('/api/applications/00000000-0000-4000-8000-000000000000').expect(404);
    });

    it('refuses to delete an application that has devices (409), deletes it after (204)', async () => {
      const id = (await api.post('/api/applications', { name: 'temp' })).body.id;
      await api.post('/api/devices', otaa({ devEui: '00000000000000d2', applicationId: id })).expect(201);
      const refused = await api.delete(`/api/applications/${id}`).expect(409);
      expect(namedFields(refused)).toEqual(['id']);
      await api.delete('/api/devices/00000000000000d2').expect(204);
      await api.delete(`/api/applications/${id}`).expect(204);
      await api.delete(`/api/applications/${id}`).expect(404);
    });
  });

  describe('devices: validation', () => {
    // One case per rule; the 400 names exactly the field at fault.
    const cases: Array<[string, () => Body, string]> = [
      // Shapes (DTO)
      ['DevEUI is 16 hex digits', () => otaa({ devEui: '0004a30b001c053' }), 'devEui'],
      ['JoinEUI is 16 hex digits', () => otaa({ joinEui: 'zz' }), 'joinEui'],
      ['a name is required', () => otaa({ name: undefined }), 'name'],
      [
        'a description is at most 500 characters',
        () => otaa({ description: 'x'.repeat(501) }),
        'description',
      ],
      ['applicationId is a UUID', () => otaa({ applicationId: 'app' }), 'applicationId'],
      ['deviceProfileId is a UUID', () => otaa({ deviceProfileId: 'p' }), 'deviceProfileId'],
      ['activation is OTAA or ABP', () => otaa({ activation: 'OTA' }), 'activation'],
      [
        'joinServer is local or an id',
        () => otaa({ joinServer: 'http://js', appKey: undefined }),
        'joinServer',
      ],
      ['AppKey is 32 hex digits', () => otaa({ appKey: APP_KEY.slice(2) }), 'appKey'],
      ['NwkKey is 32 hex digits', () => otaa({ deviceProfileId: p11, nwkKey: 'g'.repeat(32) }), 'nwkKey'],
      ['abp is an object', () => abp10({ abp: 'yes' }), 'abp'],
      ['DevAddr is 8 hex digits', () => abp10({}, { devAddr: '26011bd' }), 'abp.devAddr'],
      ['NwkSKey is 32 hex digits', () => abp10({}, { nwkSKey: 'x' }), 'abp.nwkSKey'],
      ['AppSKey is 32 hex digits', () => abp10({}, { appSKey: APP_S_KEY + '00' }), 'abp.appSKey'],
      ['FCntUp is a 32-bit integer', () => abp10({}, { fCntUp: 2 ** 32 }), 'abp.fCntUp'],
      ['FCntDown is a non-negative integer', () => abp10({}, { fCntDown: -1 }), 'abp.fCntDown'],
      ['an unknown ABP field', () => abp10({}, { rx2: 1 }), 'abp.rx2'],
      ['tags are string values', () => otaa({ tags: { floor: 2 } }), 'tags'],
      ['an unknown field', () => otaa({ password: 'x' }), 'password'],
      // References
      [
        'an unknown application',
        () => otaa({ applicationId: '00000000-0000-4000-8000-000000000000' }),
        'applicationId',
      ],
      [
        'an unknown device profile',
        () => otaa({ deviceProfileId: '00000000-0000-4000-8000-000000000000' }),
        'deviceProfileId',
      ],
      // OTAA
      ['OTAA needs a JoinEUI', () => otaa({ joinEui: undefined }), 'joinEui'],
      [
        'OTAA has no ABP session',
        () => otaa({ abp: { devAddr: '01020304', nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY } }),
        'abp',
      ],
      ['OTAA local 1.0.x needs the AppKey', () => otaa({ appKey: undefined }), 'appKey'],
      ['OTAA local 1.0.x has no NwkKey', () => otaa({ nwkKey: NWK_KEY }), 'nwkKey'],
      ['OTAA local 1.1 needs the NwkKey', () => otaa({ deviceProfileId: p11 }), 'nwkKey'],
      [
        'OTAA local 1.1 needs the AppKey',
        () => otaa({ deviceProfileId: p11, appKey: undefined, nwkKey: NWK_KEY }),
        'appKey',
      ],
      ['OTAA external refuses the AppKey', () => otaa({ joinServer: 'js-e2e-1' }), 'appKey'],
      [
        'OTAA external refuses the NwkKey',
        () => otaa({ joinServer: 'js-e2e-1', appKey: undefined, nwkKey: NWK_KEY }),
        'nwkKey',
      ],
      // ABP
      ['ABP needs its session', () => abp10({ abp: undefined }), 'abp'],
      ['ABP has no join server', () => abp10({ joinServer: 'local' }), 'joinServer'],
      ['ABP has no AppKey', () => abp10({ appKey: APP_KEY }), 'appKey'],
      ['ABP has no NwkKey', () => abp10({ nwkKey: NWK_KEY }), 'nwkKey'],
      ['ABP 1.0.x needs the NwkSKey', () => abp10({}, { nwkSKey: undefined }), 'abp.nwkSKey'],
      ['ABP 1.0.x has no FNwkSIntKey', () => abp10({}, { fNwkSIntKey: F_NWK_S_INT_KEY }), 'abp.fNwkSIntKey'],
      ['ABP 1.0.x has one FCntDown', () => abp10({}, { aFCntDown: 1 }), 'abp.aFCntDown'],
      ['ABP 1.1 needs FNwkSIntKey', () => abp11({}, { fNwkSIntKey: undefined }), 'abp.fNwkSIntKey'],
      ['ABP 1.1 needs SNwkSIntKey', () => abp11({}, { sNwkSIntKey: undefined }), 'abp.sNwkSIntKey'],
      ['ABP 1.1 needs NwkSEncKey', () => abp11({}, { nwkSEncKey: undefined }), 'abp.nwkSEncKey'],
      ['ABP 1.1 has no NwkSKey', () => abp11({}, { nwkSKey: NWK_S_KEY }), 'abp.nwkSKey'],
      ['ABP needs the AppSKey', () => abp10({}, { appSKey: undefined }), 'abp.appSKey'],
      [
        'ABP in an end-to-end application refuses the AppSKey',
        () => abp10({ applicationId: e2eApp }),
        'abp.appSKey',
      ],
    ];

    it.each(cases)('400: %s', async (_rule, body, field) => {
      const res = await api.post('/api/devices', body());
      expect(res.status).toBe(400);
      expect(namedFields(res)).toEqual([field]);
      expectNoKey(res.body);
    });

    it('says why an end-to-end application refuses the AppSKey', async () => {
      const res = await api.post('/api/devices', abp10({ applicationId: e2eApp })).expect(400);
      expect(res.body.fields[0].reason).toMatch(/only the application server holds the AppSKey/);
    });

    it('created nothing on any refused request', async () => {
      const list = await api.get(`/api/devices?applicationId=${e2eApp}`).expect(200);
      expect(list.body).toEqual([]);
    });
  });

  describe('devices: create, get, list, delete', () => {
    it('OTAA on the local join server (1.0.x): 201, lowercase EUIs, no key echoed, not activated', async () => {
      const res = await api
        .post(
          '/api/devices',
          otaa({
            devEui: '0004A30B001C0530',
            joinEui: JOIN_EUI.toUpperCase(),
            appKey: APP_KEY.toUpperCase(),
            description: 'hall',
            tags: { floor: '2' },
          }),
        )
        .expect(201);
      expect(res.body).toEqual({
        devEui: '0004a30b001c0530',
        joinEui: JOIN_EUI,
        name: 'otaa',
        description: 'hall',
        applicationId: app,
        deviceProfileId: p10,
        activation: 'OTAA',
        joinServer: 'local',
        tags: { floor: '2' },
        createdAt: expect.any(String),
        state: {
          activated: false,
          devAddr: null,
          fCntUp: null,
          fCntDown: null,
          lastSeenAt: null,
          macVersion: '1.0.3',
        },
      });
      expectNoKey(res.body);
      const got = await api.get('/api/devices/0004A30B001C0530').expect(200);
      expect(got.body).toEqual(res.body);
      expectNoKey(got.body);
    });

    it('a second device with the same DevEUI: 409 naming devEui', async () => {
      const res = await api.post('/api/devices', otaa({ devEui: '0004A30B001C0530' })).expect(409);
      expect(namedFields(res)).toEqual(['devEui']);
    });

    it('OTAA 1.1 on the local join server with NwkKey and AppKey', async () => {
      const res = await api
        .post('/api/devices', otaa({ devEui: '0004a30b001c0540', deviceProfileId: p11, nwkKey: NWK_KEY }))
        .expect(201);
      expect(res.body.state).toMatchObject({ activated: false, macVersion: '1.1.0' });
      expectNoKey(res.body);
    });

    it('OTAA on an external join server: no key at all', async () => {
      // The join server must be registered first (POST /api/join-servers); an unknown id is a 400.
      await api
        .post('/api/devices', otaa({ devEui: '0004a30b001c0550', joinServer: 'js-e2e-1', appKey: undefined }))
        .expect(400);
      const js = await api
        .post('/api/join-servers', { name: 'e2e JS', url: 'https://js.example.net/api/backend-interfaces' })
        .expect(201);
      const res = await api
        .post('/api/devices', otaa({ devEui: '0004a30b001c0550', joinServer: js.body.id, appKey: undefined }))
        .expect(201);
      expect(res.body).toMatchObject({ joinServer: js.body.id, activation: 'OTAA' });
    });

    it('ABP 1.0.x: activated at once with the given DevAddr and next counters; keys never returned', async () => {
      const res = await api
        .post('/api/devices', abp10({}, { devAddr: '26011BDA', fCntUp: 10, fCntDown: 5 }))
        .expect(201);
      expect(res.body).toMatchObject({ activation: 'ABP', joinServer: null, joinEui: null });
      expect(res.body.state).toEqual({
        activated: true,
        devAddr: '26011bda',
        fCntUp: 10,
        fCntDown: 5,
        lastSeenAt: null,
        macVersion: '1.0.3',
      });
      expectNoKey(res.body);
      const got = await api.get('/api/devices/0004a30b001c0531').expect(200);
      expect(got.body.state).toEqual(res.body.state);
      expectNoKey(got.body);
    });

    it('ABP 1.1: three network keys; AFCntDown and NFCntDown apart', async () => {
      const res = await api
        .post('/api/devices', abp11({ devEui: '0004a30b001c0532' }, { fCntUp: 1, fCntDown: 2, aFCntDown: 3 }))
        .expect(201);
      expect(res.body.state).toEqual({
        activated: true,
        devAddr: '26011bdb',
        fCntUp: 1,
        fCntDown: 2,
        nFCntDown: 2,
        aFCntDown: 3,
        lastSeenAt: null,
        macVersion: '1.1.0',
      });
      expectNoKey(res.body);
    });

    it('ABP in an end-to-end application without an AppSKey; any DevAddr, even one in use', async () => {
      const res = await api
        .post(
          '/api/devices',
          abp10({ devEui: '0004a30b001c0533', applicationId: e2eApp }, { appSKey: undefined }),
        )
        .expect(201);
      expect(res.body.state).toMatchObject({ activated: true, devAddr: '26011bda', fCntUp: 0, fCntDown: 0 });
    });

    it('lists devices (all, or one application’s), never with a key', async () => {
      const all = await api.get('/api/devices').expect(200);
      expect(all.body.map((d: { devEui: string }) => d.devEui)).toEqual(
        expect.arrayContaining([
          '0004a30b001c0530',
          '0004a30b001c0540',
          '0004a30b001c0550',
          '0004a30b001c0531',
          '0004a30b001c0532',
          '0004a30b001c0533',
        ]),
      );
      expectNoKey(all.body);
      const tunnel = await api.get(`/api/devices?applicationId=${e2eApp}`).expect(200);
      expect(tunnel.body.map((d: { devEui: string }) => d.devEui)).toEqual(['0004a30b001c0533']);
      expect(namedFields(await api.get('/api/devices?applicationId=nope').expect(400))).toEqual([
        'applicationId',
      ]);
      const unknown = await api
        .get('/api/devices?applicationId=00000000-0000-4000-8000-000000000000')
        .expect(404);
      expect(namedFields(unknown)).toEqual(['applicationId']);
    });

    it('GET answers 400 for a malformed DevEUI and 404 for an unknown one', async () => {
      expect(namedFields(await api.get('/api/devices/0004a30b').expect(400))).toEqual(['devEui']);
      expect(namedFields(await api.get('/api/devices/ffffffffffffffff').expect(404))).toEqual(['devEui']);
    });

    it('deletes a device (204) with its session; the DevEUI can then be used again', async () => {
      await api.delete('/api/devices/0004a30b001c0533').expect(204);
      await api.get('/api/devices/0004a30b001c0533').expect(404);
      await api.delete('/api/devices/0004a30b001c0533').expect(404);
      const again = await api
        .post('/api/devices', otaa({ devEui: '0004a30b001c0533', name: 'reborn' }))
        .expect(201);
      expect(again.body.state.activated).toBe(false);
    });
  });
});

describe('device registry across a restart', () => {
  it('keeps profiles, applications, devices and ABP sessions on the same data dir', async () => {
    const first = await startLnsProcess();
    const api1 = new Api(first.ports.http!, first.adminToken()!);
    let snapshot: { profiles: unknown; applications: unknown; devices: unknown; abp: unknown };
    try {
      const profile = (
        await api1.post('/api/device-profiles', {
          name: 'p',
          region: 'AU915',
          macVersion: '1.0.4',
          subBand: 1,
        })
      ).body.id;
      const application = (await api1.post('/api/applications', { name: 'a', endToEnd: true })).body.id;
      const plain = (await api1.post('/api/applications', { name: 'b' })).body.id;
      await api1
        .post('/api/devices', {
          devEui: '0102030405060708',
          joinEui: JOIN_EUI,
          name: 'o',
          applicationId: plain,
          deviceProfileId: profile,
          activation: 'OTAA',
          appKey: APP_KEY,
        })
        .expect(201);
      await api1
        .post('/api/devices', {
          devEui: '0102030405060709',
          name: 'b',
          applicationId: application,
          deviceProfileId: profile,
          activation: 'ABP',
          abp: { devAddr: '01abcdef', nwkSKey: NWK_S_KEY, fCntUp: 100, fCntDown: 7 },
          tags: { site: 'north' },
        })
        .expect(201);
      snapshot = {
        profiles: (await api1.get('/api/device-profiles').expect(200)).body,
        applications: (await api1.get('/api/applications').expect(200)).body,
        devices: (await api1.get('/api/devices').expect(200)).body,
        abp: (await api1.get('/api/devices/0102030405060709').expect(200)).body,
      };
    } finally {
      expect(await first.stop()).toBe(0);
    }

    // The token is printed only on the start that generated it; it is saved in the data dir.
    const token = readFileSync(join(first.dataDir, 'admin-token'), 'utf8').trim();
    const second = await startLnsProcess({ LNS_DATA_DIR: first.dataDir });
    try {
      const api2 = new Api(second.ports.http!, token);
      expect((await api2.get('/api/device-profiles').expect(200)).body).toEqual(snapshot.profiles);
      expect((await api2.get('/api/applications').expect(200)).body).toEqual(snapshot.applications);
      expect((await api2.get('/api/devices').expect(200)).body).toEqual(snapshot.devices);
      const abp = (await api2.get('/api/devices/0102030405060709').expect(200)).body;
      expect(abp).toEqual(snapshot.abp);
      expect(abp.state).toMatchObject({ activated: true, devAddr: '01abcdef', fCntUp: 100, fCntDown: 7 });
      expectNoKey(abp);
    } finally {
      await second.stop();
    }
  });
});
