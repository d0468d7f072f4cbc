import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EU868 } from '@lns/lorawan';
import {
  ApplicationEntity,
  DeviceEntity,
  DeviceProfileEntity,
  MIGRATIONS,
  REGISTRY_ENTITIES,
} from '@lns/storage';
import { DeviceSession } from '../session/device-session';
import { SessionStore } from '../session/session-store';
import { JoinServerDirectory } from './join-server-directory';
import {
  RegistryConflictError,
  RegistryError,
  RegistryNotFoundError,
  RegistryUnavailableError,
  RegistryValidationError,
} from './registry-errors';
import { CreateDevice } from './registry-inputs';
import { RegistryPeers } from './registry-peers';
import { RegistryRepository } from './registry.repository';
import { RegistryService } from './registry.service';
import { DeviceRootKeys, RootKeyStore } from './root-key-store';
/** An in-memory SQLite database with the checked-in migrations, as the server runs them. */
async function openTestDatabase(): Promise<DataSource> {
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: REGISTRY_ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    prepareDatabase: (db: { pragma(s: string): unknown }) => void db.pragma('foreign_keys = ON'),
  });
  await ds.initialize();
  return ds;
}

function testRepository(ds: DataSource): RegistryRepository {
  return new RegistryRepository(
    ds.getRepository(DeviceProfileEntity),
    ds.getRepository(ApplicationEntity),
    ds.getRepository(DeviceEntity),
  );
}

/** A SessionStore in a Map, recording calls. */
class MemorySessionStore extends SessionStore {
  readonly sessions = new Map<string, DeviceSession>();
  readonly calls: string[] = [];
  failActivate = false;

  byDevAddr(devAddr: number): readonly DeviceSession[] {
    return [...this.sessions.values()].filter((s) => s.devAddr === devAddr);
  }
  byDevEui(devEui: string): DeviceSession | undefined {
    return this.sessions.get(devEui);
  }
  async activate(session: DeviceSession): Promise<void> {
    this.calls.push(`activate ${session.devEui}`);
    if (this.failActivate) throw new Error('disk full');
    this.sessions.set(session.devEui, session);
  }
  async remove(devEui: string): Promise<void> {
    this.calls.push(`remove ${devEui}`);
    this.sessions.delete(devEui);
  }
  markDirty(): void {}
  async flushBeforePublish(): Promise<void> {}
  size(): number {
    return this.sessions.size;
  }
  devAddrInUse(devAddr: number): boolean {
    return this.byDevAddr(devAddr).length > 0;
  }
}

class MemoryRootKeyStore extends RootKeyStore {
  readonly records = new Map<string, DeviceRootKeys>();
  failUpsert = false;
  /** DevEUIs whose keys are a manufacturer's (what the embedded join server refuses). */
  readonly manufacturers = new Set<string>();

  override keysRefusal(devEui: string): string | undefined {
    return this.manufacturers.has(devEui) ? "is a manufacturer's device" : undefined;
  }

  async upsertDeviceKeys(keys: DeviceRootKeys): Promise<void> {
    if (this.failUpsert) throw new Error('join server down');
    this.records.set(keys.devEui, keys);
  }
  async removeDeviceKeys(devEui: string): Promise<void> {
    this.records.delete(devEui);
  }
}

class SetJoinServerDirectory extends JoinServerDirectory {
  constructor(private readonly ids: string[]) {
    super();
  }
  has(id: string): boolean {
    return this.ids.includes(id);
  }
}

interface TestPeers {
  sessions?: SessionStore;
  rootKeys?: RootKeyStore;
  joinServers?: JoinServerDirectory;
}

/** RegistryPeers answering from the given collaborators (any may be absent, as in a real deployment). */
function testPeers(p: TestPeers): RegistryPeers {
  return {
    sessions: () => p.sessions,
    rootKeys: () => p.rootKeys,
    joinServers: () => p.joinServers,
  } as unknown as RegistryPeers;
}

// ---------------------------------------------------------------------------------------------------

const APP_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const NWK_KEY = Buffer.from('101112131415161718191a1b1c1d1e1f', 'hex');
const NWK_S_KEY = Buffer.from('202122232425262728292a2b2c2d2e2f', 'hex');
const APP_S_KEY = Buffer.from('303132333435363738393a3b3c3d3e3f', 'hex');

async function setup(peers: TestPeers = {}) {
  const ds = await openTestDatabase();
  const repository = testRepository(ds);
  const sessions = new MemorySessionStore();
  const rootKeys = new MemoryRootKeyStore();
  const all = { sessions, rootKeys, ...peers };
  const service = new RegistryService(repository, testPeers(all));
  await service.onModuleInit();
  const profile = await service.createProfile({ name: 'p10', region: 'EU868', macVersion: '1.0.3' });
  const profile11 = await service.createProfile({ name: 'p11', region: 'EU868', macVersion: '1.1.0' });
  const app = await service.createApplication({ name: 'plain' });
  const e2eApp = await service.createApplication({ name: 'tunnel', endToEnd: true });
  const otaa = (over: Partial<CreateDevice> = {}): CreateDevice => ({
    devEui: '0102030405060708',
    joinEui: '70b3d57ed0000000',
    name: 'dev',
    applicationId: app.id,
    deviceProfileId: profile.id,
    activation: 'OTAA',
    appKey: APP_KEY,
    ...over,
  });
  const abp = (over: Partial<CreateDevice> = {}): CreateDevice => ({
    devEui: '0102030405060709',
    name: 'abp',
    applicationId: app.id,
    deviceProfileId: profile.id,
    activation: 'ABP',
    abp: { devAddr: 0x26011bda, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY, fCntUp: 10, fCntDown: 5 },
    ...over,
  });
  return {
    ds,
    repository,
    sessions,
    rootKeys,
    service,
    profile,
    profile11,
    app,
    e2eApp,
    otaa,
    abp,
    peers: all,
  };
}

async function rejection(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('RegistryService', () => {
  const open: DataSource[] = [];
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(async () => {
    for (const ds of open.splice(0)) await ds.destroy();
  });
  const track = async <T extends { ds: DataSource }>(s: Promise<T>) => {
    const r = await s;
    open.push(r.ds);
    return r;
  };

  describe('device profiles', () => {
    it('stores the defaults and lists profiles oldest first', async () => {
      const { service, profile } = await track(setup());
      expect(profile).toMatchObject({
        region: 'EU868',
        macVersion: '1.0.3',
        regParamsRevision: null,
        supportsClassC: false,
        adrEnabled: true,
        rx1Delay: 1,
        rx1DrOffset: 0,
        rx2DataRate: null,
        rx2Frequency: null,
        subBand: null,
      });
      expect(service.listProfiles().map((p) => p.name)).toEqual(['p10', 'p11']);
    });

    it('refuses values the region cannot tell the device, naming each field', async () => {
      const { service } = await track(setup());
      const err = await rejection(
        service.createProfile({
          name: 'x',
          region: 'EU868',
          macVersion: '1.0.3',
          rx1DrOffset: 6,
          rx2DataRate: 8,
          subBand: 2,
        }),
      );
      expect(err).toBeInstanceOf(RegistryValidationError);
      expect(err.fields.map((f) => f.field)).toEqual(['rx1DrOffset', 'rx2DataRate', 'subBand']);
    });

    it('refuses to delete a profile in use (409), then deletes it once unused', async () => {
      const { service, profile, otaa } = await track(setup());
      await service.createDevice(otaa());
      const err = await rejection(service.deleteProfile(profile.id));
      expect(err).toBeInstanceOf(RegistryConflictError);
      expect(err.fields[0]).toMatchObject({ field: 'id', reason: expect.stringMatching(/1 device/) });
      await service.deleteDevice('0102030405060708');
      await service.deleteProfile(profile.id);
      expect(service.profile(profile.id)).toBeUndefined();
      expect(await rejection(service.deleteProfile(profile.id))).toBeInstanceOf(RegistryNotFoundError);
    });
  });

  describe('applications', () => {
    it('creates plain and end-to-end applications', async () => {
      const { service, app, e2eApp } = await track(setup());
      expect(service.application(app.id)?.endToEnd).toBe(false);
      expect(service.application(e2eApp.id)?.endToEnd).toBe(true);
      expect(service.listApplications()).toHaveLength(2);
    });

    it('refuses to delete an application with devices (409), and 404 for an unknown one', async () => {
      const { service, app, otaa } = await track(setup());
      await service.createDevice(otaa());
      expect(await rejection(service.deleteApplication(app.id))).toBeInstanceOf(RegistryConflictError);
      await service.deleteDevice('0102030405060708');
      await service.deleteApplication(app.id);
      expect(service.application(app.id)).toBeUndefined();
      expect(await rejection(service.deleteApplication(app.id))).toBeInstanceOf(RegistryNotFoundError);
    });
  });

  describe('OTAA devices', () => {
    it('hands the root keys to the local join server and keeps none in the devices table', async () => {
      const { ds, service, rootKeys, otaa, profile, app } = await track(setup());
      const ctx = await service.createDevice(otaa({ devEui: '0102030405060708'.toUpperCase() }));
      expect(ctx).toMatchObject({ profile, application: app, region: EU868 });
      expect(ctx.device).toMatchObject({
        devEui: '0102030405060708',
        joinServer: 'local',
        activation: 'OTAA',
      });
      expect(rootKeys.records.get('0102030405060708')).toEqual({
        devEui: '0102030405060708',
        joinEui: '70b3d57ed0000000',
        macVersion: '1.0.3',
        appKey: APP_KEY,
      });
      const rows = await ds.query('SELECT * FROM devices');
      expect(JSON.stringify(rows)).not.toContain(APP_KEY.toString('hex'));
    });

    it('gives a 1.1 device both root keys', async () => {
      const { service, rootKeys, otaa, profile11 } = await track(setup());
      await service.createDevice(otaa({ deviceProfileId: profile11.id, nwkKey: NWK_KEY }));
      expect(rootKeys.records.get('0102030405060708')).toMatchObject({ appKey: APP_KEY, nwkKey: NWK_KEY });
    });

    it('sends nothing anywhere for a device on an external join server, and checks that server exists', async () => {
      const joinServers = new SetJoinServerDirectory(['js-1']);
      const { service, rootKeys, otaa } = await track(setup({ joinServers }));
      await service.createDevice(otaa({ joinServer: 'js-1', appKey: undefined }));
      expect(rootKeys.records.size).toBe(0);
      expect(service.get('0102030405060708')?.device.joinServer).toBe('js-1');
      const err = await rejection(
        service.createDevice(otaa({ devEui: '0102030405060799', joinServer: 'js-2', appKey: undefined })),
      );
      expect(err.fields).toEqual([{ field: 'joinServer', reason: 'no such join server' }]);
    });

    it('is found by JoinEUI and DevEUI, in any case, and not by another JoinEUI', async () => {
      const { service, otaa } = await track(setup());
      await service.createDevice(otaa());
      expect(service.getByJoin('70B3D57ED0000000', '0102030405060708')?.device.name).toBe('dev');
      expect(service.getByJoin('70b3d57ed0000001', '0102030405060708')).toBeUndefined();
      expect(service.get('0102030405060708'.toUpperCase())).toBeDefined();
    });

    it('answers 503 when no local join server runs in the process', async () => {
      const { service, otaa } = await track(setup({ rootKeys: undefined }));
      const err = await rejection(service.createDevice(otaa()));
      expect(err).toBeInstanceOf(RegistryUnavailableError);
      expect(err.fields[0].field).toBe('joinServer');
      expect(service.get('0102030405060708')).toBeUndefined();
    });

    it("refuses (409, devEui) keys for a manufacturer's device before anything is written", async () => {
      const { ds, service, rootKeys, otaa } = await track(setup());
      rootKeys.manufacturers.add('0102030405060708');
      const upsert = jest.spyOn(rootKeys, 'upsertDeviceKeys');
      const err = await rejection(service.createDevice(otaa({ devEui: '0102030405060708'.toUpperCase() })));
      expect(err).toBeInstanceOf(RegistryConflictError);
      expect(err.fields).toEqual([{ field: 'devEui', reason: "is a manufacturer's device" }]);
      expect(upsert).not.toHaveBeenCalled();
      expect(service.get('0102030405060708')).toBeUndefined();
      expect(await ds.query('SELECT * FROM devices')).toEqual([]);
      // Created from its QR code instead: no keys given here, nothing asked of the store.
      await service.createDevice(otaa({ appKey: undefined, keysOnJoinServer: true }));
      expect(upsert).not.toHaveBeenCalled();
    });

    it('leaves nothing behind when the join server refuses the keys', async () => {
      const { ds, service, rootKeys, otaa } = await track(setup());
      rootKeys.failUpsert = true;
      await expect(service.createDevice(otaa())).rejects.toThrow('join server down');
      expect(service.get('0102030405060708')).toBeUndefined();
      expect(await ds.query('SELECT * FROM devices')).toEqual([]);
    });
  });

  describe('ABP devices', () => {
    it('activates a 1.0.x session: NwkSKey for all three network keys, counters as given', async () => {
      const { service, sessions, abp, app, profile } = await track(setup());
      await service.createDevice(abp());
      const s = sessions.byDevEui('0102030405060709')!;
      expect(s).toMatchObject({
        devAddr: 0x26011bda,
        macVersion: '1.0.3',
        applicationId: app.id,
        deviceProfileId: profile.id,
        fNwkSIntKey: NWK_S_KEY,
        sNwkSIntKey: NWK_S_KEY,
        nwkSEncKey: NWK_S_KEY,
        appSKey: APP_S_KEY,
        fCntUp: 10,
        nFCntDown: 5,
      });
      // No join-accept: the device runs the region's boot settings (RP002-1.0.4 "Default Settings").
      expect(s.mac).toMatchObject({ rx1DrOffset: 0, rx2DataRate: 0, rx2Frequency: 869_525_000, rxDelay: 1 });
      expect(s.mac.enabledChannels).toEqual([0, 1, 2]);
      expect(service.get('0102030405060709')?.device.joinServer).toBeNull();
    });

    it('activates a 1.1 session with its three network keys and both downlink counters', async () => {
      const { service, sessions, abp, profile11 } = await track(setup());
      const k = (b: number) => Buffer.alloc(16, b);
      await service.createDevice(
        abp({
          deviceProfileId: profile11.id,
          abp: {
            devAddr: 0xfe000001,
            fNwkSIntKey: k(1),
            sNwkSIntKey: k(2),
            nwkSEncKey: k(3),
            appSKey: k(4),
            fCntDown: 3,
            aFCntDown: 7,
          },
        }),
      );
      expect(sessions.byDevEui('0102030405060709')).toMatchObject({
        devAddr: 0xfe000001,
        fNwkSIntKey: k(1),
        sNwkSIntKey: k(2),
        nwkSEncKey: k(3),
        appSKey: k(4),
        fCntUp: 0,
        nFCntDown: 3,
        aFCntDown: 7,
      });
    });

    it('keeps no AppSKey for an end-to-end application', async () => {
      const { service, sessions, abp, e2eApp } = await track(setup());
      await service.createDevice(abp({ applicationId: e2eApp.id, abp: { devAddr: 1, nwkSKey: NWK_S_KEY } }));
      const s = sessions.byDevEui('0102030405060709')!;
      expect(s.appSKey).toBeUndefined();
      expect(s.appSKeyEnvelope).toBeUndefined();
    });

    it('removes the row again when the session cannot be stored', async () => {
      const { ds, service, sessions, abp } = await track(setup());
      sessions.failActivate = true;
      await expect(service.createDevice(abp())).rejects.toThrow('disk full');
      expect(service.get('0102030405060709')).toBeUndefined();
      expect(await ds.query('SELECT * FROM devices')).toEqual([]);
    });

    it('answers 503 when no session store runs in the process', async () => {
      const { service, abp } = await track(setup({ sessions: undefined }));
      expect(await rejection(service.createDevice(abp()))).toBeInstanceOf(RegistryUnavailableError);
    });

    it('is never found for a join', async () => {
      const { service, abp } = await track(setup());
      await service.createDevice(abp({ joinEui: '70b3d57ed0000000' }));
      expect(service.getByJoin('70b3d57ed0000000', '0102030405060709')).toBeUndefined();
    });
  });

  describe('any device', () => {
    it('names an unknown application and profile', async () => {
      const { service, otaa } = await track(setup());
      const err = await rejection(
        service.createDevice(otaa({ applicationId: 'nope', deviceProfileId: 'nope' })),
      );
      expect(err).toBeInstanceOf(RegistryValidationError);
      expect(err.fields.map((f) => f.field)).toEqual(['applicationId', 'deviceProfileId']);
    });

    it('refuses a second device with the same DevEUI, even when both arrive at once', async () => {
      const { service, otaa } = await track(setup());
      const results = await Promise.allSettled([service.createDevice(otaa()), service.createDevice(otaa())]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failed.reason).toBeInstanceOf(RegistryConflictError);
      expect(failed.reason.fields[0].field).toBe('devEui');
    });

    it('lists devices, all or by application', async () => {
      const { service, otaa, abp, app, e2eApp } = await track(setup());
      await service.createDevice(otaa());
      await service.createDevice(abp({ applicationId: e2eApp.id, abp: { devAddr: 1, nwkSKey: NWK_S_KEY } }));
      expect(service.listDevices()!.map((c) => c.device.devEui)).toEqual([
        '0102030405060708',
        '0102030405060709',
      ]);
      expect(service.listDevices(app.id)!.map((c) => c.device.devEui)).toEqual(['0102030405060708']);
      expect(service.listDevices('unknown')).toBeUndefined();
    });

    it('deletes a device with its session and its join server record', async () => {
      const { ds, service, sessions, rootKeys, otaa, abp } = await track(setup());
      await service.createDevice(otaa());
      await service.createDevice(abp());
      await service.deleteDevice('0102030405060709');
      expect(sessions.byDevEui('0102030405060709')).toBeUndefined();
      await service.deleteDevice('0102030405060708'.toUpperCase());
      expect(rootKeys.records.size).toBe(0);
      expect(service.listDevices()).toEqual([]);
      expect(await ds.query('SELECT * FROM devices')).toEqual([]);
      expect(await rejection(service.deleteDevice('0102030405060708'))).toBeInstanceOf(RegistryNotFoundError);
    });

    it('puts the session back when the row cannot be deleted', async () => {
      const { repository, service, sessions, abp } = await track(setup());
      await service.createDevice(abp());
      jest.spyOn(repository, 'deleteDevice').mockRejectedValueOnce(new Error('locked'));
      await expect(service.deleteDevice('0102030405060709')).rejects.toThrow('locked');
      expect(sessions.byDevEui('0102030405060709')).toBeDefined();
      expect(service.get('0102030405060709')).toBeDefined();
    });

    it('loads everything back at start, with the region of each profile', async () => {
      const { ds, service, otaa, abp, peers, profile11 } = await track(setup());
      await service.createDevice(otaa({ tags: { floor: '2' } }));
      await service.createDevice(abp());
      const again = new RegistryService(testRepository(ds), testPeers(peers));
      await again.onModuleInit();
      expect(again.listProfiles().map((p) => p.id)).toEqual(service.listProfiles().map((p) => p.id));
      expect(again.profile(profile11.id)?.macVersion).toBe('1.1.0');
      expect(again.listApplications()).toHaveLength(2);
      const ctx = again.getByJoin('70b3d57ed0000000', '0102030405060708')!;
      expect(ctx.region).toBe(EU868);
      expect(ctx.device.tags).toEqual({ floor: '2' });
      expect(ctx.application.endToEnd).toBe(false);
      expect(again.get('0102030405060709')?.device.activation).toBe('ABP');
    });

    it('skips, without failing the start, a device whose profile names an unknown region', async () => {
      const { ds, service, otaa, profile } = await track(setup());
      await service.createDevice(otaa());
      await ds.query(`UPDATE device_profiles SET region = 'XX999' WHERE id = ?`, [profile.id]);
      const again = new RegistryService(testRepository(ds), testPeers({}));
      await again.onModuleInit();
      expect(again.get('0102030405060708')).toBeUndefined();
      expect(again.profile(profile.id)).toBeDefined();
    });
  });
});
