import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, MqttClient } from 'mqtt';
import request from 'supertest';
import {
  parseJoinEvent,
  parseUpEvent,
  TunnelApplication,
  TunnelUplink,
  unwrapTransportKey,
} from '@lns/as-client';
import { VirtualDevice, VirtualGateway } from '@lns/simulator';
import {
  filesUnder,
  leaks,
  Radio,
  scanBytes,
  scanDataDir,
  scanOutput,
  Secret,
  WebhookAs,
} from './end-to-end-security.helpers';
import { LnsProcess, startLnsProcess } from './support/lns-process';
import { eventually } from './support/udp-probe';

// Joins wait for JOIN_ACCEPT_DELAY1 in concentrator time; one server start on 2 cores.
jest.setTimeout(120_000);

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const NWK_KEY = '000102030405060708090a0b0c0d0e0f';
const JOIN_EUI = '70b3d57ed00000e2';

type Json = Record<string, unknown>;
type MacVersion = '1.0.3' | '1.0.4' | '1.1.0';

/**
 * The end-to-end (tunnel) application against the built server process, as an application server that
 * trusts nobody would use it: the AS generates its RSA key pair, receives the ASTK encrypted under it, and
 * decrypts uplinks and encrypts downlinks with libs/as-client over MQTT and REST. It takes the same events
 * by webhook too (with a credential of its own), and decrypts those with a tunnel of its own. Afterwards the
 * database files, everything the server printed, and the MQTT and webhook traffic are searched for the
 * ASTKs, the AppSKeys and the webhook's credential in clear.
 */
describe('end-to-end application: the AS alone holds the ASTK and the AppSKeys', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lns-e2e-security-'));
  const asKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKey = asKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const tunnel = new TunnelApplication({ privateKey: asKeys.privateKey });
  /** The webhook's credential: stored sealed by the server, so never to be found in clear either. */
  const hookAuthorization = `Bearer ${randomBytes(24).toString('base64url')}`;
  const secrets: Secret[] = [{ what: 'webhook Authorization', bytes: Buffer.from(hookAuthorization) }];
  /** Payloads only the device and the AS ever see in clear. */
  const plaintexts: string[] = [];
  const messages: Array<{ topic: string; json: Json }> = [];
  const profiles: Partial<Record<MacVersion, string>> = {};
  const devices = new Map<string, VirtualDevice>();
  let lns: LnsProcess;
  let adminToken: string;
  let appId: string;
  let plainAppId: string;
  let mqtt: MqttClient;
  let gw: VirtualGateway;
  let radio: Radio;
  let firstKey: { kekLabel: string; wrappedKey: string };
  let hook: WebhookAs;

  const api = () => request(`http://127.0.0.1:${lns.ports.http}`);
  const post = (path: string) => api().post(path).set('Authorization', `Bearer ${adminToken}`);
  const get = (path: string) => api().get(path).set('Authorization', `Bearer ${adminToken}`);
  const del = (path: string) => api().delete(path).set('Authorization', `Bearer ${adminToken}`);
  const events = (type: string, devEui: string) =>
    messages
      .filter((m) => m.topic === `application/${appId}/device/${devEui}/event/${type}`)
      .map((m) => m.json);
  async function nextEvent(type: string, devEui: string, after: number, timeoutMs = 8000): Promise<Json> {
    await eventually(() => events(type, devEui).length > after, timeoutMs);
    return events(type, devEui)[after];
  }

  /** A transport key the AS keeps, on its MQTT side and on its webhook side. */
  function addTransportKey(answer: { kekLabel: string; wrappedKey: string }): void {
    tunnel.addTransportKey(answer);
    hook.tunnel.addTransportKey(answer);
  }

  /** A join event from MQTT handled, and its webhook copy: the same event, the same session on both sides. */
  async function handleJoin(event: Json): Promise<void> {
    const session = tunnel.handleJoin(parseJoinEvent(event));
    expect(await hook.copyOf('join', event)).toEqual(event);
    expect(hook.joins.get(String(event.deduplicationId))).toEqual(session);
  }

  /** An up event from MQTT decrypted, and its webhook copy: the same event, decrypted alike on both sides. */
  async function decryptUp(event: Json): Promise<TunnelUplink> {
    const clear = tunnel.decryptUp(parseUpEvent(event));
    expect(await hook.copyOf('up', event)).toEqual(event);
    expect(hook.uplinks.get(String(event.deduplicationId))).toEqual(clear);
    return clear;
  }

  async function createOtaaDevice(devEui: string, macVersion: MacVersion): Promise<VirtualDevice> {
    await post('/api/devices')
      .send({
        devEui,
        joinEui: JOIN_EUI,
        name: `e2e-${macVersion}`,
        applicationId: appId,
        deviceProfileId: profiles[macVersion],
        activation: 'OTAA',
        joinServer: 'local',
        appKey: APP_KEY,
        ...(macVersion === '1.1.0' ? { nwkKey: NWK_KEY } : {}),
      })
      .expect(201);
    const device = new VirtualDevice({
      devEui,
      joinEui: JOIN_EUI,
      region: 'EU868',
      macVersion,
      seed: devEui,
      activation: { type: 'OTAA', appKey: APP_KEY, ...(macVersion === '1.1.0' ? { nwkKey: NWK_KEY } : {}) },
    });
    devices.set(devEui, device);
    return device;
  }

  /** Join-request over UDP; true once the device accepted its join-accept (its AppSKey is then a secret). */
  async function joinNetwork(device: VirtualDevice, timeoutMs = 10_000): Promise<boolean> {
    const accepted = await radio.join(device, timeoutMs);
    const keys = device.sessionKeys();
    if (accepted && keys)
      secrets.push({ what: `AppSKey of ${device.devEui.toString('hex')}`, bytes: keys.appSKey });
    return accepted;
  }

  function uplink(device: VirtualDevice, fPort: number, text: string) {
    plaintexts.push(text);
    return radio.uplink(device, fPort, text);
  }

  beforeAll(async () => {
    hook = await WebhookAs.start(asKeys.privateKey, hookAuthorization);
    // Debug level: the more the server says, the more a leak would show.
    lns = await startLnsProcess(
      {
        LNS_DATA_DIR: dataDir,
        LNS_DEDUP_WINDOW_MS: '50',
        LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
        LNS_LOG_LEVEL: 'debug',
      },
      ['http', 'udp', 'mqtt'],
    );
    adminToken = lns.adminToken()!;
    for (const macVersion of ['1.0.3', '1.0.4', '1.1.0'] as const) {
      profiles[macVersion] = (
        await post('/api/device-profiles')
          .send({ name: `eu-${macVersion}`, region: 'EU868', macVersion })
          .expect(201)
      ).body.id;
    }
    appId = (await post('/api/applications').send({ name: 'meters', endToEnd: true }).expect(201)).body.id;
    plainAppId = (await post('/api/applications').send({ name: 'plain' }).expect(201)).body.id;
    const appToken = (await post(`/api/applications/${appId}/tokens`).send({ name: 'as' }).expect(201)).body
      .token;
    mqtt = await connectAsync(`mqtt://127.0.0.1:${lns.ports.mqtt}`, {
      username: 'as',
      password: appToken,
      reconnectPeriod: 0,
    });
    mqtt.on('message', (topic, payload) => messages.push({ topic, json: JSON.parse(payload.toString()) }));
    await mqtt.subscribeAsync(`application/${appId}/device/+/event/+`, { qos: 1 });
    gw = new VirtualGateway({ gatewayId: 'ee2e5a0000000001', port: lns.ports.udp!, keepaliveMs: 1000 });
    await gw.start();
    radio = new Radio(gw);
  });

  afterAll(async () => {
    await mqtt?.endAsync();
    await gw?.stop();
    await lns?.stop();
    await hook?.receiver.close();
  });

  it('refuses transport keys for keys that are not RSA ≥ 2048 bits, and for plain or unknown applications', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    for (const [pem, reason] of [
      [small, 'RSA key of 1024 bits: at least 2048 needed'],
      [ec, 'must be an RSA key (rsaEncryption), not ec'],
      [
        '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
        'is not a PEM public key (-----BEGIN PUBLIC KEY-----)',
      ],
      [
        asKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }),
        expect.stringContaining('is a PRIVATE key'),
      ],
    ] as const) {
      const res = await post(`/api/applications/${appId}/transport-keys`)
        .send({ publicKey: pem })
        .expect(400);
      expect(res.body.fields).toEqual([{ field: 'publicKey', reason }]);
    }
    const missing = await post(`/api/applications/${appId}/transport-keys`).send({}).expect(400);
    expect(missing.body.fields.map((f: { field: string }) => f.field)).toContain('publicKey');
    const plain = await post(`/api/applications/${plainAppId}/transport-keys`)
      .send({ publicKey })
      .expect(400);
    expect(plain.body.fields).toEqual([
      { field: 'id', reason: 'the application is not end-to-end (endToEnd: false)' },
    ]);
    const unknown = await post('/api/applications/5f0c1f62-0000-4c36-9d0e-0f1c2a3b4c5d/transport-keys')
      .send({ publicKey })
      .expect(404);
    expect(unknown.body.fields).toEqual([{ field: 'id', reason: 'no such application' }]);
    await api().post(`/api/applications/${appId}/transport-keys`).send({ publicKey }).expect(401);
  });

  it('hands out an ASTK that only the AS private key opens, listed as current without key material', async () => {
    const res = await post(`/api/applications/${appId}/transport-keys`).send({ publicKey }).expect(201);
    expect(res.body).toMatchObject({ kekLabel: expect.stringMatching(/^astk-[0-9a-f]{16}$/), current: true });
    firstKey = { kekLabel: res.body.kekLabel, wrappedKey: res.body.wrappedKey };
    const astk = unwrapTransportKey({ privateKey: asKeys.privateKey, wrappedKey: firstKey.wrappedKey });
    expect(astk).toHaveLength(16);
    secrets.push({ what: 'ASTK 1', bytes: astk });
    addTransportKey(firstKey);
    const list = await get(`/api/applications/${appId}/transport-keys`).expect(200);
    expect(list.body).toEqual([
      {
        kekLabel: firstKey.kekLabel,
        applicationId: appId,
        publicKeySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        createdAt: expect.any(String),
        current: true,
      },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(firstKey.wrappedKey);
  });

  it('registers the AS webhook with its credential, listed by header name only; the receiver wants the credential', async () => {
    const res = await post(`/api/applications/${appId}/webhooks`)
      .send({
        url: hook.receiver.url(),
        headers: { Authorization: hookAuthorization },
        events: ['up', 'join', 'log'],
      })
      .expect(201);
    expect(res.body).toMatchObject({ url: hook.receiver.url(), headerNames: ['Authorization'] });
    const list = await get(`/api/applications/${appId}/webhooks`).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(hookAuthorization.slice('Bearer '.length));
    // The receiver checks the credential: without it, or with another, nothing gets in.
    const receiver = request(new URL(hook.receiver.url()).origin);
    await receiver.post('/as/events?source=lns&event=up').set('X-LNS-Event', 'up').send({}).expect(401);
    await receiver
      .post('/as/events?source=lns&event=up')
      .set('X-LNS-Event', 'up')
      .set('Authorization', `${hookAuthorization}x`)
      .send({})
      .expect(401);
    expect(hook.receiver.refused.splice(0)).toEqual([
      { status: 401, reason: 'Authorization: missing or wrong' },
      { status: 401, reason: 'Authorization: missing or wrong' },
    ]);
  });

  it('refuses an ABP device that would give the network the AppSKey', async () => {
    const res = await post('/api/devices')
      .send({
        devEui: '0e2e0000000000ab',
        name: 'abp',
        applicationId: appId,
        deviceProfileId: profiles['1.0.3'],
        activation: 'ABP',
        abp: {
          devAddr: '26011e2e',
          nwkSKey: '44024241ed4ce9a68c6a8bc055233fd3',
          appSKey: 'ec925802ae430ca77fd3dd73cb2cc588',
        },
      })
      .expect(400);
    expect(res.body.fields).toEqual([
      {
        field: 'abp.appSKey',
        reason:
          'refused: in an end-to-end application only the application server holds the AppSKey, never the network server',
      },
    ]);
  });

  it.each([
    ['1.1.0', '0e2e000000000110'],
    ['1.0.3', '0e2e000000000103'],
  ] as const)(
    '%s: the join wraps the AppSKey under the ASTK; uplinks reach the AS still encrypted and it decrypts them',
    async (macVersion, devEui) => {
      const device = await createOtaaDevice(devEui, macVersion);
      expect(await joinNetwork(device)).toBe(true);
      const joinEvent = await nextEvent('join', devEui, 0);
      expect(joinEvent).toMatchObject({
        devAddr: device.state().devAddr!.toString(16).padStart(8, '0'),
        joinServerContext: {
          sessionKeyId: expect.stringMatching(/^[0-9a-f]+$/),
          appSKey: { kekLabel: firstKey.kekLabel, aesKey: expect.any(String) },
        },
      });
      await handleJoin(joinEvent);

      for (let i = 0; i < 2; i++) {
        const text = `meter ${macVersion} reading ${i}: 004217 kWh`;
        await uplink(device, 7, text);
        const up = await nextEvent('up', devEui, i);
        // The network passed the FRMPayload on as the device sent it.
        expect(up.data).not.toBe(Buffer.from(text).toString('base64'));
        expect(up.joinServerContext).toEqual(joinEvent.joinServerContext);
        const clear = await decryptUp(up);
        expect(clear).toMatchObject({ devEui, fCnt: i, fPort: 7 });
        expect(clear.payload?.toString()).toBe(text);
      }
    },
  );

  it.each([
    ['1.1.0', '0e2e000000000110', 'AFCntDown'],
    ['1.0.3', '0e2e000000000103', 'FCntDown'],
  ] as const)(
    '%s: the AS encrypts a downlink with nextAFCntDown, the device decrypts it; a stale fCntDown is refused',
    async (_macVersion, devEui, counter) => {
      const device = devices.get(devEui)!;
      const state = (await get(`/api/devices/${devEui}/state`).expect(200)).body;
      const fCntDown = state.nextAFCntDown as number;
      expect(Number.isInteger(fCntDown)).toBe(true);
      const text = `valve ${devEui}: close`;
      plaintexts.push(text);
      const body = tunnel.encryptDownlink({ devEui, fPort: 42, payload: Buffer.from(text), fCntDown });
      // The webhook side, fed by its own events only, has the same session for the device.
      expect(
        hook.tunnel.encryptDownlink({ devEui, fPort: 42, payload: Buffer.from(text), fCntDown }),
      ).toEqual(body);
      const queued = await post(`/api/devices/${devEui}/queue`).send(body).expect(201);
      expect(queued.body).toEqual({ id: expect.any(String), fCntDown });

      // The same counter again (or one below): the network refuses it, naming the field.
      const stale = await post(`/api/devices/${devEui}/queue`).send(body).expect(400);
      expect(stale.body.fields).toEqual([
        {
          field: 'fCntDown',
          reason: `${fCntDown} is already used: the next downlink counter is ${fCntDown + 1}`,
        },
      ]);
      // Plain data cannot be queued for an end-to-end application: the network has no AppSKey.
      const plain = await post(`/api/devices/${devEui}/queue`)
        .send({ fPort: 42, data: Buffer.from('x').toString('base64') })
        .expect(400);
      expect(plain.body.fields[0].field).toBe('isEncrypted');
      expect((await get(`/api/devices/${devEui}/state`).expect(200)).body.nextAFCntDown).toBe(fCntDown + 1);

      const result = await uplink(device, 7, `poll ${devEui}`);
      expect(result).toMatchObject({ accepted: true, fPort: 42, fCnt: fCntDown });
      expect(result!.accepted && result!.counter).toBe(counter);
      expect(result!.accepted && result!.payload?.toString()).toBe(text);
      await nextEvent('txack', devEui, 0);
    },
  );

  it('rotation: new joins use the newest ASTK, older sessions keep theirs; with every key revoked joins are refused', async () => {
    const second = (await post(`/api/applications/${appId}/transport-keys`).send({ publicKey }).expect(201))
      .body;
    secrets.push({
      what: 'ASTK 2',
      bytes: unwrapTransportKey({ privateKey: asKeys.privateKey, wrappedKey: second.wrappedKey }),
    });
    addTransportKey(second);
    const listed = (await get(`/api/applications/${appId}/transport-keys`).expect(200)).body as Json[];
    expect(listed.map((k) => [k.kekLabel, k.current])).toEqual([
      [firstKey.kekLabel, false],
      [second.kekLabel, true],
    ]);

    const devEui = '0e2e000000000104';
    const device = await createOtaaDevice(devEui, '1.0.4');
    expect(await joinNetwork(device)).toBe(true);
    const joined = await nextEvent('join', devEui, 0);
    expect(joined).toMatchObject({ joinServerContext: { appSKey: { kekLabel: second.kekLabel } } });
    await handleJoin(joined);
    await uplink(device, 9, 'under the second key');
    expect((await decryptUp(await nextEvent('up', devEui, 0))).payload?.toString()).toBe(
      'under the second key',
    );
    // A device joined before the rotation keeps its session and its envelope under the first key.
    const older = '0e2e000000000110';
    const before = events('up', older).length;
    await uplink(devices.get(older)!, 7, 'still under the first key');
    const up = await nextEvent('up', older, before);
    expect(up).toMatchObject({ joinServerContext: { appSKey: { kekLabel: firstKey.kekLabel } } });
    expect((await decryptUp(up)).payload?.toString()).toBe('still under the first key');

    // Revoking the current key makes the newest other one current.
    await del(`/api/applications/${appId}/transport-keys/${second.kekLabel}`).expect(204);
    const afterRevoke = (await get(`/api/applications/${appId}/transport-keys`).expect(200)).body as Json[];
    expect(afterRevoke.map((k) => [k.kekLabel, k.current, typeof k.revokedAt])).toEqual([
      [firstKey.kekLabel, true, 'undefined'],
      [second.kekLabel, false, 'string'],
    ]);
    await del(`/api/applications/${appId}/transport-keys/astk-0000000000000000`).expect(404);

    // None left: the join is refused with a log event, and no join-accept goes out.
    await del(`/api/applications/${appId}/transport-keys/${firstKey.kekLabel}`).expect(204);
    const logsBefore = events('log', devEui).length;
    expect(await joinNetwork(device, 3_000)).toBe(false);
    expect(await nextEvent('log', devEui, logsBefore)).toMatchObject({
      level: 'ERROR',
      code: 'OTAA',
      description: expect.stringContaining('no AS transport key (ASTK)'),
    });

    // A new key lets the device in again, under the new label.
    const third = (await post(`/api/applications/${appId}/transport-keys`).send({ publicKey }).expect(201))
      .body;
    secrets.push({
      what: 'ASTK 3',
      bytes: unwrapTransportKey({ privateKey: asKeys.privateKey, wrappedKey: third.wrappedKey }),
    });
    addTransportKey(third);
    expect(await joinNetwork(device)).toBe(true);
    const rejoined = await nextEvent('join', devEui, 1);
    expect(rejoined).toMatchObject({ joinServerContext: { appSKey: { kekLabel: third.kekLabel } } });
    await handleJoin(rejoined);
    const ups = events('up', devEui).length;
    await uplink(device, 9, 'under the third key');
    expect((await decryptUp(await nextEvent('up', devEui, ups))).payload?.toString()).toBe(
      'under the third key',
    );
  });

  it('the webhook carried every join and up event MQTT did, each delivered, none refused', async () => {
    const ids = (type: string) => (json: Json) => `${type} ${String(json.deduplicationId)}`;
    const overMqtt = ['join', 'up'].flatMap((type) =>
      messages.filter((m) => m.topic.endsWith(`/event/${type}`)).map((m) => ids(type)(m.json)),
    );
    const overWebhook = ['join', 'up'].flatMap((type) => hook.receiver.events(type).map(ids(type)));
    // Four joins (one more was refused: no ASTK left) and nine uplinks of three devices.
    expect(overMqtt.filter((id) => id.startsWith('join'))).toHaveLength(4);
    expect(overMqtt.filter((id) => id.startsWith('up'))).toHaveLength(9);
    expect(overWebhook.sort()).toEqual(overMqtt.sort());
    // The join refused with every ASTK revoked came by webhook too, as a log event.
    expect(hook.receiver.events('log')).toContainEqual(
      expect.objectContaining({ code: 'OTAA', description: expect.stringContaining('no AS transport key') }),
    );
    expect(hook.receiver.refused).toEqual([]);
    await eventually(async () => {
      const [webhook] = (await get(`/api/applications/${appId}/webhooks`).expect(200)).body as Json[];
      return webhook.pending === 0 && webhook.failures === 0;
    }, 5000);
  });

  it('neither an ASTK nor an AppSKey, nor a payload, is in clear in the database or in what the server printed', async () => {
    // ASTK 1..3 and the AppSKeys of four sessions.
    expect(secrets.filter((s) => s.what.startsWith('ASTK'))).toHaveLength(3);
    expect(secrets.filter((s) => s.what.startsWith('AppSKey')).length).toBeGreaterThanOrEqual(4);
    expect(secrets.filter((s) => s.what.startsWith('webhook'))).toHaveLength(1);
    // The search itself finds a key in every form: raw, hex, and inside longer base64 at any alignment.
    const probe = secrets.find((s) => s.what.startsWith('ASTK'))!;
    for (const prefix of [Buffer.alloc(0), Buffer.from([1]), Buffer.from([1, 2])]) {
      const b64 = Buffer.concat([prefix, probe.bytes, Buffer.from([3])]).toString('base64');
      expect(leaks([probe], Buffer.from(`"data":"${b64}"`), 'probe')).not.toEqual([]);
    }
    expect(leaks([probe], Buffer.from(probe.bytes.toString('hex').toUpperCase()), 'probe')).not.toEqual([]);
    expect(leaks([probe], Buffer.concat([Buffer.alloc(3), probe.bytes]), 'probe')).not.toEqual([]);
    const found: string[] = [];
    // What reached the AS: encrypted data and wrapped keys only (the credential travels in a header).
    const mqttBytes = Buffer.from(messages.map((m) => JSON.stringify(m.json)).join('\n'));
    found.push(...scanBytes(mqttBytes, secrets, plaintexts, 'MQTT messages'));
    found.push(...scanBytes(hook.bodies(), secrets, plaintexts, 'webhook bodies'));
    // While running: the WAL holds the latest writes.
    expect(filesUnder(dataDir).some((f) => f.endsWith('.sqlite'))).toBe(true);
    expect(filesUnder(dataDir).some((f) => f.endsWith('-wal'))).toBe(true);
    found.push(...scanDataDir(dataDir, secrets, plaintexts, 'running'));
    await mqtt.endAsync();
    await gw.stop();
    expect(await lns.stop()).toBe(0);
    found.push(...scanDataDir(dataDir, secrets, plaintexts, 'stopped'));
    expect(lns.output().length).toBeGreaterThan(1000);
    found.push(...scanOutput(lns.output(), secrets, plaintexts, 'lns'));
    expect(found).toEqual([]);
  });
});
