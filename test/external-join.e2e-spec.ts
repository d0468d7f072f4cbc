import request from 'supertest';
import { ApplicationEvent } from '@lns/event-bus';
import { unwrapKey } from '@lns/lorawan';
import { ReceivedDownlink, VirtualDevice, VirtualGateway } from '@lns/simulator';
import { InProcessLns, startLnsInProcess } from './support/in-process-lns';
import { JOIN_SERVER_MAIN, LnsProcess, startLnsProcess } from './support/lns-process';
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

// A join through an external join server: real UDP in, real HTTP to a second process, join-accept at 5 s.
jest.setTimeout(90_000);

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const NWK_KEY = '000102030405060708090a0b0c0d0e0f';
const JOIN_EUI = '70b3d57ed00000e1';
const NET_ID = '000013';
const JS_ADMIN = 'join-server-admin-token-e2e';
const PEER_TOKEN = 'peer-token-of-the-lns-0123456789';
const NS_KEK_LABEL = 'ns-000013';
const NS_KEK = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

type PayloadOf<T extends ApplicationEvent['type']> = Extract<ApplicationEvent, { type: T }>['payload'];

class Events {
  readonly all: ApplicationEvent[] = [];
  of<T extends ApplicationEvent['type']>(type: T, devEui: string): PayloadOf<T>[] {
    return this.all
      .filter((e) => e.type === type && e.devEui === devEui)
      .map((e) => e.payload as unknown as PayloadOf<T>);
  }
  async next<T extends ApplicationEvent['type']>(type: T, devEui: string, after: number, timeoutMs = 8000) {
    await eventually(() => this.of(type, devEui).length > after, timeoutMs);
    return this.of(type, devEui)[after];
  }
}

describe('joins through an external join server (apps/join-server over the Backend Interfaces)', () => {
  let js: LnsProcess;
  let lns: InProcessLns;
  let gw: VirtualGateway;
  let jsId: string;
  let app: string;
  let profiles: Record<'1.0.4' | '1.1.0', string>;
  const events = new Events();
  const jsApi = () => request(`http://127.0.0.1:${js.ports.http}`);
  const biUrl = () => `http://127.0.0.1:${js.ports.http}/api/backend-interfaces`;

  /** Root keys go to the join server only: the network server never sees them. */
  async function onJoinServer(
    devEui: string,
    macVersion: '1.0.4' | '1.1.0',
    appKey = APP_KEY,
  ): Promise<void> {
    await jsApi()
      .put(`/api/join-server/devices/${devEui}`)
      .set('Authorization', `Bearer ${JS_ADMIN}`)
      .send({ joinEui: JOIN_EUI, macVersion, appKey, ...(macVersion === '1.1.0' ? { nwkKey: NWK_KEY } : {}) })
      .expect(201);
  }

  async function onNetworkServer(
    devEui: string,
    macVersion: '1.0.4' | '1.1.0',
    joinServer = jsId,
  ): Promise<void> {
    await createOtaaDevice(lns.api, {
      devEui,
      joinEui: JOIN_EUI,
      name: `ext-${devEui}`,
      applicationId: app,
      deviceProfileId: profiles[macVersion],
      joinServer,
    });
  }

  function virtualDevice(devEui: string, macVersion: '1.0.4' | '1.1.0', appKey = APP_KEY): VirtualDevice {
    return virtualOtaaDevice({ devEui, joinEui: JOIN_EUI, macVersion, appKey, nwkKey: NWK_KEY });
  }

  /** The join-request over UDP; the join-accept the gateway is told to send in RX1. */
  async function joinOnce(device: VirtualDevice): Promise<ReceivedDownlink> {
    const tmst = (gw.concentratorTime() + 10_000) >>> 0;
    await hearAt(gw, device, device.joinRequest(), tmst);
    // RX1 opens JOIN_ACCEPT_DELAY1 = 5 s after the join-request (RP002 "Default Settings").
    return downlinkAt(gw, (tmst + 5_000_000) >>> 0, 10_000);
  }

  /**
   * A join-request the join server refuses: the log event saying why, and no join-accept (the join path
   * ends with the log event, and a join-accept would be handed to the gateway at once, ahead of its time).
   */
  async function refusedJoin(device: VirtualDevice): Promise<PayloadOf<'log'>> {
    const devEui = device.devEui.toString('hex');
    const before = events.of('log', devEui).length;
    const tmst = (gw.concentratorTime() + 10_000) >>> 0;
    await hearAt(gw, device, device.joinRequest(), tmst);
    const log = await events.next('log', devEui, before);
    // Downlinks answering other devices' uplinks may pass by; none may be this join-request's RX1/RX2.
    const windows = [(tmst + 5_000_000) >>> 0, (tmst + 6_000_000) >>> 0];
    const end = Date.now() + 300;
    while (Date.now() < end) {
      const dl = await gw.nextDownlink(Math.max(1, end - Date.now())).catch(() => undefined);
      if (dl) expect(windows).not.toContain(dl.tmst);
    }
    return log;
  }

  beforeAll(async () => {
    js = await startLnsProcess(
      {
        LNS_HTTP_HOST: '127.0.0.1',
        LNS_ADMIN_TOKEN: JS_ADMIN,
        LNS_NET_ID: '00003c',
        LNS_BACKEND_INTERFACES_PEERS: JSON.stringify([
          { senderId: NET_ID, token: PEER_TOKEN, kekLabel: NS_KEK_LABEL, kek: NS_KEK },
        ]),
      },
      ['http'],
      JOIN_SERVER_MAIN,
    );
    lns = await startLnsInProcess({
      LNS_DEDUP_WINDOW_MS: '50',
      LNS_DEDUP_COOLDOWN_MS: '0',
      LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
      LNS_NET_ID: NET_ID,
    });
    lns.bus.on('application.event', (e) => void events.all.push(e));
    jsId = await createJoinServer(lns.api, {
      name: 'standalone JS',
      url: biUrl(),
      joinEuis: [JOIN_EUI],
      token: PEER_TOKEN,
      kekLabel: NS_KEK_LABEL,
      kek: NS_KEK,
    });
    profiles = await createEu868Profiles(lns.api, ['1.0.4', '1.1.0']);
    app = await createApplication(lns.api, { name: 'plain' });
    gw = await startVirtualGateway({ gatewayId: 'aa555a000000e1e1', port: lns.udpPort, keepaliveMs: 1000 });
  });

  afterAll(async () => {
    await gw?.stop();
    await lns?.close();
    // A clean SIGTERM: every module closed, exit code 0.
    if (js) expect(await js.stop()).toBe(0);
  });

  it('the join server app logs its port and stays out of the network business (no UDP, no MQTT)', () => {
    expect(js.output()).toMatch(/listening http=\d+/);
    expect(js.output()).not.toMatch(/listening (udp|mqtt)=/);
  });

  it.each([
    ['1.0.4', '00000000000e0104'],
    ['1.1.0', '00000000000e0110'],
  ] as const)(
    '%s: JoinReq over HTTP to the join server, join-accept in RX1, then the first uplink is an up event',
    async (macVersion, devEui) => {
      await onJoinServer(devEui, macVersion);
      await onNetworkServer(devEui, macVersion);
      const device = virtualDevice(devEui, macVersion);
      const dl = await joinOnce(device);
      expect(device.handleJoinAccept(dl.phyPayload)).toBe(true);
      const devAddr = device.state().devAddr!.toString(16).padStart(8, '0');
      expect(await events.next('join', devEui, 0)).toMatchObject({ devAddr, deviceInfo: { devEui } });

      const up = device.uplink({ fPort: 7, payload: Buffer.from(`via external JS ${macVersion}`) });
      await hearAt(gw, device, up, (gw.concentratorTime() + 10_000) >>> 0);
      expect(await events.next('up', devEui, 0)).toMatchObject({
        devAddr,
        fCnt: 0,
        fPort: 7,
        data: Buffer.from(`via external JS ${macVersion}`).toString('base64'),
      });
      // The join server answered it: its nonce state moved; the network server holds no root key.
      const state = await jsApi()
        .get(`/api/join-server/devices/${devEui}`)
        .set('Authorization', `Bearer ${JS_ADMIN}`)
        .expect(200);
      expect(state.body).toMatchObject({ devEui, lastJoinNonce: 1 });
      const view = await lns.api.get(`/api/devices/${devEui}`).expect(200);
      expect(view.body).toMatchObject({ joinServer: jsId });
      expect(JSON.stringify(view.body)).not.toContain(APP_KEY);
    },
  );

  it('an unknown device is answered UnknownDevEUI: a log event, no join-accept', async () => {
    const devEui = '00000000000e0201';
    await onNetworkServer(devEui, '1.0.4');
    expect(await refusedJoin(virtualDevice(devEui, '1.0.4'))).toMatchObject({
      level: 'ERROR',
      code: 'OTAA',
      description: expect.stringMatching(
        /refused by join server "standalone JS" .*: UnknownDevEUI: DevEUI 00000000000e0201 is not known/,
      ),
      context: { result: 'UnknownDevEUI', joinServer: jsId },
    });
  });

  it('a join-request signed with another key is answered MICFailed', async () => {
    const devEui = '00000000000e0202';
    await onJoinServer(devEui, '1.0.4');
    await onNetworkServer(devEui, '1.0.4');
    expect(await refusedJoin(virtualDevice(devEui, '1.0.4', NWK_KEY))).toMatchObject({
      code: 'OTAA',
      description: expect.stringContaining('MICFailed: join-request MIC does not verify with the AppKey'),
      context: { result: 'MICFailed' },
    });
  });

  it('a network server with the wrong bearer token is refused: UnknownSender, a JOIN_SERVER log event', async () => {
    const wrong = await createJoinServer(lns.api, {
      name: 'wrong token',
      url: biUrl(),
      token: 'not-the-peer-token-0000',
    });
    const devEui = '00000000000e0203';
    await onJoinServer(devEui, '1.0.4');
    await onNetworkServer(devEui, '1.0.4', wrong);
    expect(await refusedJoin(virtualDevice(devEui, '1.0.4'))).toMatchObject({
      level: 'ERROR',
      code: 'JOIN_SERVER',
      description: expect.stringMatching(/UnknownSender: SenderID 000013 is not an authenticated peer/),
    });
    // Nothing was spent on the join server: the device's JoinNonce did not move.
    const state = await jsApi()
      .get(`/api/join-server/devices/${devEui}`)
      .set('Authorization', `Bearer ${JS_ADMIN}`)
      .expect(200);
    expect(state.body.lastJoinNonce).toBe(0);
  });

  it("TS002 conformance: ChirpStack's JoinReq JSON is answered in ChirpStack's JoinAns shape, keys under the NS KEK", async () => {
    const devEui = '0004a30b001c0530';
    await onJoinServer(devEui, '1.0.4');
    // As ChirpStack v4's NS serializes JoinReqPayload: field order, lowercase hex, no empty CFList.
    const chirpstackJoinReq =
      '{"ProtocolVersion":"1.0","SenderID":"000013","ReceiverID":"70b3d57ed00000e1","TransactionID":3052129047,' +
      '"MessageType":"JoinReq","MACVersion":"1.0.4","PHYPayload":"00e10000d07ed5b37030051c000ba30400020184b30730",' +
      '"DevEUI":"0004a30b001c0530","DevAddr":"00a1b2c3","DLSettings":"00","RxDelay":1}';
    const device = new VirtualDevice({
      devEui,
      joinEui: JOIN_EUI,
      region: 'EU868',
      macVersion: '1.0.4',
      seed: 1,
      devNonce: 0x0102,
      activation: { type: 'OTAA', appKey: APP_KEY },
    });
    expect(device.joinRequest().phyPayload.toString('hex')).toBe(JSON.parse(chirpstackJoinReq).PHYPayload);
    const res = await jsApi()
      .post('/api/backend-interfaces')
      .set('Authorization', `Bearer ${PEER_TOKEN}`)
      .set('Content-Type', 'application/json')
      .send(chirpstackJoinReq)
      .expect(200);
    const ans = res.body as {
      PHYPayload: string;
      NwkSKey: { AESKey: string };
      AppSKey: { AESKey: string };
    };
    expect(Object.keys(ans)).toEqual([
      'ProtocolVersion',
      'SenderID',
      'ReceiverID',
      'TransactionID',
      'MessageType',
      'Result',
      'PHYPayload',
      'NwkSKey',
      'AppSKey',
      'SessionKeyID',
    ]);
    expect(ans).toMatchObject({
      ProtocolVersion: '1.0',
      SenderID: '70b3d57ed00000e1',
      ReceiverID: '000013',
      TransactionID: 3052129047,
      MessageType: 'JoinAns',
      Result: { ResultCode: 'Success' },
      // 17 bytes: MHDR, encrypted JoinNonce … RxDelay, MIC (no CFList was asked for).
      PHYPayload: expect.stringMatching(/^[0-9a-f]{34}$/),
      NwkSKey: { KEKLabel: NS_KEK_LABEL, AESKey: expect.stringMatching(/^[0-9a-f]{48}$/) },
      AppSKey: { KEKLabel: NS_KEK_LABEL, AESKey: expect.stringMatching(/^[0-9a-f]{48}$/) },
      SessionKeyID: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(device.handleJoinAccept(Buffer.from(ans.PHYPayload, 'hex'))).toBe(true);
    const kek = Buffer.from(NS_KEK, 'hex');
    expect(unwrapKey({ kek, wrapped: Buffer.from(ans.NwkSKey.AESKey, 'hex') })).toEqual(
      device.sessionKeys()!.fNwkSIntKey,
    );
    expect(unwrapKey({ kek, wrapped: Buffer.from(ans.AppSKey.AESKey, 'hex') })).toEqual(
      device.sessionKeys()!.appSKey,
    );

    // The same message again is a replayed DevNonce (1.0.4 counter): JoinReqFailed, HTTP 200 as every TS002 answer.
    const again = await jsApi()
      .post('/api/backend-interfaces')
      .set('Authorization', `Bearer ${PEER_TOKEN}`)
      .set('Content-Type', 'application/json')
      .send(chirpstackJoinReq)
      .expect(200);
    expect(again.body.Result.ResultCode).toBe('JoinReqFailed');
    // Without the token: UnknownSender.
    const anonymous = await jsApi()
      .post('/api/backend-interfaces')
      .set('Content-Type', 'application/json')
      .send(chirpstackJoinReq)
      .expect(200);
    expect(anonymous.body).toMatchObject({ MessageType: 'JoinAns', Result: { ResultCode: 'UnknownSender' } });
  });

  it("the join server's device route: keys in (201, then 200), never out; bad input is a 400 naming the field", async () => {
    const put = (devEui: string) =>
      jsApi().put(`/api/join-server/devices/${devEui}`).set('Authorization', `Bearer ${JS_ADMIN}`);
    const devEui = '00000000000e0401';
    const body = { joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY };
    expect((await put(devEui).send(body).expect(201)).body).toEqual({ created: true });
    expect((await put(devEui).send(body).expect(200)).body).toEqual({ created: false });
    const bad = await put(devEui)
      .send({ ...body, appKey: 'abc', macVersion: '1.2' })
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['appKey', 'macVersion']);
    const no11 = await put(devEui)
      .send({ ...body, macVersion: '1.1.0' })
      .expect(400);
    expect(no11.body.fields).toEqual([
      { field: 'nwkKey', reason: 'nwkKey is required for a LoRaWAN 1.1 device' },
    ]);
    await put('not-an-eui').send(body).expect(400);
    await jsApi().put(`/api/join-server/devices/${devEui}`).send(body).expect(401);
    const view = await jsApi()
      .get(`/api/join-server/devices/${devEui}`)
      .set('Authorization', `Bearer ${JS_ADMIN}`)
      .expect(200);
    expect(JSON.stringify(view.body)).not.toContain(APP_KEY);
    const del = () =>
      jsApi().delete(`/api/join-server/devices/${devEui}`).set('Authorization', `Bearer ${JS_ADMIN}`);
    await del().expect(204);
    await del().expect(404);
  });

  it('REST: join servers are validated, listed without secrets, and kept while devices use them', async () => {
    const bad = await lns.api
      .post('/api/join-servers')
      .send({ name: '', url: 'ftp://x', kek: 'abcd', joinEuis: ['70B3D57ED00000E1'] })
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'kek',
      'kekLabel',
      'name',
      'url',
    ]);
    const taken = await lns.api
      .post('/api/join-servers')
      .send({ name: 'dup', url: biUrl(), joinEuis: [JOIN_EUI] })
      .expect(409);
    expect(taken.body.fields).toEqual([
      { field: 'joinEuis.0', reason: `already routed to join server ${jsId}` },
    ]);
    await lns.api.post('/api/join-servers').send({ name: 'x', url: biUrl(), extra: 1 }).expect(400);

    const list = await lns.api.get('/api/join-servers').expect(200);
    expect(list.body[0]).toEqual({
      id: jsId,
      name: 'standalone JS',
      url: biUrl(),
      joinEuis: [JOIN_EUI],
      kekLabel: NS_KEK_LABEL,
      hasKek: true,
      hasToken: true,
      tls: { caCert: false, clientCert: false },
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(list.body)).not.toMatch(new RegExp(`${PEER_TOKEN}|${NS_KEK}`));
    await lns.api.get(`/api/join-servers/${jsId}`).expect(200);
    await lns.api.get('/api/join-servers/00000000-0000-4000-8000-000000000000').expect(404);
    await lns.api.get('/api/join-servers/not-a-uuid').expect(400);
    const inUse = await lns.api.delete(`/api/join-servers/${jsId}`).expect(409);
    expect(inUse.body.fields[0]).toMatchObject({ field: 'id' });

    // A device may only name a join server that exists, and never bring root keys for one.
    const unknownJs = await lns.api
      .post('/api/devices')
      .send({
        devEui: '00000000000e0301',
        joinEui: JOIN_EUI,
        name: 'x',
        applicationId: app,
        deviceProfileId: profiles['1.0.4'],
        activation: 'OTAA',
        joinServer: '00000000-0000-4000-8000-000000000000',
      })
      .expect(400);
    expect(unknownJs.body.fields).toEqual([{ field: 'joinServer', reason: 'no such join server' }]);

    const spare = (await lns.api.post('/api/join-servers').send({ name: 'spare', url: biUrl() }).expect(201))
      .body.id;
    await lns.api.delete(`/api/join-servers/${spare}`).expect(204);
    await lns.api.get(`/api/join-servers/${spare}`).expect(404);
    await request(`http://127.0.0.1:${lns.httpPort}`).get('/api/join-servers').expect(401);
  });
});
