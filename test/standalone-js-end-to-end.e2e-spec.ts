import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, MqttClient } from 'mqtt';
import request from 'supertest';
import { TunnelApplication, unwrapTransportKey } from '@lns/as-client';
import { VirtualDevice, VirtualGateway } from '@lns/simulator';
import { Radio, scanBytes, scanDataDir, scanOutput, Secret } from './end-to-end-security.helpers';
import {
  adminApiOf,
  createApplication,
  createApplicationToken,
  createDeviceProfile,
  createJoinServer,
  createOtaaDevice,
  RestApi,
  startVirtualGateway,
} from './support/fixtures';
import { JOIN_SERVER_MAIN, LnsProcess, startLnsProcess } from './support/lns-process';
import { eventually } from './support/udp-probe';

// Two server processes on 2 cores; joins wait for JOIN_ACCEPT_DELAY1 in concentrator time.
jest.setTimeout(120_000);

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const JOIN_EUI = '70b3d57ed00000f6';
const DEV_EUI = '0e2e0000000f0006';
const NS_NET_ID = '000013';
const JS_NET_ID = '00003d';
const PEER_TOKEN = 'the-network-server-as-peer-f6f6f6f6f6';
const NS_KEK_LABEL = 'ns-000013';
const NS_KEK = '00112233445566778899aabbccddeeff';

type Json = Record<string, unknown>;

/**
 * A manufacturer's standalone join server (apps/join-server, built) and a network server (apps/lns) with an
 * end-to-end application. The JS makes an AS key for the owner's application server, the owner claims the
 * device naming it, and the device joins through the network server: its AppSKey reaches the network only
 * wrapped under that key, which the AS alone opens. Revoking the key refuses the next join outright.
 */
describe('end-to-end application behind a standalone join server (AS keys named by the claim)', () => {
  const nsDataDir = mkdtempSync(join(tmpdir(), 'lns-e2e-standalone-js-ns-'));
  const jsDataDir = mkdtempSync(join(tmpdir(), 'lns-e2e-standalone-js-js-'));
  const asKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKey = asKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const tunnel = new TunnelApplication({ privateKey: asKeys.privateKey });
  const secrets: Secret[] = [];
  const plaintexts: string[] = [];
  const messages: Array<{ topic: string; raw: Buffer; json: Json }> = [];
  let ns: LnsProcess;
  let js: LnsProcess;
  let nsAdmin: RestApi;
  let jsToken: string;
  let nsApp: string;
  let ownerToken: string;
  let asKey: { kekLabel: string; wrappedKey: string };
  let mqtt: MqttClient;
  let gw: VirtualGateway;
  let radio: Radio;
  const device = new VirtualDevice({
    devEui: DEV_EUI,
    joinEui: JOIN_EUI,
    region: 'EU868',
    macVersion: '1.0.4',
    seed: DEV_EUI,
    activation: { type: 'OTAA', appKey: APP_KEY },
  });

  const onJs = (method: 'get' | 'post' | 'delete', path: string, token: string | null = jsToken) => {
    const t = request(`http://127.0.0.1:${js.ports.http}`)[method](path);
    return token === null ? t : t.set('Authorization', `Bearer ${token}`);
  };
  const events = (type: string) =>
    messages
      .filter((m) => m.topic === `application/${nsApp}/device/${DEV_EUI}/event/${type}`)
      .map((m) => m.json);
  async function nextEvent(type: string, after: number): Promise<Json> {
    await eventually(() => events(type).length > after, 8000);
    return events(type)[after];
  }

  beforeAll(async () => {
    // The manufacturer's join server: the network server is its peer (token, and a KEK for network keys).
    js = await startLnsProcess(
      {
        LNS_DATA_DIR: jsDataDir,
        LNS_HTTP_HOST: '127.0.0.1',
        LNS_NET_ID: JS_NET_ID,
        LNS_LOG_LEVEL: 'debug',
        LNS_BACKEND_INTERFACES_PEERS: JSON.stringify([
          { senderId: NS_NET_ID, token: PEER_TOKEN, kekLabel: NS_KEK_LABEL, kek: NS_KEK },
        ]),
      },
      ['http'],
      JOIN_SERVER_MAIN,
    );
    ns = await startLnsProcess(
      {
        LNS_DATA_DIR: nsDataDir,
        LNS_NET_ID: NS_NET_ID,
        LNS_DEDUP_WINDOW_MS: '50',
        LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
        LNS_LOG_LEVEL: 'debug',
      },
      ['http', 'udp', 'mqtt'],
    );
    nsAdmin = adminApiOf(ns);
    jsToken = js.adminToken()!;
    expect(jsToken).toBeDefined();
  });

  afterAll(async () => {
    await mqtt?.endAsync();
    await gw?.stop();
    await ns?.stop();
    await js?.stop();
  });

  it('the manufacturer imports the device; its root key stays on the join server', async () => {
    const res = await onJs('post', '/api/js/devices')
      .send([{ devEui: DEV_EUI, joinEui: JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.4' }])
      .expect(201);
    ownerToken = res.body[0].ownerToken;
    expect(ownerToken).toMatch(/^[0-9A-Z]{24}$/);
  });

  it('the join server makes an AS key for the owner’s application server, handed out only under its RSA key', async () => {
    await onJs('post', '/api/js/as-keys', null).send({ publicKey }).expect(401);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const bad = await onJs('post', '/api/js/as-keys').send({ publicKey: small }).expect(400);
    expect(bad.body.fields).toEqual([
      { field: 'publicKey', reason: 'RSA key of 1024 bits: at least 2048 needed' },
    ]);

    const created = await onJs('post', '/api/js/as-keys')
      .send({ publicKey, name: 'metering AS' })
      .expect(201);
    expect(created.body).toEqual({
      kekLabel: expect.stringMatching(/^js-astk-[0-9a-f]{16}$/),
      name: 'metering AS',
      publicKeySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      createdAt: expect.any(String),
      wrappedKey: expect.any(String),
    });
    asKey = { kekLabel: created.body.kekLabel, wrappedKey: created.body.wrappedKey };
    secrets.push({
      what: 'ASTK of the join server’s AS key',
      bytes: unwrapTransportKey({ privateKey: asKeys.privateKey, wrappedKey: asKey.wrappedKey }),
    });
    tunnel.addTransportKey(asKey);
    // Listed without key material, in any form.
    const { wrappedKey: _, ...view } = created.body;
    expect((await onJs('get', '/api/js/as-keys').expect(200)).body).toEqual([view]);
  });

  it('the owner claims the device naming that AS key; a label the join server never made is a 400', async () => {
    const unknown = await onJs('post', '/api/js/claims', null)
      .send({ devEui: DEV_EUI, ownerToken, homeNetId: NS_NET_ID, kekLabel: 'astk-0000000000000000' })
      .expect(400);
    expect(unknown.body.fields).toEqual([
      { field: 'kekLabel', reason: expect.stringMatching(/^is not an AS key of this join server/) },
    ]);
    // The refusal did not use the token up.
    const claimed = await onJs('post', '/api/js/claims', null)
      .send({
        devEui: DEV_EUI,
        ownerToken,
        owner: 'metering network',
        homeNetId: NS_NET_ID,
        kekLabel: asKey.kekLabel,
      })
      .expect(200);
    expect(claimed.body).toMatchObject({ devEui: DEV_EUI, kekLabel: asKey.kekLabel, homeNetId: NS_NET_ID });
  });

  it('the network server provisions it in an end-to-end application, the AS reads its uplink, the NS cannot', async () => {
    const profile = await createDeviceProfile(nsAdmin, { name: 'eu', region: 'EU868', macVersion: '1.0.4' });
    nsApp = await createApplication(nsAdmin, { name: 'meters', endToEnd: true });
    const jsId = await createJoinServer(nsAdmin, {
      name: 'manufacturer JS',
      url: `http://127.0.0.1:${js.ports.http}/api/backend-interfaces`,
      joinEuis: [JOIN_EUI],
      token: PEER_TOKEN,
      kekLabel: NS_KEK_LABEL,
      kek: NS_KEK,
    });
    // No keys: the network server never holds the device's root key, nor an ASTK of its own.
    await createOtaaDevice(nsAdmin, {
      devEui: DEV_EUI,
      joinEui: JOIN_EUI,
      name: 'meter',
      applicationId: nsApp,
      deviceProfileId: profile,
      joinServer: jsId,
    });
    const appToken = await createApplicationToken(nsAdmin, nsApp, { name: 'as' });
    mqtt = await connectAsync(`mqtt://127.0.0.1:${ns.ports.mqtt}`, {
      username: 'as',
      password: appToken,
      reconnectPeriod: 0,
    });
    mqtt.on('message', (topic, payload) =>
      messages.push({ topic, raw: payload, json: JSON.parse(payload.toString()) }),
    );
    await mqtt.subscribeAsync(`application/${nsApp}/device/+/event/+`, { qos: 1 });
    gw = await startVirtualGateway({ gatewayId: 'ee2e5a00000000f6', port: ns.ports.udp!, keepaliveMs: 1000 });
    radio = new Radio(gw);

    if (!(await radio.join(device))) {
      throw new Error(`no join-accept; log events: ${JSON.stringify(events('log'))}`);
    }
    secrets.push({ what: `AppSKey of ${DEV_EUI}`, bytes: device.sessionKeys()!.appSKey });
    const joined = await nextEvent('join', 0);
    expect(joined).toMatchObject({ joinServerContext: { appSKey: { kekLabel: asKey.kekLabel } } });
    tunnel.handleJoin(joined as never);
    const text = 'meter behind the manufacturer JS: 23 kWh';
    plaintexts.push(text);
    await radio.uplink(device, 3, text);
    const up = await nextEvent('up', 0);
    expect(up.data).not.toBe(Buffer.from(text).toString('base64'));
    expect(up).toMatchObject({ joinServerContext: { appSKey: { kekLabel: asKey.kekLabel } } });
    expect(tunnel.decryptUp(up as never).payload?.toString()).toBe(text);
  });

  it('revoking the AS key refuses the next join: nothing leaves the join server in clear or for the NS', async () => {
    await onJs('delete', '/api/js/as-keys/js-astk-ffffffffffffffff').expect(404);
    await onJs('delete', `/api/js/as-keys/${asKey.kekLabel}`).expect(204);
    const listed = await onJs('get', '/api/js/as-keys').expect(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ kekLabel: asKey.kekLabel, revokedAt: expect.any(String) }),
    ]);
    const logsBefore = events('log').length;
    expect(await radio.join(device, 7000)).toBe(false);
    await eventually(
      () =>
        events('log')
          .slice(logsBefore)
          .some((e) => JSON.stringify(e).includes(`AS key ${asKey.kekLabel} was revoked`)),
      8000,
    );
    expect(events('join')).toHaveLength(1);
  });

  it('neither server has the ASTK, the AppSKey or the payload in clear, in its database or its output', async () => {
    expect(secrets).toHaveLength(2);
    await mqtt.endAsync();
    await gw.stop();
    expect(await ns.stop()).toBe(0);
    expect(await js.stop()).toBe(0);
    const found = [
      ...scanDataDir(nsDataDir, secrets, plaintexts, 'network server'),
      ...scanOutput(ns.output(), secrets, plaintexts, 'network server'),
      ...scanBytes(Buffer.concat(messages.map((m) => m.raw)), secrets, plaintexts, 'MQTT messages'),
      // The join server holds the AppSKey and the ASTK sealed under its master key only.
      ...scanDataDir(jsDataDir, secrets, plaintexts, 'join server'),
      ...scanOutput(js.output(), secrets, plaintexts, 'join server'),
    ];
    expect(found).toEqual([]);
  });
});
