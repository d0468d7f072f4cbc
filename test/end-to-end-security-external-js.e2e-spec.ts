import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, MqttClient } from 'mqtt';
import request from 'supertest';
import { parseJoinEvent, parseUpEvent, TunnelApplication, unwrapTransportKey } from '@lns/as-client';
import { VirtualDevice, VirtualGateway } from '@lns/simulator';
import { Radio, scanBytes, scanDataDir, scanOutput, Secret, WebhookAs } from './end-to-end-security.helpers';
import { LnsProcess, startLnsProcess } from './support/lns-process';
import { eventually } from './support/udp-probe';

// Two server processes on 2 cores; joins wait for JOIN_ACCEPT_DELAY1 in concentrator time.
jest.setTimeout(120_000);

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const JOIN_EUI_LOCAL = '70b3d57ed00000e3';
const JOIN_EUI_EXTERNAL = '70b3d57ed00000e4';
const NS_NET_ID = '000013';
const JS_NET_ID = '00003c';
const PEER_TOKEN = 'the-network-server-as-peer-0123456789';
const NS_KEK_LABEL = 'ns-000013';
const NS_KEK = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

type Json = Record<string, unknown>;

/**
 * One end-to-end application whose devices join through the network server's embedded join server and
 * through an external one (another apps/lns, over the LoRaWAN Backend Interfaces). The external join
 * server wraps the AppSKey under an ASTK of its own, handed to the same AS the same way: the AS reads both
 * devices' uplinks, over MQTT and by webhook, and the network server holds neither AppSKey in clear.
 */
describe('end-to-end application with devices of the local and of an external join server', () => {
  const nsDataDir = mkdtempSync(join(tmpdir(), 'lns-e2e-security-ns-'));
  const jsDataDir = mkdtempSync(join(tmpdir(), 'lns-e2e-security-js-'));
  const asKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKey = asKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const tunnel = new TunnelApplication({ privateKey: asKeys.privateKey });
  /** The webhook's credential: stored sealed by the network server, never to be found in clear. */
  const hookAuthorization = `Bearer ${randomBytes(24).toString('base64url')}`;
  const secrets: Secret[] = [{ what: 'webhook Authorization', bytes: Buffer.from(hookAuthorization) }];
  const plaintexts: string[] = [];
  const messages: Array<{ topic: string; json: Json }> = [];
  let ns: LnsProcess;
  let js: LnsProcess;
  let nsToken: string;
  let jsToken: string;
  let nsApp: string;
  let jsApp: string;
  let nsProfile: string;
  let mqtt: MqttClient;
  let gw: VirtualGateway;
  let radio: Radio;
  let hook: WebhookAs;

  const onNs = (method: 'get' | 'post', path: string) =>
    request(`http://127.0.0.1:${ns.ports.http}`)[method](path).set('Authorization', `Bearer ${nsToken}`);
  const onJs = (path: string) =>
    request(`http://127.0.0.1:${js.ports.http}`).post(path).set('Authorization', `Bearer ${jsToken}`);
  const events = (type: string, devEui: string) =>
    messages
      .filter((m) => m.topic === `application/${nsApp}/device/${devEui}/event/${type}`)
      .map((m) => m.json);
  async function nextEvent(type: string, devEui: string, after: number): Promise<Json> {
    await eventually(() => events(type, devEui).length > after, 8000);
    return events(type, devEui)[after];
  }

  /** A transport key for the AS from a server's end-to-end application; the AS keeps it. */
  async function transportKey(
    post: (path: string) => request.Test,
    app: string,
    what: string,
  ): Promise<string> {
    const key = (await post(`/api/applications/${app}/transport-keys`).send({ publicKey }).expect(201)).body;
    secrets.push({
      what,
      bytes: unwrapTransportKey({ privateKey: asKeys.privateKey, wrappedKey: key.wrappedKey }),
    });
    tunnel.addTransportKey(key);
    hook.tunnel.addTransportKey(key);
    return key.kekLabel;
  }

  function virtualDevice(devEui: string, joinEui: string): VirtualDevice {
    return new VirtualDevice({
      devEui,
      joinEui,
      region: 'EU868',
      macVersion: '1.0.4',
      seed: devEui,
      activation: { type: 'OTAA', appKey: APP_KEY },
    });
  }

  /**
   * Join, then one uplink the AS must read, over MQTT and by webhook (the same events, its webhook side
   * decrypting on its own); resolves with the join event's KEK label.
   */
  async function joinAndSend(device: VirtualDevice, text: string): Promise<string> {
    const devEui = device.devEui.toString('hex');
    if (!(await radio.join(device))) {
      throw new Error(`no join-accept; log events: ${JSON.stringify(events('log', devEui))}`);
    }
    secrets.push({ what: `AppSKey of ${devEui}`, bytes: device.sessionKeys()!.appSKey });
    const joined = await nextEvent('join', devEui, 0);
    const session = tunnel.handleJoin(parseJoinEvent(joined));
    expect(await hook.copyOf('join', joined)).toEqual(joined);
    expect(hook.joins.get(String(joined.deduplicationId))).toEqual(session);
    plaintexts.push(text);
    await radio.uplink(device, 3, text);
    const up = await nextEvent('up', devEui, 0);
    expect(up.data).not.toBe(Buffer.from(text).toString('base64'));
    const clear = tunnel.decryptUp(parseUpEvent(up));
    expect(clear.payload?.toString()).toBe(text);
    expect(await hook.copyOf('up', up)).toEqual(up);
    expect(hook.uplinks.get(String(up.deduplicationId))).toEqual(clear);
    return (joined.joinServerContext as { appSKey: { kekLabel: string } }).appSKey.kekLabel;
  }

  beforeAll(async () => {
    hook = await WebhookAs.start(asKeys.privateKey, hookAuthorization);
    // The external join server: apps/lns, whose embedded join server answers the network server as a peer.
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
    nsToken = ns.adminToken()!;
    jsToken = js.adminToken()!;
    nsProfile = (
      await onNs('post', '/api/device-profiles')
        .send({ name: 'eu', region: 'EU868', macVersion: '1.0.4' })
        .expect(201)
    ).body.id;
    nsApp = (await onNs('post', '/api/applications').send({ name: 'meters', endToEnd: true }).expect(201))
      .body.id;
    const jsProfile = (
      await onJs('/api/device-profiles')
        .send({ name: 'eu', region: 'EU868', macVersion: '1.0.4' })
        .expect(201)
    ).body.id;
    jsApp = (await onJs('/api/applications').send({ name: 'meters at the JS', endToEnd: true }).expect(201))
      .body.id;
    // The external device's root key lives on the join server only, in an end-to-end application there.
    await onJs('/api/devices')
      .send({
        devEui: '0e2e0000000e0004',
        joinEui: JOIN_EUI_EXTERNAL,
        name: 'external',
        applicationId: jsApp,
        deviceProfileId: jsProfile,
        activation: 'OTAA',
        joinServer: 'local',
        appKey: APP_KEY,
      })
      .expect(201);
    const jsId = (
      await onNs('post', '/api/join-servers')
        .send({
          name: 'external JS',
          url: `http://127.0.0.1:${js.ports.http}/api/backend-interfaces`,
          joinEuis: [JOIN_EUI_EXTERNAL],
          token: PEER_TOKEN,
          kekLabel: NS_KEK_LABEL,
          kek: NS_KEK,
        })
        .expect(201)
    ).body.id;
    for (const [devEui, joinEui, joinServer] of [
      ['0e2e0000000e0003', JOIN_EUI_LOCAL, 'local'],
      ['0e2e0000000e0004', JOIN_EUI_EXTERNAL, jsId],
    ]) {
      await onNs('post', '/api/devices')
        .send({
          devEui,
          joinEui,
          name: devEui,
          applicationId: nsApp,
          deviceProfileId: nsProfile,
          activation: 'OTAA',
          joinServer,
          ...(joinServer === 'local' ? { appKey: APP_KEY } : {}),
        })
        .expect(201);
    }
    // The AS takes the application's events by webhook too, with a credential of its own.
    const webhook = await onNs('post', `/api/applications/${nsApp}/webhooks`)
      .send({
        url: hook.receiver.url(),
        headers: { Authorization: hookAuthorization },
        events: ['up', 'join'],
      })
      .expect(201);
    expect(webhook.body.headerNames).toEqual(['Authorization']);
    const appToken = (
      await onNs('post', `/api/applications/${nsApp}/tokens`).send({ name: 'as' }).expect(201)
    ).body.token;
    mqtt = await connectAsync(`mqtt://127.0.0.1:${ns.ports.mqtt}`, {
      username: 'as',
      password: appToken,
      reconnectPeriod: 0,
    });
    mqtt.on('message', (topic, payload) => messages.push({ topic, json: JSON.parse(payload.toString()) }));
    await mqtt.subscribeAsync(`application/${nsApp}/device/+/event/+`, { qos: 1 });
    gw = new VirtualGateway({ gatewayId: 'ee2e5a0000000002', port: ns.ports.udp!, keepaliveMs: 1000 });
    await gw.start();
    radio = new Radio(gw);
  });

  afterAll(async () => {
    await mqtt?.endAsync();
    await gw?.stop();
    await ns?.stop();
    await js?.stop();
    await hook?.receiver.close();
  });

  it('the AS reads the uplinks of both devices: each AppSKey wrapped under the ASTK of its join server', async () => {
    const nsLabel = await transportKey((p) => onNs('post', p), nsApp, 'ASTK of the network server');
    const jsLabel = await transportKey(onJs, jsApp, 'ASTK of the external join server');
    expect(nsLabel).not.toBe(jsLabel);
    expect(await joinAndSend(virtualDevice('0e2e0000000e0003', JOIN_EUI_LOCAL), 'local meter: 17 kWh')).toBe(
      nsLabel,
    );
    expect(
      await joinAndSend(virtualDevice('0e2e0000000e0004', JOIN_EUI_EXTERNAL), 'external meter: 42 kWh'),
    ).toBe(jsLabel);
  });

  it('the webhook carried the same joins and uplinks as MQTT, none refused, none left pending', async () => {
    const ids = (type: string) =>
      messages
        .filter((m) => m.topic.endsWith(`/event/${type}`))
        .map((m) => String(m.json.deduplicationId))
        .sort();
    const viaWebhook = (type: string) =>
      hook.receiver
        .events(type)
        .map((e) => String(e.deduplicationId))
        .sort();
    expect(ids('join')).toHaveLength(2);
    expect(ids('up')).toHaveLength(2);
    expect(viaWebhook('join')).toEqual(ids('join'));
    expect(viaWebhook('up')).toEqual(ids('up'));
    expect(hook.receiver.refused).toEqual([]);
    const listed = async () => (await onNs('get', `/api/applications/${nsApp}/webhooks`).expect(200)).body;
    // A delivery leaves the outbox once the server has read the receiver's answer: a moment after it came.
    await eventually(async () => (await listed())[0].pending === 0, 5000);
    const [webhook] = await listed();
    expect(webhook).toMatchObject({ headerNames: ['Authorization'], pending: 0, failures: 0 });
    expect(JSON.stringify(webhook)).not.toContain(hookAuthorization.slice('Bearer '.length));
  });

  it('neither server has an ASTK or an AppSKey in clear, in its database or its output (its own ones neither)', async () => {
    // Two ASTKs, two AppSKeys and the webhook's credential.
    expect(secrets).toHaveLength(5);
    await mqtt.endAsync();
    await gw.stop();
    expect(await ns.stop()).toBe(0);
    expect(await js.stop()).toBe(0);
    const found = [
      ...scanBytes(
        Buffer.from(messages.map((m) => JSON.stringify(m.json)).join('\n')),
        secrets,
        plaintexts,
        'MQTT messages',
      ),
      ...scanBytes(hook.bodies(), secrets, plaintexts, 'webhook bodies'),
      ...scanDataDir(nsDataDir, secrets, plaintexts, 'network server'),
      ...scanDataDir(jsDataDir, secrets, plaintexts, 'join server'),
      ...scanOutput(ns.output(), secrets, plaintexts, 'network server'),
      ...scanOutput(js.output(), secrets, plaintexts, 'join server'),
    ];
    expect(found).toEqual([]);
  });
});
