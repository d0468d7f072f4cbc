import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { getRegion } from '@lns/lorawan';
import { ApplicationEntity, DeviceEntity, DeviceProfileEntity } from '@lns/storage';
import { DeviceSession } from '../session/device-session';
import { DefaultMacLayer } from '../mac';
import { buildAbpSession, MacStateBuilder } from './abp-session';
import { DeviceContext, DeviceRegistry } from './device-registry';
import { checkDevice } from './device-rules';
import { checkDeviceProfile } from './profile-rules';
import {
  invalid,
  RegistryConflictError,
  RegistryFieldError,
  RegistryNotFoundError,
  RegistryUnavailableError,
  RegistryValidationError,
} from './registry-errors';
import { CreateApplication, CreateDevice, CreateDeviceProfile, LOCAL_JOIN_SERVER } from './registry-inputs';
import { RegistryPeers } from './registry-peers';
import { RegistryRepository } from './registry.repository';
import { DeviceRootKeys } from './root-key-store';

interface Reference {
  applicationId: string;
  deviceProfileId: string;
}

/**
 * Device profiles, applications and devices: every row is loaded at start and kept in memory,
 * so the uplink and join paths never read the database. Writes (the REST API) go to the
 * database first, awaited, then to the cache. Root keys go to the local join server
 * (RootKeyStore) and ABP sessions to the SessionStore; neither is kept here.
 */
@Injectable()
export class RegistryService extends DeviceRegistry implements OnModuleInit {
  private readonly logger = new Logger('Registry');
  private readonly profiles = new Map<string, DeviceProfileEntity>();
  private readonly applications = new Map<string, ApplicationEntity>();
  private readonly devices = new Map<string, DeviceContext>();
  /** Devices being created: their DevEUI is taken and they count as users of their profile and application. */
  private readonly creating = new Map<string, Reference>();
  /** Profiles and applications being deleted: no new device may refer to them. */
  private readonly deleting = new Set<string>();
  /** Builds an ABP device's first MAC state (`initialState` is pure: no settings of the layer matter). */
  private readonly macLayer: MacStateBuilder = new DefaultMacLayer();

  constructor(
    private readonly repository: RegistryRepository,
    private readonly peers: RegistryPeers,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    const rows = await this.repository.loadAll();
    for (const p of rows.profiles) this.profiles.set(p.id, p);
    for (const a of rows.applications) this.applications.set(a.id, a);
    for (const d of rows.devices) {
      const ctx = this.contextOf(d);
      if (ctx) this.devices.set(d.devEui, ctx);
    }
    this.logger.log(
      `${this.profiles.size} device profiles, ${this.applications.size} applications, ${this.devices.size} devices loaded`,
    );
  }

  // --- DeviceRegistry: memory only, for the uplink and join paths ---

  get(devEui: string): DeviceContext | undefined {
    return this.devices.get(devEui.toLowerCase());
  }

  /** An OTAA device whose JoinEUI is `joinEui` (an ABP device never joins). */
  getByJoin(joinEui: string, devEui: string): DeviceContext | undefined {
    const ctx = this.devices.get(devEui.toLowerCase());
    return ctx && ctx.device.activation === 'OTAA' && ctx.device.joinEui === joinEui.toLowerCase()
      ? ctx
      : undefined;
  }

  application(id: string): ApplicationEntity | undefined {
    return this.applications.get(id);
  }

  profile(id: string): DeviceProfileEntity | undefined {
    return this.profiles.get(id);
  }

  // --- Lists, for the API ---

  listProfiles(): DeviceProfileEntity[] {
    return [...this.profiles.values()].sort(byCreation);
  }

  listApplications(): ApplicationEntity[] {
    return [...this.applications.values()].sort(byCreation);
  }

  /** Every device, or an application's; undefined when that application does not exist. */
  listDevices(applicationId?: string): DeviceContext[] | undefined {
    if (applicationId !== undefined && !this.applications.has(applicationId)) return undefined;
    return [...this.devices.values()]
      .filter((c) => applicationId === undefined || c.device.applicationId === applicationId)
      .sort((a, b) => byCreation(a.device, b.device) || a.device.devEui.localeCompare(b.device.devEui));
  }

  /** The device's session, if it is activated (never leaves the process: it holds keys). */
  session(devEui: string): DeviceSession | undefined {
    return this.peers.sessions()?.byDevEui(devEui.toLowerCase());
  }

  // --- Device profiles ---

  async createProfile(input: CreateDeviceProfile): Promise<DeviceProfileEntity> {
    const errors = checkDeviceProfile(input);
    if (errors.length > 0) throw new RegistryValidationError(errors);
    const row = new DeviceProfileEntity();
    row.id = randomUUID();
    row.name = input.name;
    row.region = input.region;
    row.macVersion = input.macVersion;
    row.regParamsRevision = input.regParamsRevision ?? null;
    row.supportsClassC = input.supportsClassC ?? false;
    row.adrEnabled = input.adrEnabled ?? true;
    row.rx1Delay = input.rx1Delay ?? 1;
    row.rx1DrOffset = input.rx1DrOffset ?? 0;
    row.rx2DataRate = input.rx2DataRate ?? null;
    row.rx2Frequency = input.rx2Frequency ?? null;
    row.subBand = input.subBand ?? null;
    row.createdAt = new Date();
    await this.repository.insertProfile(row);
    this.profiles.set(row.id, row);
    return row;
  }

  async deleteProfile(id: string): Promise<void> {
    if (!this.profiles.has(id))
      throw new RegistryNotFoundError([{ field: 'id', reason: 'no such device profile' }]);
    const users = this.users((r) => r.deviceProfileId === id);
    if (users > 0) {
      throw new RegistryConflictError([
        { field: 'id', reason: `in use by ${users} device(s); delete them first` },
      ]);
    }
    await this.deleteWhileMarked(id, () => this.repository.deleteProfile(id));
    this.profiles.delete(id);
  }

  // --- Applications ---

  async createApplication(input: CreateApplication): Promise<ApplicationEntity> {
    if (typeof input.name !== 'string' || input.name.length < 1 || input.name.length > 100) {
      throw invalid('name', 'must be 1 to 100 characters');
    }
    const row = new ApplicationEntity();
    row.id = randomUUID();
    row.name = input.name;
    row.endToEnd = input.endToEnd ?? false;
    row.createdAt = new Date();
    await this.repository.insertApplication(row);
    this.applications.set(row.id, row);
    return row;
  }

  async deleteApplication(id: string): Promise<void> {
    if (!this.applications.has(id))
      throw new RegistryNotFoundError([{ field: 'id', reason: 'no such application' }]);
    const users = this.users((r) => r.applicationId === id);
    if (users > 0) {
      throw new RegistryConflictError([{ field: 'id', reason: `has ${users} device(s); delete them first` }]);
    }
    await this.deleteWhileMarked(id, () => this.repository.deleteApplication(id));
    this.applications.delete(id);
  }

  // --- Devices ---

  async createDevice(input: CreateDevice): Promise<DeviceContext> {
    const d: CreateDevice = {
      ...input,
      devEui: input.devEui.toLowerCase(),
      joinEui: input.joinEui?.toLowerCase(),
    };
    const profile = this.deleting.has(d.deviceProfileId) ? undefined : this.profiles.get(d.deviceProfileId);
    const application = this.deleting.has(d.applicationId)
      ? undefined
      : this.applications.get(d.applicationId);
    const unknown: RegistryFieldError[] = [];
    if (!application) unknown.push({ field: 'applicationId', reason: 'no such application' });
    if (!profile) unknown.push({ field: 'deviceProfileId', reason: 'no such device profile' });
    if (!application || !profile) throw new RegistryValidationError(unknown);

    const errors = checkDevice(d, profile, application);
    if (errors.length > 0) throw new RegistryValidationError(errors);
    const joinServer = d.activation === 'OTAA' ? (d.joinServer ?? LOCAL_JOIN_SERVER) : null;
    if (joinServer !== null && joinServer !== LOCAL_JOIN_SERVER) {
      const directory = this.peers.joinServers();
      if (directory && !directory.has(joinServer)) throw invalid('joinServer', 'no such join server');
    }
    if (this.devices.has(d.devEui) || this.creating.has(d.devEui)) {
      throw new RegistryConflictError([{ field: 'devEui', reason: 'a device with this DevEUI exists' }]);
    }
    const row = new DeviceEntity();
    row.devEui = d.devEui;
    row.joinEui = d.joinEui ?? null;
    row.name = d.name;
    row.description = d.description ?? '';
    row.applicationId = application.id;
    row.deviceProfileId = profile.id;
    row.activation = d.activation;
    row.joinServer = joinServer;
    row.tags = { ...d.tags };
    row.createdAt = new Date();
    const region = getRegion(profile.region);
    const ctx: DeviceContext = { device: row, profile, application, region };

    // Resolved before anything is written: a missing peer is a 503 with nothing to undo.
    const provision = this.provisioning(d, ctx);
    this.creating.set(d.devEui, { applicationId: application.id, deviceProfileId: profile.id });
    try {
      await this.repository.insertDevice(row);
      // In the cache before its session exists, so the session's first uplink finds the device.
      this.devices.set(row.devEui, ctx);
      try {
        await provision();
      } catch (err) {
        this.devices.delete(row.devEui);
        await this.repository.deleteDevice(row.devEui).catch((undo: unknown) => {
          this.logger.error(`device ${row.devEui}: removing the half-created row failed: ${String(undo)}`);
        });
        throw err;
      }
    } finally {
      this.creating.delete(d.devEui);
    }
    return ctx;
  }

  /**
   * Removes the device with its session (SessionStore.remove), its local join server record
   * (a manufacturer's device is released there instead: RootKeyStore.removeDeviceKeys) and its
   * row (the session and queue rows cascade). The session goes first so no uplink is
   * handled for a device half-deleted; if the row's delete fails, the session is put back.
   */
  async deleteDevice(devEui: string): Promise<void> {
    const eui = devEui.toLowerCase();
    const ctx = this.devices.get(eui);
    if (!ctx) throw new RegistryNotFoundError([{ field: 'devEui', reason: 'no such device' }]);
    const sessions = this.peers.sessions();
    const session = sessions?.byDevEui(eui);
    if (sessions) await sessions.remove(eui);
    try {
      await this.repository.deleteDevice(eui);
    } catch (err) {
      if (sessions && session) await sessions.activate(session).catch(() => undefined);
      throw err;
    }
    this.devices.delete(eui);
    if (ctx.device.joinServer === LOCAL_JOIN_SERVER) {
      const rootKeys = this.peers.rootKeys();
      if (rootKeys) {
        await rootKeys.removeDeviceKeys(eui).catch((err: unknown) => {
          // The device is gone; a stale join server record cannot join without a device here.
          this.logger.error(`device ${eui}: removing its join server record failed: ${String(err)}`);
        });
      }
    }
    // A join that was in flight may have activated a session meanwhile.
    if (sessions?.byDevEui(eui)) await sessions.remove(eui);
  }

  /**
   * What a new device needs beyond its row: ABP, its session in the SessionStore; OTAA on the
   * local join server, its root keys there; OTAA on an external join server, nothing.
   */
  private provisioning(d: CreateDevice, ctx: DeviceContext): () => Promise<void> {
    const { device, profile, application, region } = ctx;
    if (d.activation === 'ABP' && d.abp) {
      const sessions = this.peers.sessions();
      if (!sessions) {
        throw new RegistryUnavailableError([{ field: 'abp', reason: 'the session store is not running' }]);
      }
      const abp = d.abp;
      return () =>
        sessions.activate(
          buildAbpSession({
            devEui: device.devEui,
            abp,
            profile,
            application,
            region,
            macLayer: this.macLayer,
            now: Date.now(),
          }),
        );
    }
    if (device.joinServer === LOCAL_JOIN_SERVER && device.joinEui && d.appKey) {
      const rootKeys = this.peers.rootKeys();
      if (!rootKeys) {
        throw new RegistryUnavailableError([
          { field: 'joinServer', reason: 'the local join server is not running in this process' },
        ]);
      }
      // A manufacturer's device is provisioned with its QR code, never with keys typed here: a 409.
      const refusal = rootKeys.keysRefusal(device.devEui);
      if (refusal) throw new RegistryConflictError([{ field: 'devEui', reason: refusal }]);
      const keys: DeviceRootKeys = {
        devEui: device.devEui,
        joinEui: device.joinEui,
        macVersion: profile.macVersion,
        appKey: d.appKey,
        ...(d.nwkKey ? { nwkKey: d.nwkKey } : {}),
      };
      return () => rootKeys.upsertDeviceKeys(keys);
    }
    return async () => undefined;
  }

  private contextOf(device: DeviceEntity): DeviceContext | undefined {
    const profile = this.profiles.get(device.deviceProfileId);
    const application = this.applications.get(device.applicationId);
    if (!profile || !application) {
      this.logger.warn(`device ${device.devEui}: its profile or application is missing; not loaded`);
      return undefined;
    }
    try {
      return { device, profile, application, region: getRegion(profile.region) };
    } catch (err) {
      this.logger.warn(`device ${device.devEui}: ${String(err)}; not loaded`);
      return undefined;
    }
  }

  private users(refersTo: (r: Reference) => boolean): number {
    let n = 0;
    for (const ctx of this.devices.values()) if (refersTo(ctx.device)) n++;
    for (const r of this.creating.values()) if (refersTo(r)) n++;
    return n;
  }

  private async deleteWhileMarked(id: string, write: () => Promise<void>): Promise<void> {
    this.deleting.add(id);
    try {
      await write();
    } finally {
      this.deleting.delete(id);
    }
  }
}

function byCreation(a: { createdAt: Date }, b: { createdAt: Date }): number {
  return a.createdAt.getTime() - b.createdAt.getTime();
}
