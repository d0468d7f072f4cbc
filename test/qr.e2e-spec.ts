import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@lns/config';
import { ApplicationEvent } from '@lns/event-bus';
import { buildTr005, parseTr005 } from '@lns/join-server';
import { VirtualDevice, VirtualGateway } from '@lns/simulator';
import { startJoinServer } from '../apps/join-server/src/bootstrap';
import { IN_PROCESS_ADMIN_TOKEN, InProcessLns, startLnsInProcess } from './support/in-process-lns';
import {
  createApplication,
  createEu868Profiles,
  createJoinServer,
  createOtaaDevice,
  startVirtualGateway,
  virtualOtaaDevice,
} from './support/fixtures';
import { downlinkAt, hearAt } from './support/radio';
import { eventually } from './support/udp-probe';

// JOIN_ACCEPT_DELAY1 is 5 s of concentrator time; several joins run one after the other.
jest.setTimeout(120_000);

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const NWK_KEY = '000102030405060708090a0b0c0d0e0f';
const LOCAL_JOIN_EUI = '70b3d57ed0000001';
const EXTERNAL_JOIN_EUI = '70b3d57ed00000e1';
const NET_ID = '000013';
const JS_ADMIN_TOKEN = 'standalone-js-admin-token';
const BI_TOKEN = 'backend-interfaces-token-000013';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

type MacVersion = '1.0.3' | '1.0.4' | '1.1.0';

describe('TR005 QR codes and simplified provisioning (real UDP, real HTTP)', () => {
  let lns: InProcessLns;
  let gw: VirtualGateway;
  let app: string;
  let profiles: Record<MacVersion, string>;
  const events: ApplicationEvent[] = [];
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    lns = await startLnsInProcess({
      LNS_DEDUP_WINDOW_MS: '50',
      LNS_DEDUP_COOLDOWN_MS: '0',
      LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
      LNS_NET_ID: NET_ID,
    });
    http = request(`http://127.0.0.1:${lns.httpPort}`);
    lns.bus.on('application.event', (e) => void events.push(e));
    profiles = await createEu868Profiles(lns.api, ['1.0.3', '1.0.4', '1.1.0']);
    app = await createApplication(lns.api, { name: 'qr' });
    gw = await startVirtualGateway({ gatewayId: 'aa555a000000a0f2', port: lns.udpPort, keepaliveMs: 1000 });
  });

  afterAll(async () => {
    await gw?.stop();
    await lns?.close();
  });

  /** The manufacturer's import into a join server (admin token `token` at `base`): the owner tokens. */
  async function importRecords(
    target: ReturnType<typeof request>,
    token: string,
    records: Array<{ devEui: string; joinEui: string; macVersion: MacVersion; serialNumber?: string }>,
  ): Promise<Record<string, string>> {
    const res = await target
      .post('/api/js/devices')
      .set('Authorization', `Bearer ${token}`)
      .send(
        records.map((r) => ({
          ...r,
          appKey: APP_KEY,
          ...(r.macVersion === '1.1.0' ? { nwkKey: NWK_KEY } : {}),
        })),
      )
      .expect(201);
    return Object.fromEntries(
      res.body.map((r: { devEui: string; ownerToken: string }) => [r.devEui, r.ownerToken]),
    );
  }

  function virtualDevice(devEui: string, joinEui: string, macVersion: MacVersion): VirtualDevice {
    const nwkKey = macVersion === '1.1.0' ? NWK_KEY : undefined;
    return virtualOtaaDevice({ devEui, joinEui, macVersion, appKey: APP_KEY, nwkKey });
  }

  /** Joins over the air, then sends one uplink and waits for its `up` event. */
  async function joinAndUplink(device: VirtualDevice, devEui: string): Promise<void> {
    const tmst = (gw.concentratorTime() + 10_000) >>> 0;
    await hearAt(gw, device, device.joinRequest(), tmst);
    const dl = await downlinkAt(gw, (tmst + 5_000_000) >>> 0, 10_000);
    expect(device.handleJoinAccept(dl.phyPayload)).toBe(true);
    const up = device.uplink({ fPort: 7, payload: Buffer.from('from the label') });
    await hearAt(gw, device, up, (gw.concentratorTime() + 10_000) >>> 0);
    await eventually(() => events.some((e) => e.type === 'up' && e.devEui === devEui), 8000);
  }

  describe('QR codes of the embedded join server', () => {
    const DEV_EUI = '0004a30b0000c0de';
    let token: string;

    beforeAll(async () => {
      token = (
        await importRecords(http, IN_PROCESS_ADMIN_TOKEN, [
          { devEui: DEV_EUI, joinEui: LOCAL_JOIN_EUI, macVersion: '1.0.3', serialNumber: 'SN-C0DE' },
        ])
      )[DEV_EUI];
    });

    it('text: the TR005 string, checksummed, as text/plain', async () => {
      const res = await lns.api.get(`/api/js/devices/${DEV_EUI}/qrcode?format=text`).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toBe(
        buildTr005({
          joinEui: LOCAL_JOIN_EUI,
          devEui: DEV_EUI,
          profileId: '00000000',
          ownerToken: token,
          serialNumber: 'SN-C0DE',
        }),
      );
      expect(parseTr005(res.text)).toMatchObject({ devEui: DEV_EUI, ownerToken: token, checksummed: true });
    });

    it('svg: an <svg> document as image/svg+xml', async () => {
      const res = await lns.api
        .get(`/api/js/devices/${DEV_EUI}/qrcode?format=svg`)
        .buffer(true)
        .parse((r, done) => {
          let s = '';
          r.on('data', (c: Buffer) => (s += c.toString()));
          r.on('end', () => done(null, s));
        })
        .expect(200);
      expect(res.headers['content-type']).toBe('image/svg+xml');
      expect(res.body as string).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect((res.body as string).trimEnd()).toMatch(/<\/svg>$/);
    });

    it('png (the default): PNG bytes as image/png', async () => {
      const res = await lns.api
        .get(`/api/js/devices/${DEV_EUI}/qrcode`)
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect((res.body as Buffer).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    });

    it('names a bad format, refuses an unknown device, and wants a token', async () => {
      const bad = await lns.api.get(`/api/js/devices/${DEV_EUI}/qrcode?format=jpeg`).expect(400);
      expect(bad.body.fields).toEqual([{ field: 'format', reason: 'format must be one of text, svg, png' }]);
      const unknown = await lns.api.get('/api/js/devices/0004a30b0000ffff/qrcode?format=text').expect(404);
      expect(unknown.body.fields).toEqual([
        { field: 'devEui', reason: 'no manufacturer record for this DevEUI' },
      ]);
      await http.get(`/api/js/devices/${DEV_EUI}/qrcode`).expect(401);
    });
  });

  describe('POST /api/devices/qr with the embedded join server', () => {
    it.each([
      ['1.0.3', '0004a30b0000a103'],
      ['1.1.0', '0004a30b0000a110'],
    ] as const)(
      '%s: claims the device, creates it without keys, and it joins',
      async (macVersion, devEui) => {
        await importRecords(http, IN_PROCESS_ADMIN_TOKEN, [{ devEui, joinEui: LOCAL_JOIN_EUI, macVersion }]);
        const qr = (await lns.api.get(`/api/js/devices/${devEui}/qrcode?format=text`).expect(200)).text;

        const created = await lns.api
          .post('/api/devices/qr')
          .send({ qr, applicationId: app, deviceProfileId: profiles[macVersion] })
          .expect(201);
        expect(created.body).toMatchObject({
          devEui,
          joinEui: LOCAL_JOIN_EUI,
          activation: 'OTAA',
          joinServer: 'local',
          name: devEui,
        });
        // The token is used up: the label's code now says the device is claimed.
        await lns.api.get(`/api/js/devices/${devEui}/qrcode?format=text`).expect(409);

        await joinAndUplink(virtualDevice(devEui, LOCAL_JOIN_EUI, macVersion), devEui);
      },
    );

    it('names the field and the reason: bad checksum, unknown join server, used token, existing device', async () => {
      const devEui = '0004a30b0000a200';
      const tokens = await importRecords(http, IN_PROCESS_ADMIN_TOKEN, [
        { devEui, joinEui: LOCAL_JOIN_EUI, macVersion: '1.0.4' },
      ]);
      const qr = buildTr005({
        joinEui: LOCAL_JOIN_EUI,
        devEui,
        profileId: '00000000',
        ownerToken: tokens[devEui],
      });
      const post = (code: string, status: number) =>
        lns.api
          .post('/api/devices/qr')
          .send({ qr: code, applicationId: app, deviceProfileId: profiles['1.0.4'] })
          .expect(status);

      expect((await post(qr.replace(/:C[0-9A-F]{4}$/, ':C0000'), 400)).body.fields).toEqual([
        { field: 'qr', reason: expect.stringContaining('bad checksum') },
      ]);
      const elsewhere = buildTr005({
        joinEui: '0000000000000bad',
        devEui,
        profileId: '00000000',
        ownerToken: 'X',
      });
      expect((await post(elsewhere, 400)).body.fields).toEqual([
        { field: 'qr', reason: expect.stringContaining('no join server known for JoinEUI 0000000000000bad') },
      ]);
      const wrongToken = buildTr005({
        joinEui: LOCAL_JOIN_EUI,
        devEui,
        profileId: '00000000',
        ownerToken: 'WRONG',
      });
      expect((await post(wrongToken, 400)).body.fields).toEqual([
        { field: 'qr', reason: expect.stringContaining('refused the claim') },
      ]);
      expect((await post('LW:D0:nonsense', 400)).body.fields[0].field).toBe('qr');
      await post(qr, 201);
      expect((await post(qr, 409)).body.fields).toEqual([
        { field: 'qr', reason: `a device with DevEUI ${devEui} exists` },
      ]);
      await lns.api
        .post('/api/devices/qr')
        .send({ qr, applicationId: 'nope', deviceProfileId: 'nope' })
        .expect(400);
    });
  });

  describe('DELETE /api/devices/{devEui} on the embedded join server', () => {
    const provision = (qr: string, status: number) =>
      lns.api
        .post('/api/devices/qr')
        .send({ qr, applicationId: app, deviceProfileId: profiles['1.0.3'] })
        .expect(status);

    it("releases a QR-provisioned device: the manufacturer's record stays, its used token stays used, and a new token provisions it again", async () => {
      const devEui = '0004a30b0000a300';
      await importRecords(http, IN_PROCESS_ADMIN_TOKEN, [
        { devEui, joinEui: LOCAL_JOIN_EUI, macVersion: '1.0.3', serialNumber: 'SN-A300' },
      ]);
      const label = (await lns.api.get(`/api/js/devices/${devEui}/qrcode?format=text`).expect(200)).text;
      await provision(label, 201);
      const device = virtualDevice(devEui, LOCAL_JOIN_EUI, '1.0.3');
      await joinAndUplink(device, devEui);
      const before = (await lns.api.get(`/api/join-server/devices/${devEui}`).expect(200)).body;
      expect(before.lastJoinNonce).toBeGreaterThan(0);

      await lns.api.delete(`/api/devices/${devEui}`).expect(204);
      await lns.api.get(`/api/devices/${devEui}`).expect(404);

      // The join server still holds the device: the same row, its nonce state kept (a JoinNonce never repeats),
      // the manufacturer's record no longer claimed.
      expect(before).toMatchObject({ manufacturerRecord: true, claimed: true });
      expect((await lns.api.get(`/api/join-server/devices/${devEui}`).expect(200)).body).toEqual({
        ...before,
        claimed: false,
      });
      // Nobody gives it keys of their own now: it is the manufacturer's, provisioned by its QR code.
      const typed = await lns.api
        .post('/api/devices')
        .send({
          devEui,
          joinEui: LOCAL_JOIN_EUI,
          name: 'typed-key',
          applicationId: app,
          deviceProfileId: profiles['1.0.3'],
          activation: 'OTAA',
          joinServer: 'local',
          appKey: 'ffeeddccbbaa99887766554433221100',
        })
        .expect(409);
      expect(typed.body.fields).toEqual([
        { field: 'devEui', reason: expect.stringMatching(/manufacturer's device.*POST \/api\/devices\/qr/) },
      ]);
      await lns.api.get(`/api/devices/${devEui}`).expect(404);
      // The manufacturer record stays: its QR code is known (409: the printed token was used, not 404).
      const reprint = await lns.api.get(`/api/js/devices/${devEui}/qrcode?format=text`).expect(409);
      expect(reprint.body.fields).toEqual([{ field: 'devEui', reason: expect.stringContaining('used up') }]);
      await lns.api
        .post('/api/js/devices')
        .send([{ devEui, joinEui: LOCAL_JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.3' }])
        .expect(409);
      // Whoever kept the label cannot claim the device back with it.
      expect((await provision(label, 400)).body.fields).toEqual([
        { field: 'qr', reason: expect.stringContaining('refused the claim') },
      ]);

      // The manufacturer (or this operator: the admin token opens its routes) issues the next owner's token.
      const renewed = (await lns.api.post(`/api/js/devices/${devEui}/owner-token`).expect(201)).body;
      expect(parseTr005(renewed.qr)).toMatchObject({ devEui, serialNumber: 'SN-A300' });
      expect((await provision(renewed.qr, 201)).body).toMatchObject({
        devEui,
        joinServer: 'local',
        name: 'SN-A300',
      });
      // It joins again with the keys its manufacturer gave it.
      events.splice(0);
      await joinAndUplink(device, devEui);
      const rejoined = (await lns.api.get(`/api/join-server/devices/${devEui}`).expect(200)).body;
      expect(rejoined.lastJoinNonce).toBeGreaterThan(before.lastJoinNonce);
    });

    it("refuses an AppKey for a manufacturer's device never provisioned (unclaimed): 409, its keys untouched", async () => {
      const devEui = '0004a30b0000a302';
      await importRecords(http, IN_PROCESS_ADMIN_TOKEN, [
        { devEui, joinEui: LOCAL_JOIN_EUI, macVersion: '1.0.3' },
      ]);
      const res = await lns.api
        .post('/api/devices')
        .send({
          devEui: devEui.toUpperCase(),
          joinEui: LOCAL_JOIN_EUI,
          name: 'typed-key',
          applicationId: app,
          deviceProfileId: profiles['1.0.3'],
          activation: 'OTAA',
          joinServer: 'local',
          appKey: 'ffeeddccbbaa99887766554433221100',
        })
        .expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, fields: [{ field: 'devEui' }] });
      await lns.api.get(`/api/devices/${devEui}`).expect(404);
      // Its label still provisions it, and it joins with the manufacturer's keys.
      const label = (await lns.api.get(`/api/js/devices/${devEui}/qrcode?format=text`).expect(200)).text;
      await provision(label, 201);
      await joinAndUplink(virtualDevice(devEui, LOCAL_JOIN_EUI, '1.0.3'), devEui);
    });

    it('deletes a device created with an AppKey from the join server entirely, as before', async () => {
      const devEui = '0004a30b0000a301';
      await createOtaaDevice(lns.api, {
        devEui,
        joinEui: LOCAL_JOIN_EUI,
        name: 'own-app-key',
        applicationId: app,
        deviceProfileId: profiles['1.0.3'],
        joinServer: 'local',
        appKey: APP_KEY,
      });
      await lns.api.get(`/api/join-server/devices/${devEui}`).expect(200);

      await lns.api.delete(`/api/devices/${devEui}`).expect(204);

      await lns.api.get(`/api/join-server/devices/${devEui}`).expect(404);
      // Nothing of it is left: a manufacturer may import the DevEUI.
      await importRecords(http, IN_PROCESS_ADMIN_TOKEN, [
        { devEui, joinEui: LOCAL_JOIN_EUI, macVersion: '1.0.3' },
      ]);
    });
  });

  describe('POST /api/devices/qr with an external join server (a second instance of apps/join-server)', () => {
    let js: INestApplication;
    let jsHttp: ReturnType<typeof request>;

    beforeAll(async () => {
      const config = loadConfig({
        configDir: join(__dirname, '../config'),
        env: {
          LNS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lns-js-e2e-')),
          LNS_HTTP_PORT: '0',
          LNS_HTTP_HOST: '127.0.0.1',
          LNS_ADMIN_TOKEN: JS_ADMIN_TOKEN,
          LNS_LOG_LEVEL: 'warn',
          LNS_BACKEND_INTERFACES_PEERS: JSON.stringify([{ senderId: NET_ID, token: BI_TOKEN }]),
        },
      });
      const started = await startJoinServer(config);
      js = started.app;
      jsHttp = request(`http://127.0.0.1:${started.httpPort}`);
      await createJoinServer(lns.api, {
        name: 'standalone',
        url: `http://127.0.0.1:${started.httpPort}/api/backend-interfaces`,
        joinEuis: [EXTERNAL_JOIN_EUI],
        token: BI_TOKEN,
      });
    });
    afterAll(async () => js?.close());

    it('1.0.4: claims the device over HTTP on the join server that holds it, then it joins through it', async () => {
      const devEui = '0004a30b0000e104';
      await importRecords(jsHttp, JS_ADMIN_TOKEN, [
        { devEui, joinEui: EXTERNAL_JOIN_EUI, macVersion: '1.0.4', serialNumber: 'EXT-1' },
      ]);
      const qr = (
        await jsHttp
          .get(`/api/js/devices/${devEui}/qrcode?format=text`)
          .set('Authorization', `Bearer ${JS_ADMIN_TOKEN}`)
          .expect(200)
      ).text;

      const created = await lns.api
        .post('/api/devices/qr')
        .send({ qr, applicationId: app, deviceProfileId: profiles['1.0.4'] })
        .expect(201);
      expect(created.body).toMatchObject({
        devEui,
        joinEui: EXTERNAL_JOIN_EUI,
        name: 'EXT-1',
        activation: 'OTAA',
      });
      expect(created.body.joinServer).not.toBe('local');
      // Its join-request goes to that join server (Backend Interfaces JoinReq) and is accepted.
      await joinAndUplink(virtualDevice(devEui, EXTERNAL_JOIN_EUI, '1.0.4'), devEui);

      // Claimed there: its token is used up, and the same code is refused by that join server.
      await jsHttp
        .get(`/api/js/devices/${devEui}/qrcode?format=text`)
        .set('Authorization', `Bearer ${JS_ADMIN_TOKEN}`)
        .expect(409);
      await lns.api.delete(`/api/devices/${devEui}`).expect(204);
      const again = await lns.api
        .post('/api/devices/qr')
        .send({ qr, applicationId: app, deviceProfileId: profiles['1.0.4'] })
        .expect(400);
      expect(again.body.fields).toEqual([
        { field: 'qr', reason: expect.stringContaining('refused the claim') },
      ]);
    });

    it("the standalone join server's operator cannot PUT keys over a manufacturer's device; DELETE then PUT takes it over", async () => {
      const devEui = '0004a30b0000e105';
      await importRecords(jsHttp, JS_ADMIN_TOKEN, [
        { devEui, joinEui: EXTERNAL_JOIN_EUI, macVersion: '1.0.4' },
      ]);
      const asAdmin = (t: request.Test) => t.set('Authorization', `Bearer ${JS_ADMIN_TOKEN}`);
      const keys = {
        joinEui: EXTERNAL_JOIN_EUI,
        macVersion: '1.0.4',
        appKey: 'ffeeddccbbaa99887766554433221100',
      };
      const refused = await asAdmin(jsHttp.put(`/api/join-server/devices/${devEui}`))
        .send(keys)
        .expect(409);
      expect(refused.body.fields).toEqual([
        { field: 'devEui', reason: expect.stringMatching(/manufacturer's device.*DELETE/) },
      ]);
      expect(
        (await asAdmin(jsHttp.get(`/api/join-server/devices/${devEui}`)).expect(200)).body,
      ).toMatchObject({
        manufacturerRecord: true,
        claimed: false,
      });
      // The deliberate way: forget the device with its record, then give it the operator's keys.
      await asAdmin(jsHttp.delete(`/api/join-server/devices/${devEui}`)).expect(204);
      await asAdmin(jsHttp.put(`/api/join-server/devices/${devEui}`))
        .send(keys)
        .expect(201);
      expect(
        (await asAdmin(jsHttp.get(`/api/join-server/devices/${devEui}`)).expect(200)).body,
      ).toMatchObject({
        manufacturerRecord: false,
        claimed: false,
      });
      await asAdmin(jsHttp.get(`/api/js/devices/${devEui}/qrcode?format=text`)).expect(404);
    });
  });
});
