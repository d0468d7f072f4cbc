import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { LnsConfig } from '@lns/config';
import {
  buildTr005,
  ClaimService,
  DeviceOwnershipRegistry,
  JoinServerService,
  JsDeviceEntity,
  JsDeviceRepository,
  ManufacturerService,
} from '@lns/join-server';
import {
  ApplicationEntity,
  DeviceEntity,
  DeviceProfileEntity,
  KeyCipher,
  MIGRATIONS,
  REGISTRY_ENTITIES,
} from '@lns/storage';
// Internals of the join server, to build its services by hand as Nest would.
import { recordsFromJson } from '../../../../join-server/src/manufacturer/import-records';
import { ManufacturerRecordEntity } from '../../../../join-server/src/manufacturer/manufacturer-record.entity';
import { ManufacturerRecordRepository } from '../../../../join-server/src/manufacturer/manufacturer-record.repository';
import { JoinServerRegistry } from '../../join/external/join-server-registry';
import { createAgent, JoinServerTransport } from '../../join/external/join-server-transport';
import { RegistryError, RegistryUnavailableError, RegistryValidationError } from '../registry-errors';
import { RegistryPeers } from '../registry-peers';
import { RegistryRepository } from '../registry.repository';
import { RegistryService } from '../registry.service';
import { ClaimThrottledByJoinServer } from './device-claim';
import { QrProvisioningPeers } from './qr-provisioning-peers';
import { QrProvisioningService } from './qr-provisioning.service';

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const LOCAL_JOIN_EUI = '70b3d57ed0000001';
const EXTERNAL_JOIN_EUI = '70b3d57ed00000ee';
const NET_ID = '000013';

/** A claims endpoint of another join server: answers what `answer` says and records the requests. */
class FakeClaimsEndpoint {
  readonly requests: Array<{ url: string; body: Record<string, unknown> }> = [];
  answer: (body: Record<string, unknown>) => { status: number; body: unknown } = () => ({
    status: 500,
    body: {},
  });
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        this.requests.push({ url: req.url ?? '', body });
        const a = this.answer(body);
        res.writeHead(a.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('QrProvisioningService', () => {
  let ds: DataSource;
  let registry: RegistryService;
  let js: JoinServerService;
  let manufacturer: ManufacturerService;
  let claims: ClaimService;
  let ownerships: DeviceOwnershipRegistry;
  let provisioning: QrProvisioningService;
  let profile10: string;
  let profile11: string;
  let app: string;
  const endpoint = new FakeClaimsEndpoint();
  let transport: JoinServerTransport;
  const cipher = new KeyCipher(randomBytes(32));

  beforeAll(async () => {
    Logger.overrideLogger(false);
    await endpoint.start();
    const url = new URL(`http://127.0.0.1:${endpoint.port}/api/backend-interfaces`);
    transport = { url, agent: createAgent(url) };
  });
  afterAll(async () => {
    transport.agent.destroy();
    await endpoint.stop();
  });

  beforeEach(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [...REGISTRY_ENTITIES, JsDeviceEntity, ManufacturerRecordEntity],
      migrations: MIGRATIONS,
      migrationsRun: true,
      prepareDatabase: (db: { pragma(s: string): unknown }) => void db.pragma('foreign_keys = ON'),
    });
    await ds.initialize();
    js = new JoinServerService(new JsDeviceRepository(ds.getRepository(JsDeviceEntity)), cipher);
    await js.onModuleInit();
    const records = new ManufacturerRecordRepository(
      ds.getRepository(ManufacturerRecordEntity),
      ds.getRepository(JsDeviceEntity),
    );
    ownerships = new DeviceOwnershipRegistry(records, js);
    manufacturer = new ManufacturerService(records, cipher, js, ownerships);
    claims = new ClaimService(records, cipher, ownerships);
    const external = {
      findByJoinEui: (e: string) => (e === EXTERNAL_JOIN_EUI ? { id: 'js-ext' } : undefined),
      transport: (id: string) => (id === 'js-ext' ? transport : undefined),
      has: (id: string) => id === 'js-ext',
    };
    const found = new Map<unknown, unknown>([
      [JoinServerService, js],
      [ClaimService, claims],
      [DeviceOwnershipRegistry, ownerships],
      [JoinServerRegistry, external],
    ]);
    const moduleRef = {
      get: (token: unknown) => {
        if (!found.has(token)) throw new Error('not provided');
        return found.get(token);
      },
    } as unknown as ModuleRef;
    const registryPeers = {
      sessions: () => undefined,
      rootKeys: () => undefined,
      joinServers: () => external,
    } as unknown as RegistryPeers;
    registry = new RegistryService(
      new RegistryRepository(
        ds.getRepository(DeviceProfileEntity),
        ds.getRepository(ApplicationEntity),
        ds.getRepository(DeviceEntity),
      ),
      registryPeers,
    );
    await registry.onModuleInit();
    profile10 = (await registry.createProfile({ name: 'p10', region: 'EU868', macVersion: '1.0.3' })).id;
    profile11 = (await registry.createProfile({ name: 'p11', region: 'EU868', macVersion: '1.1.0' })).id;
    app = (await registry.createApplication({ name: 'plain' })).id;
    provisioning = new QrProvisioningService(registry, new QrProvisioningPeers(moduleRef), {
      netId: NET_ID,
    } as LnsConfig);
    endpoint.requests.length = 0;
  });
  afterEach(async () => ds.destroy());

  async function imported(devEui: string, extra: Record<string, unknown> = {}): Promise<string> {
    const [issued] = await manufacturer.importRecords(
      recordsFromJson([{ devEui, joinEui: LOCAL_JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.3', ...extra }]),
      { qr: true },
    );
    return issued.qr!;
  }

  async function fields(p: Promise<unknown>): Promise<Array<{ field: string; reason: string }>> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof RegistryError) && !(err instanceof ClaimThrottledByJoinServer)) throw err;
    return err.fields;
  }

  describe('with the embedded join server', () => {
    it('claims the device there and creates it keyless on the local join server', async () => {
      const qr = await imported('0004a30b00000001', { serialNumber: 'SN-1', profileId: 'a1b2c3d4' });
      const ctx = await provisioning.provision({ qr, applicationId: app, deviceProfileId: profile10 });
      expect(ctx.device).toMatchObject({
        devEui: '0004a30b00000001',
        joinEui: LOCAL_JOIN_EUI,
        name: 'SN-1',
        activation: 'OTAA',
        joinServer: 'local',
        tags: { tr005ProfileId: 'a1b2c3d4', serialNumber: 'SN-1' },
      });
      expect(ownerships.ownershipOf('0004a30b00000001')).toMatchObject({ claimed: true, homeNetId: NET_ID });
    });

    it('refuses a used token, naming qr, and a device that exists already', async () => {
      const qr = await imported('0004a30b00000002');
      await provisioning.provision({ qr, applicationId: app, deviceProfileId: profile10, name: 'first' });
      expect(
        await fields(provisioning.provision({ qr, applicationId: app, deviceProfileId: profile10 })),
      ).toEqual([{ field: 'qr', reason: 'a device with DevEUI 0004a30b00000002 exists' }]);
      const other = await imported('0004a30b00000003');
      await claims.claim({ devEui: '0004a30b00000003', ownerToken: /:O([^:]+)/.exec(other)![1] });
      expect(
        await fields(provisioning.provision({ qr: other, applicationId: app, deviceProfileId: profile10 })),
      ).toEqual([{ field: 'qr', reason: expect.stringContaining('refused the claim') }]);
    });

    it('refuses a profile of the other LoRaWAN generation before the claim: the token stays usable', async () => {
      const qr = await imported('0004a30b00000004');
      expect(
        await fields(provisioning.provision({ qr, applicationId: app, deviceProfileId: profile11 })),
      ).toEqual([
        {
          field: 'deviceProfileId',
          reason: 'the device is LoRaWAN 1.0.3 (its join server says), the profile LoRaWAN 1.1.0',
        },
      ]);
      await expect(
        provisioning.provision({ qr, applicationId: app, deviceProfileId: profile10 }),
      ).resolves.toBeDefined();
    });

    it('gives the claim back when the device cannot be created after it', async () => {
      const qr = await imported('0004a30b00000005');
      jest.spyOn(registry, 'createDevice').mockRejectedValueOnce(new Error('disk full'));
      await expect(
        provisioning.provision({ qr, applicationId: app, deviceProfileId: profile10 }),
      ).rejects.toThrow('disk full');
      await expect(
        provisioning.provision({ qr, applicationId: app, deviceProfileId: profile10 }),
      ).resolves.toBeDefined();
    });

    it('passes the join server’s throttle on (429 with the seconds to wait)', async () => {
      const qr = await imported('0004a30b00000006');
      for (let i = 0; i < 5; i++) {
        await claims.claim({ devEui: '0004a30b00000006', ownerToken: 'WRONG' }).catch(() => undefined);
      }
      const err = await provisioning
        .provision({ qr, applicationId: app, deviceProfileId: profile10 })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ClaimThrottledByJoinServer);
      expect((err as ClaimThrottledByJoinServer).retryAfterSeconds).toBeGreaterThan(0);
    });
  });

  describe('bad input, before anything is claimed', () => {
    const code = (over: Partial<Parameters<typeof buildTr005>[0]> = {}, checksum = true) =>
      buildTr005(
        {
          joinEui: LOCAL_JOIN_EUI,
          devEui: '0004a30b000000aa',
          profileId: '00000000',
          ownerToken: 'T',
          ...over,
        },
        { checksum },
      );

    it.each<[string, () => string, string]>([
      ['not TR005', () => 'hello', 'is not a TR005 code'],
      ['a bad checksum', () => code().replace(/:C(.{4})$/, ':C0000'), 'has a bad checksum'],
      ['no owner token', () => code({ ownerToken: undefined }), 'has no owner token'],
      [
        'a JoinEUI no join server serves',
        () => code({ joinEui: '0000000000000bad' }),
        'no join server known for JoinEUI',
      ],
    ])('names qr for %s', async (_name, qr, reason) => {
      expect(
        await fields(provisioning.provision({ qr: qr(), applicationId: app, deviceProfileId: profile10 })),
      ).toEqual([{ field: 'qr', reason: expect.stringContaining(reason) }]);
      expect(endpoint.requests).toEqual([]);
    });

    it('names an unknown application and profile', async () => {
      const qr = await imported('0004a30b00000007');
      const missing = '00000000-0000-4000-8000-000000000000';
      expect(
        await fields(provisioning.provision({ qr, applicationId: missing, deviceProfileId: missing })),
      ).toEqual([
        { field: 'applicationId', reason: 'no such application' },
        { field: 'deviceProfileId', reason: 'no such device profile' },
      ]);
      await expect(
        provisioning.provision({ qr, applicationId: app, deviceProfileId: profile10 }),
      ).resolves.toBeDefined();
    });
  });

  describe('with an external join server', () => {
    const qr = buildTr005({
      joinEui: EXTERNAL_JOIN_EUI,
      devEui: '0004a30b000000e1',
      profileId: '00000000',
      ownerToken: 'ABCDEFGHJKMNPQRSTVWXYZ01',
    });

    it('claims it at …/api/js/claims and creates the device on that join server, without keys', async () => {
      endpoint.answer = (b) => ({
        status: 200,
        body: { devEui: b.devEui, joinEui: EXTERNAL_JOIN_EUI, macVersion: '1.1.0', claimedAt: new Date() },
      });
      const ctx = await provisioning.provision({
        qr,
        applicationId: app,
        deviceProfileId: profile11,
        name: 'ext',
      });
      expect(ctx.device).toMatchObject({
        joinServer: 'js-ext',
        joinEui: EXTERNAL_JOIN_EUI,
        activation: 'OTAA',
      });
      expect(endpoint.requests).toEqual([
        {
          url: '/api/js/claims',
          body: {
            devEui: '0004a30b000000e1',
            ownerToken: 'ABCDEFGHJKMNPQRSTVWXYZ01',
            owner: `network server NetID ${NET_ID}`,
            homeNetId: NET_ID,
          },
        },
      ]);
    });

    it('says a refusal, a throttle, an outage and a version mismatch (the claim then stands)', async () => {
      endpoint.answer = () => ({ status: 403, body: { message: 'no' } });
      expect(
        await fields(provisioning.provision({ qr, applicationId: app, deviceProfileId: profile11 })),
      ).toEqual([{ field: 'qr', reason: expect.stringContaining('refused the claim') }]);
      endpoint.answer = () => ({
        status: 429,
        body: { message: 'too many refused claims; try again in 42 s' },
      });
      const throttled = await provisioning
        .provision({ qr, applicationId: app, deviceProfileId: profile11 })
        .catch((e) => e);
      expect((throttled as ClaimThrottledByJoinServer).retryAfterSeconds).toBe(42);
      endpoint.answer = () => ({ status: 502, body: {} });
      const down = await provisioning
        .provision({ qr, applicationId: app, deviceProfileId: profile11 })
        .catch((e) => e);
      expect(down).toBeInstanceOf(RegistryUnavailableError);
      expect((down as RegistryError).fields[0].reason).toContain('answered HTTP 502');
      endpoint.answer = () => ({ status: 200, body: { joinEui: EXTERNAL_JOIN_EUI, macVersion: '1.0.4' } });
      const mismatch = await provisioning
        .provision({ qr, applicationId: app, deviceProfileId: profile11 })
        .catch((e) => e);
      expect(mismatch).toBeInstanceOf(RegistryValidationError);
      expect((mismatch as RegistryError).fields).toEqual([
        { field: 'deviceProfileId', reason: expect.stringContaining('LoRaWAN 1.0.4') },
        { field: 'qr', reason: expect.stringContaining('stays claimed on join server js-ext') },
      ]);
    });

    it('says an unreachable join server', async () => {
      const closed = new URL('http://127.0.0.1:9/api/backend-interfaces');
      const saved = transport;
      transport = { url: closed, agent: createAgent(closed) };
      try {
        const err = await provisioning
          .provision({ qr, applicationId: app, deviceProfileId: profile11 })
          .catch((e) => e);
        expect(err).toBeInstanceOf(RegistryUnavailableError);
        expect((err as RegistryError).fields[0]).toMatchObject({
          field: 'qr',
          reason: expect.stringContaining('js-ext'),
        });
      } finally {
        transport.agent.destroy();
        transport = saved;
      }
    });
  });
});
