import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { LnsConfig } from '@lns/config';
import { ApplicationEvent, EventBus } from '@lns/event-bus';
import {
  AppSKeyKekResolver,
  BackendInterfacesPeers,
  BackendInterfacesService,
  JoinServerService,
  JsDeviceEntity,
  JsDeviceRepository,
} from '@lns/join-server';
import {
  computeRejoinRequestMic,
  decodePhyPayload,
  encodePhyPayload,
  getRegion,
  JoinRequestFrame,
  micInput,
  MType,
  RejoinRequestFrame,
  unwrapKey,
} from '@lns/lorawan';
import { VirtualDevice } from '@lns/simulator';
import {
  ApplicationEntity,
  DeviceEntity,
  DeviceProfileEntity,
  KeyCipher,
  MacVersion,
  MIGRATIONS,
} from '@lns/storage';
import { DownlinkScheduler, JoinAcceptDownlink } from '../../downlink/downlink-scheduler';
import { DeviceContext, DeviceRegistry } from '../../registry/device-registry';
import { RegistryService } from '../../registry/registry.service';
import { DeviceSession } from '../../session/device-session';
import { SessionStore } from '../../session/session-store';
import { ApplicationPublisher } from '../../uplink/application-publisher';
import { DeduplicatedUplink } from '../../uplink/deduplicated-uplink';
import { DevAddrAllocator } from '../dev-addr-allocator';
import { LocalJoinRequestHandler } from '../local-join-request-handler';
import { RejoinCounters } from '../rejoin-counters';
import { BackendInterfacesClient } from './backend-interfaces-client';
import { ExternalJoinServers } from './external-join-servers';
import { JoinServerEntity } from './join-server.entity';
import { JoinServerRegistry } from './join-server-registry';
import { JoinServerRepository } from './join-server.repository';

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const NWK_KEY = '000102030405060708090a0b0c0d0e0f';
const JOIN_EUI = '70b3d57ed0000001';
const NET_ID = '000013';
const TOKEN = 'peer-token-0123456789';
const KEK = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

class FakeSessions extends SessionStore {
  readonly map = new Map<string, DeviceSession>();
  byDevAddr(a: number) {
    return [...this.map.values()].filter((s) => s.devAddr === a);
  }
  byDevEui(e: string) {
    return this.map.get(e);
  }
  async activate(s: DeviceSession) {
    this.map.set(s.devEui, s);
  }
  async remove(e: string) {
    this.map.delete(e);
  }
  markDirty() {}
  async flushBeforePublish() {}
  devAddrInUse(a: number) {
    return this.byDevAddr(a).length > 0;
  }
  size() {
    return this.map.size;
  }
}

class FakeRegistry extends DeviceRegistry {
  readonly devices = new Map<string, DeviceContext>();
  get(devEui: string) {
    return this.devices.get(devEui);
  }
  getByJoin(joinEui: string, devEui: string) {
    const c = this.devices.get(devEui);
    return c && c.device.joinEui === joinEui ? c : undefined;
  }
  application(id: string) {
    return [...this.devices.values()].find((c) => c.application.id === id)?.application;
  }
  profile(id: string) {
    return [...this.devices.values()].find((c) => c.profile.id === id)?.profile;
  }
}

function context(
  devEui: string,
  macVersion: MacVersion,
  joinServer: string,
  endToEnd = false,
): DeviceContext {
  const profile = Object.assign(new DeviceProfileEntity(), {
    id: `profile-${macVersion}`,
    name: `EU868 ${macVersion}`,
    region: 'EU868',
    macVersion,
    regParamsRevision: null,
    supportsClassC: false,
    adrEnabled: true,
    rx1Delay: 1,
    rx1DrOffset: 0,
    rx2DataRate: null,
    rx2Frequency: null,
    subBand: null,
    createdAt: new Date(0),
  });
  const application = Object.assign(new ApplicationEntity(), {
    id: endToEnd ? 'app-e2e' : 'app-1',
    name: endToEnd ? 'tunnel' : 'plain',
    endToEnd,
    createdAt: new Date(0),
  });
  const device = Object.assign(new DeviceEntity(), {
    devEui,
    joinEui: JOIN_EUI,
    name: `dev-${devEui}`,
    description: '',
    applicationId: application.id,
    deviceProfileId: profile.id,
    activation: 'OTAA',
    joinServer,
    tags: {},
    createdAt: new Date(0),
  });
  return { device, profile, application, region: getRegion('EU868') };
}

let seq = 0;
function uplinkOf(phyPayload: Buffer, receivedAgoMs = 0): DeduplicatedUplink {
  seq++;
  const at = Date.now() - receivedAgoMs;
  return {
    deduplicationId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    phyPayload,
    copies: [],
    firstReceivedAt: at,
    windowDueAt: at + 50,
    windowClosedAt: at + 50,
  };
}

/** A join server behind real HTTP: the embedded join server and its Backend Interfaces service. */
interface FakeJs {
  url: string;
  js: JoinServerService;
  requests: Array<{ body: Record<string, unknown>; auth?: string }>;
  /** Replaces the service's answer (status, raw body). */
  override?: (body: Record<string, unknown>) => { status: number; body: string };
  delayMs: number;
  peers: LnsConfig['backendInterfaces']['peers'];
  hooks: Map<unknown, unknown>;
}

describe('external join server through the Backend Interfaces (HTTP, real JS service)', () => {
  let dsJs: DataSource;
  let dsNs: DataSource;
  let server: http.Server;
  let fake: FakeJs;
  let joinServers: JoinServerRegistry;
  let registry: FakeRegistry;
  let sessions: FakeSessions;
  let scheduled: JoinAcceptDownlink[];
  let events: ApplicationEvent[];
  let handler: LocalJoinRequestHandler;
  const config = { netId: NET_ID } as LnsConfig;

  const logs = () =>
    events
      .filter((e) => e.type === 'log')
      .map(
        (e) =>
          e.payload as { code: string; level: string; description: string; context: Record<string, string> },
      );

  function biService(): BackendInterfacesService {
    const jsConfig = {
      netId: '00003c',
      http: { port: 0, host: '', tls: { certFile: '', keyFile: '', caFile: '' } },
      backendInterfaces: { peers: fake.peers },
    } as LnsConfig;
    const moduleRef = {
      get: (t: unknown) => {
        if (!fake.hooks.has(t)) throw new Error('none');
        return fake.hooks.get(t);
      },
    } as unknown as ModuleRef;
    const repo = new JsDeviceRepository(dsJs.getRepository(JsDeviceEntity));
    return new BackendInterfacesService(
      fake.js,
      repo,
      new KeyCipher(randomBytes(32)),
      new BackendInterfacesPeers(jsConfig),
      jsConfig,
      moduleRef,
    );
  }

  async function register(over: Record<string, unknown> = {}): Promise<string> {
    return (
      await joinServers.create({ name: 'acme', url: fake.url, token: TOKEN, joinEuis: [JOIN_EUI], ...over })
    ).id;
  }

  async function device(
    devEui: string,
    macVersion: MacVersion,
    jsId: string,
    opts: { endToEnd?: boolean; keys?: boolean } = {},
  ) {
    registry.devices.set(devEui, context(devEui, macVersion, jsId, opts.endToEnd));
    if (opts.keys !== false) {
      await fake.js.upsertDeviceKeys({
        devEui,
        joinEui: JOIN_EUI,
        macVersion,
        appKey: APP_KEY,
        ...(macVersion === '1.1.0' ? { nwkKey: NWK_KEY } : {}),
      });
    }
    return new VirtualDevice({
      devEui,
      joinEui: JOIN_EUI,
      region: 'EU868',
      macVersion,
      seed: devEui,
      activation: { type: 'OTAA', appKey: APP_KEY, nwkKey: NWK_KEY },
    });
  }

  async function join(d: VirtualDevice, receivedAgoMs = 0, phy = d.joinRequest().phyPayload): Promise<void> {
    await handler.handleJoinRequest(uplinkOf(phy, receivedAgoMs), decodePhyPayload(phy) as JoinRequestFrame);
  }

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    dsJs = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [JsDeviceEntity],
      migrations: MIGRATIONS,
    });
    dsNs = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [JoinServerEntity],
      migrations: MIGRATIONS,
    });
    await Promise.all([dsJs.initialize(), dsNs.initialize()]);
    await Promise.all([dsJs.runMigrations(), dsNs.runMigrations()]);
    const js = new JoinServerService(
      new JsDeviceRepository(dsJs.getRepository(JsDeviceEntity)),
      new KeyCipher(randomBytes(32)),
    );
    await js.onModuleInit();
    fake = {
      url: '',
      js,
      requests: [],
      delayMs: 0,
      peers: [{ senderId: NET_ID, token: TOKEN }],
      hooks: new Map(),
    };
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(raw) as Record<string, unknown>;
        fake.requests.push({ body, auth: req.headers.authorization });
        setTimeout(() => {
          if (fake.override) {
            const o = fake.override(body);
            res.statusCode = o.status;
            res.end(o.body);
            return;
          }
          void biService()
            .handle(body, { authorization: req.headers.authorization, clientCertificateVerified: false })
            .then((ans) => {
              res.setHeader('content-type', 'application/json');
              res.end(JSON.stringify(ans));
            });
        }, fake.delayMs);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/backend-interfaces`;

    joinServers = new JoinServerRegistry(
      new JoinServerRepository(dsNs.getRepository(JoinServerEntity)),
      new KeyCipher(randomBytes(32)),
      { listDevices: () => [] } as unknown as RegistryService,
    );
    await joinServers.onModuleInit();
    registry = new FakeRegistry();
    sessions = new FakeSessions();
    scheduled = [];
    events = [];
    const bus = new EventBus();
    bus.on('application.event', (e) => void events.push(e));
    const scheduler: DownlinkScheduler = {
      scheduleJoinAccept: async (d) => {
        scheduled.push(d);
        return { sent: true, window: 'RX1', gatewayId: 'aa555a0000000001' };
      },
    };
    const external = new ExternalJoinServers(joinServers, new BackendInterfacesClient(joinServers, config));
    handler = new LocalJoinRequestHandler(
      registry,
      sessions,
      scheduler,
      new ApplicationPublisher(bus),
      bus,
      new DevAddrAllocator(config, sessions),
      new RejoinCounters(),
      config,
      undefined, // no local join server in this process: the device's joins must go out
      undefined,
      undefined,
      external,
    );
  });
  afterEach(async () => {
    joinServers.onModuleDestroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await Promise.all([dsJs.destroy(), dsNs.destroy()]);
  });

  it.each(['1.0.3', '1.0.4', '1.1.0'] as const)(
    '%s: JoinReq over HTTP, session from the JoinAns, join-accept scheduled, join event',
    async (macVersion) => {
      const id = await register();
      const d = await device('0004a30b001c0101', macVersion, id);
      await join(d);
      expect(logs()).toEqual([]);
      const session = sessions.byDevEui('0004a30b001c0101')!;
      expect(scheduled).toHaveLength(1);
      expect(d.handleJoinAccept(scheduled[0].phyPayload)).toBe(true);
      expect(d.state().devAddr).toBe(session.devAddr);
      const keys = d.sessionKeys()!;
      expect(session.fNwkSIntKey).toEqual(keys.fNwkSIntKey);
      expect(session.sNwkSIntKey).toEqual(keys.sNwkSIntKey);
      expect(session.nwkSEncKey).toEqual(keys.nwkSEncKey);
      expect(session.appSKey).toEqual(keys.appSKey);
      expect(session.sessionKeyId).toMatch(/^[0-9a-f]{32}$/);
      expect(events.filter((e) => e.type === 'join')).toHaveLength(1);
      const [{ body, auth }] = fake.requests;
      expect(auth).toBe(`Bearer ${TOKEN}`);
      expect(body).toMatchObject({
        ProtocolVersion: '1.0',
        SenderID: NET_ID,
        ReceiverID: JOIN_EUI,
        MessageType: 'JoinReq',
        MACVersion: macVersion,
        DevEUI: '0004a30b001c0101',
        DevAddr: session.devAddr.toString(16).padStart(8, '0'),
        DLSettings: macVersion === '1.1.0' ? '80' : '00',
        RxDelay: 1,
        CFList: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(body.TransactionID).toEqual(expect.any(Number));
    },
  );

  it('1.1 rejoin-request type 0 goes out as a RejoinReq; the RejoinAns makes the new session', async () => {
    const id = await register();
    const d = await device('0004a30b001c0110', '1.1.0', id);
    await join(d);
    const first = sessions.byDevEui('0004a30b001c0110')!;
    const phy = encodePhyPayload({
      mType: MType.RejoinRequest,
      rejoinType: 0,
      netId: 0x13,
      devEui: Buffer.from('0004a30b001c0110', 'hex'),
      rjCount0: 1,
      mic: Buffer.alloc(4),
    });
    computeRejoinRequestMic({ key: first.sNwkSIntKey, msg: micInput(phy) }).copy(phy, 15);
    await handler.handleRejoinRequest(uplinkOf(phy), decodePhyPayload(phy) as RejoinRequestFrame);
    expect(logs()).toEqual([]);
    expect(fake.requests.map((r) => r.body.MessageType)).toEqual(['JoinReq', 'RejoinReq']);
    const second = sessions.byDevEui('0004a30b001c0110')!;
    expect(second).not.toBe(first);
    expect(second.sessionKeyId).not.toBe(first.sessionKeyId);
    expect(scheduled).toHaveLength(2);
  });

  it('network keys wrapped under the KEK both sides hold; a KEK mismatch is a clear JOIN_SERVER log', async () => {
    fake.peers = [{ senderId: NET_ID, token: TOKEN, kekLabel: 'ns-000013', kek: KEK }];
    const id = await register({ kekLabel: 'ns-000013', kek: KEK });
    const d = await device('0004a30b001c0102', '1.1.0', id);
    await join(d);
    expect(logs()).toEqual([]);
    expect(d.handleJoinAccept(scheduled[0].phyPayload)).toBe(true);
    expect(sessions.byDevEui('0004a30b001c0102')!.nwkSEncKey).toEqual(d.sessionKeys()!.nwkSEncKey);

    const other = await joinServers.create({
      name: 'wrong kek',
      url: fake.url,
      token: TOKEN,
      kekLabel: 'ns-000013',
      kek: 'ab'.repeat(16),
    });
    const d2 = await device('0004a30b001c0103', '1.0.4', other.id);
    await join(d2);
    expect(logs()[0]).toMatchObject({
      code: 'JOIN_SERVER',
      level: 'ERROR',
      description: expect.stringMatching(/not used: NwkSKey: does not unwrap with KEK "ns-000013"/),
      context: { result: 'Answer', joinServer: other.id, devNonce: expect.any(String) },
    });
    expect(sessions.byDevEui('0004a30b001c0103')).toBeUndefined();
  });

  it('every refusal is a log event naming the ResultCode: UnknownDevEUI, MICFailed, JoinReqFailed, UnknownSender', async () => {
    const id = await register();
    await join(await device('0004a30b001c0104', '1.0.4', id, { keys: false }));
    const wrongKey = await device('0004a30b001c0105', '1.0.4', id);
    await join(
      new VirtualDevice({
        devEui: '0004a30b001c0105',
        joinEui: JOIN_EUI,
        region: 'EU868',
        macVersion: '1.0.4',
        seed: 5,
        activation: { type: 'OTAA', appKey: NWK_KEY },
      }),
    );
    const replayed = wrongKey.joinRequest().phyPayload;
    await join(wrongKey, 0, replayed);
    await join(wrongKey, 0, replayed);
    const bad = await joinServers.create({ name: 'bad token', url: fake.url, token: 'not-the-token-0123' });
    await join(await device('0004a30b001c0106', '1.0.4', bad.id));
    expect(
      logs().map((l) => [l.code, l.level, l.context.result, l.description.split(': ').slice(1, 2)[0]]),
    ).toEqual([
      ['OTAA', 'ERROR', 'UnknownDevEUI', 'UnknownDevEUI'],
      ['OTAA', 'ERROR', 'MICFailed', 'MICFailed'],
      ['OTAA', 'WARNING', 'JoinReqFailed', 'JoinReqFailed'],
      ['JOIN_SERVER', 'ERROR', 'UnknownSender', 'UnknownSender'],
    ]);
    expect(logs()[0].description).toBe(
      `join-request refused by join server "acme" (${id}): UnknownDevEUI: DevEUI 0004a30b001c0104 is not known to this join server`,
    );
    expect(scheduled).toHaveLength(1); // only the first of the replayed pair
  });

  it('transport failures: not registered, unreachable, too slow, no time left, unusable answers', async () => {
    const id = await register();
    const d = await device('0004a30b001c0107', '1.0.4', id);
    registry.devices.set('0004a30b001c0108', context('0004a30b001c0108', '1.0.4', 'no-such-js'));
    await join(
      new VirtualDevice({
        devEui: '0004a30b001c0108',
        joinEui: JOIN_EUI,
        region: 'EU868',
        macVersion: '1.0.4',
        seed: 8,
        activation: { type: 'OTAA', appKey: APP_KEY },
      }),
    );
    // JOIN_ACCEPT_DELAY2 (6 s) − 5.6 s leaves 150 ms: a join server answering in 1 s is too late.
    fake.delayMs = 1000;
    await join(d, 5600);
    fake.delayMs = 0;
    await join(d, 6000);
    fake.override = () => ({ status: 200, body: '' });
    await join(d);
    fake.override = (b) => ({
      status: 200,
      body: JSON.stringify({
        TransactionID: (b.TransactionID as number) + 1,
        Result: { ResultCode: 'Success' },
      }),
    });
    await join(d);
    fake.override = () => ({ status: 401, body: 'no' });
    await join(d);
    fake.override = () => ({ status: 200, body: '<html>' });
    await join(d);
    fake.override = undefined;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await join(d);
    server.listen(0); // afterEach closes it again
    const descriptions = logs().map((l) => [l.code, l.context.result, l.description]);
    expect(descriptions).toEqual([
      ['JOIN_SERVER', 'Transport', 'join server no-such-js is not registered (POST /api/join-servers)'],
      [
        'JOIN_SERVER',
        'Transport',
        expect.stringMatching(
          /^join-request to join server "acme" .* failed: TIMEOUT: no answer within 1[0-9]{2} ms$/,
        ),
      ],
      ['JOIN_SERVER', 'Transport', expect.stringMatching(/^no time left to ask join server "acme"/)],
      [
        'JOIN_SERVER',
        'Transport',
        expect.stringMatching(/BAD_RESPONSE: empty answer: the join server is in asynchronous mode/),
      ],
      [
        'JOIN_SERVER',
        'Transport',
        expect.stringMatching(/BAD_RESPONSE: the answer's TransactionID \d+ is not the request's \d+$/),
      ],
      ['JOIN_SERVER', 'Transport', expect.stringMatching(/HTTP_STATUS: HTTP 401 \(credentials refused/)],
      ['JOIN_SERVER', 'Transport', expect.stringMatching(/BAD_RESPONSE: the answer is not JSON$/)],
      ['JOIN_SERVER', 'Transport', expect.stringMatching(/failed: UNREACHABLE: ECONNREFUSED/)],
    ]);
    expect(scheduled).toEqual([]);
    expect(sessions.map.size).toBe(0);
  });

  it('end-to-end application: the AppSKey stays wrapped for the application server; the network never holds it', async () => {
    const astk = randomBytes(16);
    fake.hooks.set(AppSKeyKekResolver, {
      appSKeyKekFor: () => ({ kind: 'wrap', wrapping: { kekLabel: 'astk-7', kek: astk } }),
    });
    const id = await register();
    const d = await device('0004a30b001c0109', '1.0.4', id, { endToEnd: true });
    await join(d);
    expect(logs()).toEqual([]);
    const session = sessions.byDevEui('0004a30b001c0109')!;
    expect(session.appSKey).toBeUndefined();
    expect(session.appSKeyEnvelope?.kekLabel).toBe('astk-7');
    expect(d.handleJoinAccept(scheduled[0].phyPayload)).toBe(true);
    expect(unwrapKey({ kek: astk, wrapped: Buffer.from(session.appSKeyEnvelope!.aesKey, 'base64') })).toEqual(
      d.sessionKeys()!.appSKey,
    );
    const joinEvent = events.find((e) => e.type === 'join')!.payload as {
      joinServerContext?: { sessionKeyId: string };
    };
    expect(joinEvent.joinServerContext?.sessionKeyId).toBe(session.sessionKeyId);

    // The same device on a join server that sends the AppSKey in clear: refused, nothing activated.
    fake.hooks.clear();
    sessions.map.clear();
    await join(d);
    expect(logs()[0].description).toMatch(/AppSKey of an end-to-end application came in clear/);
    expect(sessions.map.size).toBe(0);
  });
});
