import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LnsConfig } from '@lns/config';
import { ApplicationEvent, EventBus } from '@lns/event-bus';
import { JoinServerService, JsDeviceEntity, JsDeviceRepository } from '@lns/join-server';
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
import { DownlinkScheduler, JoinAcceptDownlink } from '../downlink/downlink-scheduler';
import { DeviceContext, DeviceRegistry } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
import { SessionStore } from '../session/session-store';
import { ApplicationPublisher } from '../uplink/application-publisher';
import { DeduplicatedUplink } from '../uplink/deduplicated-uplink';
import { AppSKeyKekProvider } from './app-s-key-kek';
import { DevAddrAllocator } from './dev-addr-allocator';
import { LocalJoinRequestHandler } from './local-join-request-handler';
import { devAddrRange, inRange } from './net-id';
import { RejoinCounters } from './rejoin-counters';

const APP_KEY = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
const NWK_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const JOIN_EUI = '70b3d57ed0000001';
const NET_ID = '000013';

class FakeSessions extends SessionStore {
  readonly map = new Map<string, DeviceSession>();
  activateError?: Error;
  byDevAddr(a: number) {
    return [...this.map.values()].filter((s) => s.devAddr === a);
  }
  byDevEui(e: string) {
    return this.map.get(e);
  }
  async activate(s: DeviceSession) {
    if (this.activateError) throw this.activateError;
    this.map.set(s.devEui, s);
  }
  async remove(e: string) {
    this.map.delete(e);
  }
  markDirty() {}
  async flushBeforePublish() {}
  size() {
    return this.map.size;
  }
  devAddrInUse(a: number) {
    return this.byDevAddr(a).length > 0;
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

interface DeviceOpts {
  devEui: string;
  macVersion: MacVersion;
  endToEnd?: boolean;
  joinServer?: string | null;
  activation?: 'OTAA' | 'ABP';
  supportsClassC?: boolean;
}

function context(o: DeviceOpts): DeviceContext {
  const profile = Object.assign(new DeviceProfileEntity(), {
    id: `profile-${o.macVersion}`,
    name: `EU868 ${o.macVersion}`,
    region: 'EU868',
    macVersion: o.macVersion,
    regParamsRevision: null,
    supportsClassC: o.supportsClassC ?? false,
    adrEnabled: true,
    rx1Delay: 1,
    rx1DrOffset: 0,
    rx2DataRate: null,
    rx2Frequency: null,
    subBand: null,
    createdAt: new Date(0),
  });
  const application = Object.assign(new ApplicationEntity(), {
    id: o.endToEnd ? 'app-e2e' : 'app-1',
    name: o.endToEnd ? 'tunnel' : 'plain',
    endToEnd: o.endToEnd ?? false,
    createdAt: new Date(0),
  });
  const device = Object.assign(new DeviceEntity(), {
    devEui: o.devEui,
    joinEui: JOIN_EUI,
    name: `dev-${o.devEui}`,
    description: '',
    applicationId: application.id,
    deviceProfileId: profile.id,
    activation: o.activation ?? 'OTAA',
    joinServer: o.joinServer === undefined ? 'local' : o.joinServer,
    tags: { site: 'lab' },
    createdAt: new Date(0),
  });
  return { device, profile, application, region: getRegion('EU868') };
}

let uplinkSeq = 0;
function uplinkOf(phyPayload: Buffer): DeduplicatedUplink {
  uplinkSeq++;
  return {
    deduplicationId: `00000000-0000-4000-8000-${String(uplinkSeq).padStart(12, '0')}`,
    phyPayload,
    copies: [],
    firstReceivedAt: Date.UTC(2026, 10, 21, 10, 0, 0),
    windowDueAt: Date.UTC(2026, 10, 21, 10, 0, 0, 200),
    windowClosedAt: Date.UTC(2026, 10, 21, 10, 0, 0, 200),
  };
}

describe('LocalJoinRequestHandler', () => {
  let ds: DataSource;
  let js: JoinServerService;
  let sessions: FakeSessions;
  let registry: FakeRegistry;
  let scheduled: JoinAcceptDownlink[];
  let sendResult: { sent: boolean };
  let events: ApplicationEvent[];
  let handler: LocalJoinRequestHandler;
  let keks: AppSKeyKekProvider | undefined;
  const config = { netId: NET_ID } as LnsConfig;
  const kek = randomBytes(16);

  function build(opts: { withJoinServer?: boolean } = {}) {
    const bus = new EventBus();
    bus.on('application.event', (e) => void events.push(e));
    const scheduler: DownlinkScheduler = {
      scheduleJoinAccept: async (d) => {
        scheduled.push(d);
        return sendResult.sent
          ? { sent: true, window: 'RX1', gatewayId: 'aa555a0000000001' }
          : { sent: false };
      },
    };
    handler = new LocalJoinRequestHandler(
      registry,
      sessions,
      scheduler,
      new ApplicationPublisher(bus),
      bus,
      new DevAddrAllocator(config, sessions),
      new RejoinCounters(),
      config,
      opts.withJoinServer === false ? undefined : js,
      undefined,
      keks,
    );
  }

  async function provision(o: DeviceOpts & { keys?: boolean }): Promise<VirtualDevice> {
    registry.devices.set(o.devEui, context(o));
    if (o.keys !== false) {
      await js.upsertDeviceKeys({
        devEui: o.devEui,
        joinEui: JOIN_EUI,
        macVersion: o.macVersion,
        appKey: APP_KEY,
        ...(o.macVersion === '1.1.0' ? { nwkKey: NWK_KEY } : {}),
      });
    }
    return new VirtualDevice({
      devEui: o.devEui,
      joinEui: JOIN_EUI,
      region: 'EU868',
      macVersion: o.macVersion,
      activation: { type: 'OTAA', appKey: APP_KEY, nwkKey: NWK_KEY },
      seed: o.devEui,
    });
  }

  async function join(dev: VirtualDevice, phy = dev.joinRequest().phyPayload): Promise<void> {
    await handler.handleJoinRequest(uplinkOf(phy), decodePhyPayload(phy) as JoinRequestFrame);
  }

  const logs = () =>
    events
      .filter((e) => e.type === 'log')
      .map(
        (e) =>
          e.payload as { code: string; level: string; description: string; context: Record<string, string> },
      );
  const joins = () => events.filter((e) => e.type === 'join');

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [JsDeviceEntity],
      migrations: MIGRATIONS,
    });
    await ds.initialize();
    await ds.runMigrations();
    js = new JoinServerService(
      new JsDeviceRepository(ds.getRepository(JsDeviceEntity)),
      new KeyCipher(randomBytes(32)),
    );
    await js.onModuleInit();
    sessions = new FakeSessions();
    registry = new FakeRegistry();
    scheduled = [];
    sendResult = { sent: true };
    events = [];
    keks = undefined;
    build();
  });
  afterEach(async () => ds.destroy());

  it.each(['1.0.3', '1.0.4'] as const)(
    '%s: activates the session, schedules a join-accept the device accepts, emits join',
    async (macVersion) => {
      const dev = await provision({ devEui: '0004a30b001c0001', macVersion, supportsClassC: true });
      await join(dev);
      const session = sessions.byDevEui('0004a30b001c0001')!;
      expect(session).toMatchObject({
        macVersion,
        applicationId: 'app-1',
        fCntUp: 0,
        nFCntDown: 0,
        aFCntDown: 0,
      });
      expect(inRange(devAddrRange(0x13), session.devAddr)).toBe(true);
      expect(scheduled).toHaveLength(1);
      expect(scheduled[0].session).toBe(session);
      expect(dev.handleJoinAccept(scheduled[0].phyPayload)).toBe(true);
      expect(dev.state().devAddr).toBe(session.devAddr);
      const k = dev.sessionKeys()!;
      expect(session.fNwkSIntKey).toEqual(k.fNwkSIntKey);
      expect(session.sNwkSIntKey).toEqual(k.fNwkSIntKey);
      expect(session.nwkSEncKey).toEqual(k.fNwkSIntKey);
      expect(session.appSKey).toEqual(k.appSKey);
      // MAC state: the CFList's five channels, RX settings of the join-accept, 1.0 Class C at once.
      expect(session.mac).toMatchObject({
        enabledChannels: [0, 1, 2, 3, 4, 5, 6, 7],
        rx2DataRate: 0,
        rxDelay: 1,
        deviceClass: 'C',
      });
      expect(dev.state().enabledChannels.length).toBe(8);
      expect(joins()).toEqual([
        {
          type: 'join',
          applicationId: 'app-1',
          devEui: '0004a30b001c0001',
          payload: {
            deduplicationId: expect.any(String),
            time: '2026-11-21T10:00:00.000Z',
            deviceInfo: expect.objectContaining({
              devEui: '0004a30b001c0001',
              deviceName: 'dev-0004a30b001c0001',
              applicationName: 'plain',
            }),
            devAddr: session.devAddr.toString(16).padStart(8, '0'),
          },
        },
      ]);
      expect(logs()).toEqual([]);
    },
  );

  it('1.1: OptNeg join, the four session keys, Class A until DeviceModeInd', async () => {
    const dev = await provision({ devEui: '0004a30b001c0011', macVersion: '1.1.0', supportsClassC: true });
    await join(dev);
    const session = sessions.byDevEui('0004a30b001c0011')!;
    expect(dev.handleJoinAccept(scheduled[0].phyPayload)).toBe(true);
    expect(dev.state().lorawan11Session).toBe(true);
    const k = dev.sessionKeys()!;
    expect({
      f: session.fNwkSIntKey,
      s: session.sNwkSIntKey,
      n: session.nwkSEncKey,
      a: session.appSKey,
    }).toEqual({
      f: k.fNwkSIntKey,
      s: k.sNwkSIntKey,
      n: k.nwkSEncKey,
      a: k.appSKey,
    });
    expect(session.macVersion).toBe('1.1.0');
    expect(session.mac.deviceClass).toBe('A');
  });

  it('a replayed join-request gets no join-accept and a log event saying why', async () => {
    const dev = await provision({ devEui: '0004a30b001c0002', macVersion: '1.0.3' });
    const phy = dev.joinRequest().phyPayload;
    await join(dev, phy);
    await join(dev, phy);
    expect(scheduled).toHaveLength(1);
    expect(joins()).toHaveLength(1);
    expect(logs()).toEqual([
      {
        time: expect.any(String),
        deviceInfo: expect.objectContaining({ devEui: '0004a30b001c0002' }),
        level: 'WARNING',
        code: 'OTAA',
        description: expect.stringMatching(
          /^join-request refused by the join server: DevNonce already used: \d+$/,
        ),
        context: {
          result: 'JoinReqFailed',
          devNonce: String((decodePhyPayload(phy) as JoinRequestFrame).devNonce),
        },
      },
    ]);
  });

  it('1.0.4: a DevNonce not incremented is refused the same way', async () => {
    const dev = await provision({ devEui: '0004a30b001c0003', macVersion: '1.0.4' });
    const phy = dev.joinRequest().phyPayload;
    await join(dev, phy);
    await join(dev, phy);
    expect(logs()[0].description).toMatch(/DevNonce not incremented/);
    await join(dev); // the next counter value is fine
    expect(scheduled).toHaveLength(2);
  });

  it('MIC failure and a device unknown to the join server become log events', async () => {
    const dev = await provision({ devEui: '0004a30b001c0004', macVersion: '1.0.3' });
    await js.upsertDeviceKeys({
      devEui: '0004a30b001c0004',
      joinEui: JOIN_EUI,
      macVersion: '1.0.3',
      appKey: NWK_KEY,
    });
    await join(dev);
    const noKeys = await provision({ devEui: '0004a30b001c0005', macVersion: '1.0.3', keys: false });
    await join(noKeys);
    expect(logs().map((l) => [l.level, l.context.result, l.description])).toEqual([
      [
        'ERROR',
        'MICFailed',
        'join-request refused by the join server: join-request MIC does not verify with the AppKey',
      ],
      [
        'ERROR',
        'UnknownDevEUI',
        'join-request refused by the join server: DevEUI 0004a30b001c0005 is not known to this join server',
      ],
    ]);
    expect(sessions.size()).toBe(0);
    expect(scheduled).toEqual([]);
  });

  it('a device the registry does not know is dropped quietly; a wrong JoinEUI is logged', async () => {
    const stranger = new VirtualDevice({
      devEui: '0004a30b001c00ff',
      joinEui: JOIN_EUI,
      region: 'EU868',
      macVersion: '1.0.3',
      activation: { type: 'OTAA', appKey: APP_KEY },
      seed: 1,
    });
    await join(stranger);
    expect(events).toEqual([]);
    await provision({ devEui: '0004a30b001c0006', macVersion: '1.0.3' });
    const wrongJoinEui = new VirtualDevice({
      devEui: '0004a30b001c0006',
      joinEui: '0000000000000009',
      region: 'EU868',
      macVersion: '1.0.3',
      activation: { type: 'OTAA', appKey: APP_KEY },
      seed: 1,
    });
    await join(wrongJoinEui);
    expect(logs()[0]).toMatchObject({
      code: 'OTAA',
      description: "join-request with JoinEUI 0000000000000009, the device's is 70b3d57ed0000001",
    });
  });

  it('external join servers, ABP devices and a missing local join server are reported, not joined', async () => {
    const ext = await provision({ devEui: '0004a30b001c0007', macVersion: '1.0.3', joinServer: 'js-acme' });
    await join(ext);
    const abp = await provision({
      devEui: '0004a30b001c0008',
      macVersion: '1.0.3',
      activation: 'ABP',
      joinServer: null,
    });
    await join(abp);
    build({ withJoinServer: false });
    const local = await provision({ devEui: '0004a30b001c0009', macVersion: '1.0.3' });
    await join(local);
    expect(logs().map((l) => [l.code, l.description])).toEqual([
      ['JOIN_SERVER', 'no Backend Interfaces client runs in this process (join server js-acme)'],
      ['OTAA', 'join-request from an ABP device: ignored'],
      ['JOIN_SERVER', 'no local join server runs in this process'],
    ]);
    expect(scheduled).toEqual([]);
  });

  it('end-to-end application: refused without an ASTK; with one, the NS holds only the wrapped AppSKey', async () => {
    const dev = await provision({ devEui: '0004a30b001c000a', macVersion: '1.0.4', endToEnd: true });
    await join(dev);
    expect(logs()[0].description).toMatch(/no AS transport key/);
    expect(sessions.size()).toBe(0);

    keks = { kekFor: (id: string) => (id === 'app-e2e' ? { kekLabel: 'astk-1', kek } : undefined) };
    build();
    await join(dev);
    const session = sessions.byDevEui('0004a30b001c000a')!;
    expect(session.appSKey).toBeUndefined();
    expect(session.appSKeyEnvelope?.kekLabel).toBe('astk-1');
    expect(dev.handleJoinAccept(scheduled[0].phyPayload)).toBe(true);
    const unwrapped = unwrapKey({ kek, wrapped: Buffer.from(session.appSKeyEnvelope!.aesKey, 'base64') });
    expect(unwrapped).toEqual(dev.sessionKeys()!.appSKey);
    const joinEvent = joins()[0].payload as { joinServerContext?: unknown };
    expect(joinEvent.joinServerContext).toEqual({
      sessionKeyId: session.sessionKeyId,
      appSKey: session.appSKeyEnvelope,
    });
  });

  it('a join-accept no gateway could send: log event, no join event', async () => {
    sendResult = { sent: false };
    const dev = await provision({ devEui: '0004a30b001c000b', macVersion: '1.0.3' });
    await join(dev);
    expect(joins()).toEqual([]);
    expect(logs()[0]).toMatchObject({
      level: 'WARNING',
      description: 'join-accept not sent: no gateway could transmit it in RX1 or RX2',
    });
  });

  it('never throws: an internal failure becomes a log event', async () => {
    const dev = await provision({ devEui: '0004a30b001c000c', macVersion: '1.0.3' });
    sessions.activateError = new Error('disk gone');
    await expect(join(dev)).resolves.toBeUndefined();
    expect(logs()[0]).toMatchObject({ level: 'ERROR', description: 'join failed: internal error' });
  });

  it('gives each joining device its own DevAddr', async () => {
    const addrs = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const dev = await provision({
        devEui: `0004a30b001c01${i.toString(16).padStart(2, '0')}`,
        macVersion: '1.0.3',
      });
      await join(dev);
    }
    for (const s of sessions.map.values()) addrs.add(s.devAddr);
    expect(addrs.size).toBe(20);
  });

  describe('rejoin-requests (LoRaWAN 1.1 §6.2.4)', () => {
    const DEV = '0004a30b001c0021';

    async function joined(): Promise<{ dev: VirtualDevice; session: DeviceSession }> {
      const dev = await provision({ devEui: DEV, macVersion: '1.1.0' });
      await join(dev);
      expect(dev.handleJoinAccept(scheduled[0].phyPayload)).toBe(true);
      return { dev, session: sessions.byDevEui(DEV)! };
    }

    function rejoin02(type: 0 | 2, rjCount0: number, key: Buffer, netId = 0x13): Buffer {
      const phy = encodePhyPayload({
        mType: MType.RejoinRequest,
        rejoinType: type,
        netId,
        devEui: Buffer.from(DEV, 'hex'),
        rjCount0,
        mic: Buffer.alloc(4),
      });
      computeRejoinRequestMic({ key, msg: micInput(phy) }).copy(phy, 15);
      return phy;
    }

    async function send(phy: Buffer) {
      await handler.handleRejoinRequest(uplinkOf(phy), decodePhyPayload(phy) as RejoinRequestFrame);
    }

    it('type 0: verified with the session SNwkSIntKey, answered with a new session and fresh MAC state', async () => {
      const { session } = await joined();
      await send(rejoin02(0, 1, session.sNwkSIntKey));
      const next = sessions.byDevEui(DEV)!;
      expect(next).not.toBe(session);
      expect(next.devAddr).not.toBe(session.devAddr);
      expect(scheduled).toHaveLength(2);
      expect(joins()).toHaveLength(2);
      // The old frame no longer verifies: the session it was signed in is gone.
      await send(rejoin02(0, 1, session.sNwkSIntKey));
      expect(scheduled).toHaveLength(2);
      expect(logs().at(-1)?.description).toBe(
        "rejoin-request type 0: MIC does not verify with the session's SNwkSIntKey",
      );
    });

    it('type 2 keeps the radio parameters in force', async () => {
      const { session } = await joined();
      session.mac.rx1DrOffset = 2;
      session.mac.enabledChannels = [0, 1, 2, 5];
      await send(rejoin02(2, 1, session.sNwkSIntKey));
      const next = sessions.byDevEui(DEV)!;
      expect(next.mac).toMatchObject({ rx1DrOffset: 2, enabledChannels: [0, 1, 2, 5], pending: [] });
    });

    it('type 0/2: refuses another NetID, a missing session, an RJcount0 not incremented', async () => {
      const { session } = await joined();
      await send(rejoin02(0, 1, session.sNwkSIntKey, 0x000014));
      expect(logs().at(-1)?.description).toBe(
        "rejoin-request type 0 for NetID 000014, not this network's: ignored",
      );
      // An RJcount0 the session already saw (the join server refused the first: no new session).
      sessions.activateError = new Error('x');
      await send(rejoin02(0, 5, session.sNwkSIntKey));
      sessions.activateError = undefined;
      await send(rejoin02(0, 5, session.sNwkSIntKey));
      expect(logs().at(-1)?.description).toBe('rejoin-request type 0: RJcount0 5 not incremented (replay?)');
      await sessions.remove(DEV);
      await send(rejoin02(2, 6, session.sNwkSIntKey));
      expect(logs().at(-1)?.description).toBe('rejoin-request type 2 without an active session: ignored');
    });

    it('type 1 goes to the join server, which checks it (JSIntKey, RJcount1)', async () => {
      await joined();
      const phy = encodePhyPayload({
        mType: MType.RejoinRequest,
        rejoinType: 1,
        joinEui: Buffer.from(JOIN_EUI, 'hex'),
        devEui: Buffer.from(DEV, 'hex'),
        rjCount1: 0,
        mic: Buffer.alloc(4),
      });
      await send(phy); // MIC all zeros
      expect(logs().at(-1)).toMatchObject({
        level: 'ERROR',
        context: { result: 'MICFailed', rejoinType: '1', rjCount1: '0' },
      });
    });

    it('a 1.0 device rejoining is ignored with a log event', async () => {
      await provision({ devEui: DEV, macVersion: '1.0.4' });
      await send(rejoin02(0, 1, APP_KEY));
      expect(logs()[0].description).toBe('rejoin-request from a LoRaWAN 1.0.4 device: ignored (1.1 only)');
    });
  });
});
