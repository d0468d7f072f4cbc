import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KeyCipher, MIGRATIONS } from '@lns/storage';
import { ClaimService } from '../claims/claim.service';
import { DeviceOwnershipRegistry } from '../claims/device-ownership';
import { JsDeviceEntity } from '../device/js-device.entity';
import { JsDeviceRepository } from '../device/js-device.repository';
import { JoinServerService } from '../join-server.service';
import { recordsFromJson } from '../manufacturer/import-records';
import { ManufacturerRecordEntity } from '../manufacturer/manufacturer-record.entity';
import { ManufacturerRecordRepository } from '../manufacturer/manufacturer-record.repository';
import { ManufacturerService } from '../manufacturer/manufacturer.service';
import { JoinServerDeviceController } from './join-server-device.controller';

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const JOIN_EUI = '70b3d57ed0000001';
const MANUFACTURERS = '0004a30b00000001';
const OPERATORS = '0004a30b00000002';

describe('JoinServerDeviceController: claimed is the manufacturer record’s claim', () => {
  let ds: DataSource;
  let js: JoinServerService;
  let controller: JoinServerDeviceController;
  let claims: ClaimService;
  let ownerToken: string;
  const cipher = new KeyCipher(randomBytes(32));

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [JsDeviceEntity, ManufacturerRecordEntity],
      migrations: MIGRATIONS,
    });
    await ds.initialize();
    await ds.runMigrations();
    js = new JoinServerService(new JsDeviceRepository(ds.getRepository(JsDeviceEntity)), cipher);
    await js.onModuleInit();
    const repo = new ManufacturerRecordRepository(
      ds.getRepository(ManufacturerRecordEntity),
      ds.getRepository(JsDeviceEntity),
    );
    const ownerships = new DeviceOwnershipRegistry(repo, js);
    await ownerships.onModuleInit();
    const manufacturer = new ManufacturerService(repo, cipher, js, ownerships);
    [{ ownerToken }] = await manufacturer.importRecords(
      recordsFromJson([{ devEui: MANUFACTURERS, joinEui: JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.4' }]),
    );
    await js.upsertDeviceKeys({ devEui: OPERATORS, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
    claims = new ClaimService(repo, cipher, ownerships, undefined, js);
    controller = new JoinServerDeviceController(js, ownerships);
  });
  afterEach(async () => ds.destroy());

  it("follows the record through claim and release, in every answer; an operator's device has none", async () => {
    expect(controller.get({ devEui: MANUFACTURERS })).toMatchObject({
      manufacturerRecord: true,
      claimed: false,
    });
    await claims.claim({ devEui: MANUFACTURERS, ownerToken, homeNetId: '000013' });
    expect(controller.get({ devEui: MANUFACTURERS })).toMatchObject({
      manufacturerRecord: true,
      claimed: true,
    });
    await expect(controller.flush({ devEui: MANUFACTURERS })).resolves.toMatchObject({ claimed: true });
    await expect(controller.setPolicy({ devEui: MANUFACTURERS }, { policy: 'set' })).resolves.toMatchObject({
      devNoncePolicy: 'set',
      claimed: true,
    });

    await claims.release(MANUFACTURERS);
    expect(controller.get({ devEui: MANUFACTURERS })).toMatchObject({
      manufacturerRecord: true,
      claimed: false,
    });

    expect(controller.get({ devEui: OPERATORS })).toMatchObject({
      manufacturerRecord: false,
      claimed: false,
    });
    expect(() => controller.get({ devEui: '0004a30b000000ff' })).toThrow(/not known/);
  });
});
