import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { parseTr005 } from '@lns/join-server';
import { IN_PROCESS_ADMIN_TOKEN, InProcessLns, startLnsInProcess } from './support/in-process-lns';

jest.setTimeout(60_000);

const MANUFACTURER_TOKEN = 'e2e-manufacturer-token-0123456789';
const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const NWK_KEY = '000102030405060708090a0b0c0d0e0f';
const JOIN_EUI = '70b3d57ed0000001';
const devEuiOf = (prefix: string, i: number) =>
  `${prefix}${i.toString(16).padStart(16 - prefix.length, '0')}`;

describe('manufacturer records, owner tokens and claims (real HTTP)', () => {
  let lns: InProcessLns;
  let http: ReturnType<typeof request>;
  const asManufacturer = (t: request.Test) => t.set('Authorization', `Bearer ${MANUFACTURER_TOKEN}`);

  beforeAll(async () => {
    lns = await startLnsInProcess({ LNS_JOIN_SERVER_MANUFACTURER_TOKEN: MANUFACTURER_TOKEN });
    http = request(`http://127.0.0.1:${lns.httpPort}`);
  });
  afterAll(async () => lns?.close());

  describe('import', () => {
    it('imports 5000 records as JSON in one request, each with its own owner token', async () => {
      const records = Array.from({ length: 5000 }, (_, i) => ({
        devEui: devEuiOf('1000', i),
        joinEui: JOIN_EUI,
        appKey: APP_KEY,
        macVersion: '1.0.4',
      }));
      const body = JSON.stringify(records);
      const started = Date.now();
      const res = await asManufacturer(http.post('/api/js/devices'))
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(201);
      const ms = Date.now() - started;
      console.log(
        `POST /api/js/devices: 5000 JSON records (${Math.round(body.length / 1024)} KiB) in ${ms} ms`,
      );
      expect(res.body).toHaveLength(5000);
      expect(res.body[4999]).toEqual({
        devEui: devEuiOf('1000', 4999),
        ownerToken: expect.stringMatching(/^[0-9A-Z]{24}$/),
      });
      expect(new Set(res.body.map((r: { ownerToken: string }) => r.ownerToken)).size).toBe(5000);
      // The join server holds them at once, no key in sight.
      const view = await lns.api.get(`/api/join-server/devices/${devEuiOf('1000', 123)}`).expect(200);
      expect(view.body).toMatchObject({ joinEui: JOIN_EUI, macVersion: '1.0.4', devNoncePolicy: 'counter' });
      expect(JSON.stringify(view.body)).not.toContain(APP_KEY);
    });

    it("imports 5000 records as CSV (The Things Stack's ';' and column names), QR codes on request", async () => {
      const lines = ['id;dev_eui;app_eui;name;lorawan_version;app_key;nwk_key;serial_number'];
      for (let i = 0; i < 5000; i++) {
        lines.push(
          `d${i};${devEuiOf('2000', i)};${JOIN_EUI};"Sensor; ${i}";MAC_V1_1;${APP_KEY};${NWK_KEY};SN-${i}`,
        );
      }
      const started = Date.now();
      const res = await asManufacturer(http.post('/api/js/devices?qr=true'))
        .set('Content-Type', 'text/csv')
        .send(lines.join('\r\n'))
        .expect(201);
      console.log(
        `POST /api/js/devices: 5000 CSV records (TR005 codes included) in ${Date.now() - started} ms`,
      );
      expect(res.body).toHaveLength(5000);
      const code = parseTr005(res.body[7].qr);
      expect(code).toMatchObject({
        joinEui: JOIN_EUI,
        devEui: devEuiOf('2000', 7),
        ownerToken: res.body[7].ownerToken,
        serialNumber: 'SN-7',
        checksummed: true,
      });
    });

    it('refuses the whole import on bad rows, listing line, field and reason; nothing imported', async () => {
      const csv =
        'dev_eui,join_eui,app_key,mac_version\n' +
        `3000000000000001,${JOIN_EUI},${APP_KEY},1.0.3\n` +
        `3000000000000002,${JOIN_EUI},${APP_KEY.slice(1)},1.0.3\n` +
        `3000000000000003,${JOIN_EUI},${APP_KEY},1.1\n` +
        `3000000000000001,${JOIN_EUI},${APP_KEY},1.0.3\n`;
      const res = await asManufacturer(http.post('/api/js/devices'))
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.fields).toEqual([
        { line: 3, field: 'appKey', reason: 'must be 32 hex digits' },
        { line: 4, field: 'nwkKey', reason: 'is required for a LoRaWAN 1.1 device' },
        { line: 5, field: 'devEui', reason: 'given twice in this import (first at 2)' },
      ]);
      await lns.api.get('/api/join-server/devices/3000000000000001').expect(404);

      const json = await asManufacturer(http.post('/api/js/devices'))
        .send([{ devEui: 'nope', joinEui: JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.3', color: 'red' }])
        .expect(400);
      expect(json.body.fields).toEqual([
        { line: 1, field: 'color', reason: 'is not a record field' },
        { line: 1, field: 'devEui', reason: 'must be 16 hex digits' },
      ]);
    });

    it('refuses DevEUIs already known (409, with lines), bad JSON, and other media types', async () => {
      const dup = await asManufacturer(http.post('/api/js/devices'))
        .send([
          { devEui: '3100000000000001', joinEui: JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.3' },
          { devEui: devEuiOf('1000', 5), joinEui: JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.3' },
        ])
        .expect(409);
      expect(dup.body.fields).toEqual([
        { line: 2, field: 'devEui', reason: 'already known to the join server' },
      ]);
      await lns.api.get('/api/join-server/devices/3100000000000001').expect(404);
      const bad = await asManufacturer(http.post('/api/js/devices'))
        .set('Content-Type', 'application/json')
        .send('[{"devEui":')
        .expect(400);
      expect(bad.body.fields[0]).toMatchObject({
        field: 'body',
        reason: expect.stringContaining('not valid JSON'),
      });
      const xml = await asManufacturer(http.post('/api/js/devices'))
        .set('Content-Type', 'application/xml')
        .send('<devices/>')
        .expect(415);
      expect(xml.body.fields).toEqual([
        { field: 'Content-Type', reason: 'must be application/json or text/csv' },
      ]);
    });

    it('takes the manufacturer or the admin token, and the manufacturer token nowhere else', async () => {
      const one = (devEui: string) => [{ devEui, joinEui: JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.2' }];
      await http.post('/api/js/devices').send(one('3200000000000001')).expect(401);
      await http
        .post('/api/js/devices')
        .set('Authorization', 'Bearer wrong-token-wrong-token')
        .send(one('3200000000000001'))
        .expect(401);
      await http
        .post('/api/js/devices')
        .set('Authorization', `Bearer ${IN_PROCESS_ADMIN_TOKEN}`)
        .send(one('3200000000000001'))
        .expect(201);
      await asManufacturer(http.post('/api/js/devices')).send(one('3200000000000002')).expect(201);
      await asManufacturer(http.get('/api/devices')).expect(401);
      await asManufacturer(http.get('/api/join-server/devices/3200000000000002')).expect(401);
      // An unauthenticated large body is not read by the import's own reader: the usual 401 (or 413).
      const big = JSON.stringify(Array.from({ length: 3000 }, (_, i) => one(devEuiOf('3300', i))[0]));
      const res = await http.post('/api/js/devices').set('Content-Type', 'application/json').send(big);
      expect([401, 413]).toContain(res.status);
    });
  });

  describe('claims', () => {
    let tokens: Record<string, string>;

    beforeAll(async () => {
      const res = await asManufacturer(http.post('/api/js/devices'))
        .send(
          ['4000000000000001', '4000000000000002', '4000000000000003'].map((devEui) => ({
            devEui,
            joinEui: JOIN_EUI,
            appKey: APP_KEY,
            macVersion: '1.0.3',
            profileId: 'A1B20001',
          })),
        )
        .expect(201);
      tokens = Object.fromEntries(
        res.body.map((r: { devEui: string; ownerToken: string }) => [r.devEui, r.ownerToken]),
      );
    });

    it('makes whoever presents DevEUI and owner token the owner, without any bearer token', async () => {
      // The key the AppSKey is to be wrapped under must be an AS key of this join server.
      const publicKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString();
      const kekLabel = (await lns.api.post('/api/js/as-keys').send({ publicKey }).expect(201)).body.kekLabel;
      const unknownKey = await http
        .post('/api/js/claims')
        .send({ devEui: '4000000000000001', ownerToken: tokens['4000000000000001'], kekLabel: 'acme-astk' })
        .expect(400);
      expect(unknownKey.body.fields).toEqual([
        { field: 'kekLabel', reason: expect.stringMatching(/^is not an AS key of this join server/) },
      ]);
      const res = await http
        .post('/api/js/claims')
        .send({
          devEui: '4000000000000001',
          ownerToken: tokens['4000000000000001'],
          owner: 'ACME network',
          homeNetId: '00001A',
          kekLabel,
        })
        .expect(200);
      expect(res.body).toEqual({
        devEui: '4000000000000001',
        joinEui: JOIN_EUI,
        macVersion: '1.0.3',
        profileId: 'a1b20001',
        serialNumber: null,
        owner: 'ACME network',
        homeNetId: '00001a',
        kekLabel,
        claimedAt: expect.any(String),
      });
      // The join server's operator view says so (the manufacturer record's claim), and not of the others.
      const view = (devEui: string) => lns.api.get(`/api/join-server/devices/${devEui}`).expect(200);
      expect((await view('4000000000000001')).body).toMatchObject({
        manufacturerRecord: true,
        claimed: true,
      });
      expect((await view('4000000000000002')).body).toMatchObject({
        manufacturerRecord: true,
        claimed: false,
      });
    });

    it('validates the claim body like any route', async () => {
      const res = await http.post('/api/js/claims').send({ devEui: 'x', ownerToken: '' }).expect(400);
      expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['devEui', 'ownerToken']);
    });

    it('answers a wrong, a used and an unknown token with the very same refusal', async () => {
      const attempts = [
        { devEui: '4000000000000002', ownerToken: tokens['4000000000000003'] },
        { devEui: '4000000000000001', ownerToken: tokens['4000000000000001'] },
        { devEui: '4fffffffffffffff', ownerToken: tokens['4000000000000002'] },
      ];
      const answers = [];
      for (const a of attempts) answers.push(await http.post('/api/js/claims').send(a));
      for (const a of answers) {
        expect(a.status).toBe(403);
        expect(a.body).toEqual(answers[0].body);
        expect(a.headers['content-length']).toBe(answers[0].headers['content-length']);
      }
      expect(answers[0].body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'the DevEUI and owner token do not match a device that can be claimed',
        fields: [
          { field: 'ownerToken', reason: 'does not match a device that can be claimed with this DevEUI' },
        ],
      });
    });

    it('a new owner token from the manufacturer claims again (the device changes hands)', async () => {
      const renewed = await asManufacturer(http.post('/api/js/devices/4000000000000001/owner-token')).expect(
        201,
      );
      expect(renewed.body).toEqual({
        devEui: '4000000000000001',
        ownerToken: expect.stringMatching(/^[0-9A-Z]{24}$/),
        qr: expect.stringContaining(`:O${renewed.body.ownerToken}:`),
      });
      const res = await http
        .post('/api/js/claims')
        .send({ devEui: '4000000000000001', ownerToken: renewed.body.ownerToken, homeNetId: '000002' })
        .expect(200);
      expect(res.body).toMatchObject({ homeNetId: '000002', owner: null });
      await asManufacturer(http.post('/api/js/devices/4fffffffffffffff/owner-token')).expect(404);
      await http.post('/api/js/devices/4000000000000001/owner-token').expect(401);
    });

    // Last: it leaves this client throttled for a minute.
    it('throttles refused claims: after 5 a minute from one client, 429 with Retry-After, even for the right token', async () => {
      // Three refusals so far from this client; two more reach the limit.
      for (let i = 0; i < 2; i++) {
        await http
          .post('/api/js/claims')
          .send({ devEui: '4000000000000003', ownerToken: 'WRONGWRONGWRONG' })
          .expect(403);
      }
      const res = await http
        .post('/api/js/claims')
        .send({ devEui: '4000000000000003', ownerToken: tokens['4000000000000003'] })
        .expect(429);
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.body).toMatchObject({ statusCode: 429, fields: [{ field: 'ownerToken' }] });
    });
  });
});
