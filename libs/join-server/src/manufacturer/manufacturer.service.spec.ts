import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VirtualDevice } from '@lns/simulator';
import { KeyCipher, MIGRATIONS } from '@lns/storage';
import { JsAsKeyEntity } from '../as-keys/as-key.entity';
import { AsKeyRepository } from '../as-keys/as-key.repository';
import { AsKeyService } from '../as-keys/as-key.service';
import { ClaimKekLabelError, ClaimRefusedError, ClaimThrottledError } from '../claims/claim-errors';
import { ClaimInput, ClaimService, CLAIM_MAX_FAILURES } from '../claims/claim.service';
import { ClaimedAppSKeyKek } from '../claims/claimed-app-s-key-kek';
import { ClaimedHomeNetId } from '../claims/claimed-home-net-id';
import { ClaimedJoinPermission } from '../claims/claimed-join-permission';
import { DeviceOwnershipRegistry } from '../claims/device-ownership';
import { keyContext } from '../device/js-device';
import { JsDeviceEntity } from '../device/js-device.entity';
import { JsDeviceRepository } from '../device/js-device.repository';
import { JoinServerService } from '../join-server.service';
import { parseTr005 } from '../qr/tr005';
import { recordsFromCsv, recordsFromJson } from './import-records';
import { ManufacturerError, ManufacturerErrorCode } from './manufacturer-errors';
import { ManufacturerRecordEntity } from './manufacturer-record.entity';
import { ManufacturerRecordRepository } from './manufacturer-record.repository';
import { ManufacturerService } from './manufacturer.service';

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const NWK_KEY = '000102030405060708090a0b0c0d0e0f';
const JOIN_EUI = '70b3d57ed0000001';
const devEuiOf = (i: number) => `0004a30b${i.toString(16).padStart(8, '0')}`;
const record = (i: number, extra: Record<string, unknown> = {}) => ({
  devEui: devEuiOf(i),
  joinEui: JOIN_EUI,
  appKey: APP_KEY,
  macVersion: '1.0.3',
  ...extra,
});

async function codeOf(p: Promise<unknown>): Promise<ManufacturerErrorCode> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ManufacturerError) return e.code;
    throw e;
  }
  throw new Error('resolved');
}

describe('manufacturer records and claims (SQLite, migrations)', () => {
  let ds: DataSource;
  let js: JoinServerService;
  let repo: ManufacturerRecordRepository;
  let ownerships: DeviceOwnershipRegistry;
  let manufacturer: ManufacturerService;
  let claims: ClaimService;
  let asKeys: AsKeyService;
  const cipher = new KeyCipher(randomBytes(32));

  async function start(): Promise<void> {
    js = new JoinServerService(new JsDeviceRepository(ds.getRepository(JsDeviceEntity)), cipher);
    await js.onModuleInit();
    repo = new ManufacturerRecordRepository(
      ds.getRepository(ManufacturerRecordEntity),
      ds.getRepository(JsDeviceEntity),
    );
    ownerships = new DeviceOwnershipRegistry(repo, js);
    await ownerships.onModuleInit();
    manufacturer = new ManufacturerService(repo, cipher, js, ownerships);
    asKeys = new AsKeyService(new AsKeyRepository(ds.getRepository(JsAsKeyEntity)), cipher);
    await asKeys.onModuleInit();
    claims = new ClaimService(repo, cipher, ownerships, asKeys, js);
  }

  const importJson = (records: unknown[], qr = false) =>
    manufacturer.importRecords(recordsFromJson(records), { qr });
  const claim = (input: Partial<ClaimInput> & { devEui: string; ownerToken: string }, client?: string) =>
    claims.claim(input, client);

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [JsDeviceEntity, ManufacturerRecordEntity, JsAsKeyEntity],
      migrations: MIGRATIONS,
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('foreign_keys = ON');
      },
    });
    await ds.initialize();
    await ds.runMigrations();
    await start();
  });
  afterEach(async () => ds.destroy());

  describe('import', () => {
    it('stores the devices for joins at once, keys and owner tokens sealed, and answers each token once', async () => {
      const issued = await importJson([record(1), record(2, { macVersion: '1.1.0', nwkKey: NWK_KEY })]);
      expect(issued.map((i) => i.devEui)).toEqual([devEuiOf(1), devEuiOf(2)]);
      expect(issued[0].ownerToken).toMatch(/^[0-9A-Z]{24}$/);
      expect(issued[0].qr).toBeUndefined();
      // Served by the join server without a restart, with the version's DevNonce policy.
      expect(js.getDevice(devEuiOf(1))).toMatchObject({ macVersion: '1.0.3', devNoncePolicy: 'set' });
      expect(js.getDevice(devEuiOf(2))).toMatchObject({ macVersion: '1.1.0', devNoncePolicy: 'counter' });
      const device = await ds.getRepository(JsDeviceEntity).findOneByOrFail({ devEui: devEuiOf(2) });
      expect(cipher.decrypt(device.nwkKey!, keyContext.nwkKey(devEuiOf(2))).toString('hex')).toBe(NWK_KEY);
      const row = await ds.getRepository(ManufacturerRecordEntity).findOneByOrFail({ devEui: devEuiOf(1) });
      expect(row.ownerToken!.includes(Buffer.from(issued[0].ownerToken))).toBe(false);
      expect(cipher.decrypt(row.ownerToken!, keyContext.ownerToken(devEuiOf(1))).toString()).toBe(
        issued[0].ownerToken,
      );
      expect(ownerships.ownershipOf(devEuiOf(1))).toMatchObject({ claimed: false, homeNetId: null });
    });

    it('answers each TR005 code with ?qr=true: ProfileID, serial number, token and checksum', async () => {
      const [issued] = await importJson([record(1, { profileId: 'A1B2C3D4', serialNumber: 'SN-1' })], true);
      expect(parseTr005(issued.qr!)).toEqual({
        joinEui: JOIN_EUI,
        devEui: devEuiOf(1),
        profileId: 'a1b2c3d4',
        ownerToken: issued.ownerToken,
        serialNumber: 'SN-1',
        proprietary: [],
        checksummed: true,
      });
      await expect(manufacturer.tr005(devEuiOf(1))).resolves.toBe(issued.qr);
    });

    it('refuses the whole import on a bad record: nothing stored', async () => {
      await expect(codeOf(importJson([record(1), record(2, { appKey: 'zz' })]))).resolves.toBe(
        'INVALID_RECORDS',
      );
      expect(js.hasDevice(devEuiOf(1))).toBe(false);
      expect(await ds.getRepository(JsDeviceEntity).count()).toBe(0);
    });

    it('refuses DevEUIs the join server holds (imported or an operator’s), naming their lines', async () => {
      await importJson([record(1)]);
      await js.upsertDeviceKeys({
        devEui: devEuiOf(3),
        joinEui: JOIN_EUI,
        macVersion: '1.0.3',
        appKey: APP_KEY,
      });
      const err = await manufacturer
        .importRecords(recordsFromJson([record(2), record(1), record(3)]))
        .catch((e: ManufacturerError) => e);
      expect(err).toBeInstanceOf(ManufacturerError);
      expect((err as ManufacturerError).code).toBe('DUPLICATE_RECORDS');
      expect((err as ManufacturerError).problems).toEqual([
        { line: 2, field: 'devEui', reason: 'already known to the join server' },
        { line: 3, field: 'devEui', reason: 'already known to the join server' },
      ]);
      expect(js.hasDevice(devEuiOf(2))).toBe(false);
    });

    it('keeps all or nothing when a DevEUI is taken between the check and the write', async () => {
      const parsed = recordsFromJson([record(1), record(2)]);
      const existing = repo.existing.bind(repo);
      let first = true;
      jest.spyOn(repo, 'existing').mockImplementation(async (euis) => {
        if (first) {
          first = false;
          await js.upsertDeviceKeys({
            devEui: devEuiOf(2),
            joinEui: JOIN_EUI,
            macVersion: '1.0.3',
            appKey: APP_KEY,
          });
          return new Set();
        }
        return existing(euis);
      });
      const err = (await manufacturer.importRecords(parsed).catch((e: unknown) => e)) as ManufacturerError;
      expect(err.code).toBe('DUPLICATE_RECORDS');
      expect(err.problems).toEqual([
        { line: 2, field: 'devEui', reason: 'already known to the join server' },
      ]);
      expect(js.hasDevice(devEuiOf(1))).toBe(false);
      expect(await ds.getRepository(ManufacturerRecordEntity).count()).toBe(0);
    });

    it('imports 5000 CSV records in one transaction, quickly', async () => {
      const lines = ['dev_eui;join_eui;app_key;mac_version'];
      for (let i = 0; i < 5000; i++) lines.push(`${devEuiOf(i)};${JOIN_EUI};${APP_KEY};1.0.4`);
      const started = Date.now();
      const issued = await manufacturer.importRecords(recordsFromCsv(lines.join('\n')));
      const ms = Date.now() - started;
      expect(issued).toHaveLength(5000);
      expect(new Set(issued.map((i) => i.ownerToken)).size).toBe(5000);
      expect(js.hasDevice(devEuiOf(4999))).toBe(true);
      expect(await ds.getRepository(ManufacturerRecordEntity).count()).toBe(5000);
      expect(ms).toBeLessThan(10_000);
    });

    it('loads records and claims again after a restart', async () => {
      const [issued] = await importJson([record(1)]);
      await claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken, homeNetId: '000013' });
      await start();
      expect(ownerships.ownershipOf(devEuiOf(1))).toMatchObject({ claimed: true, homeNetId: '000013' });
    });
  });

  describe('owner tokens and QR codes', () => {
    it('refuses a QR code for an unknown device, or once the token was used', async () => {
      await expect(codeOf(manufacturer.tr005(devEuiOf(9)))).resolves.toBe('UNKNOWN_RECORD');
      await js.upsertDeviceKeys({
        devEui: devEuiOf(8),
        joinEui: JOIN_EUI,
        macVersion: '1.0.3',
        appKey: APP_KEY,
      });
      await expect(codeOf(manufacturer.tr005(devEuiOf(8)))).resolves.toBe('UNKNOWN_RECORD');
      const [issued] = await importJson([record(1)]);
      await claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken });
      await expect(codeOf(manufacturer.tr005(devEuiOf(1)))).resolves.toBe('TOKEN_USED');
    });

    it('a new token replaces the old one, and moves ownership when claimed', async () => {
      const [issued] = await importJson([record(1)]);
      await claim({
        devEui: devEuiOf(1),
        ownerToken: issued.ownerToken,
        owner: 'first',
        homeNetId: '000001',
      });
      const renewed = await manufacturer.issueOwnerToken(devEuiOf(1).toUpperCase());
      expect(renewed.ownerToken).not.toBe(issued.ownerToken);
      expect(parseTr005(renewed.qr).ownerToken).toBe(renewed.ownerToken);
      await expect(manufacturer.tr005(devEuiOf(1))).resolves.toBe(renewed.qr);
      const second = await claim({
        devEui: devEuiOf(1),
        ownerToken: renewed.ownerToken,
        owner: 'second',
        homeNetId: '000002',
      });
      expect(second).toMatchObject({ owner: 'second', homeNetId: '000002' });
      expect(ownerships.ownershipOf(devEuiOf(1))).toMatchObject({ owner: 'second', homeNetId: '000002' });
      await expect(codeOf(manufacturer.issueOwnerToken(devEuiOf(7)))).resolves.toBe('UNKNOWN_RECORD');
    });

    it('an old token no longer claims once a new one is issued', async () => {
      const [issued] = await importJson([record(1)]);
      await manufacturer.issueOwnerToken(devEuiOf(1));
      await expect(claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken })).rejects.toThrow(
        ClaimRefusedError,
      );
    });
  });

  describe('claims', () => {
    it('makes the presenter the owner, and answers what the owner needs to provision the device', async () => {
      const [issued] = await importJson([record(1, { profileId: 'a1b2c3d4' })]);
      const result = await claim({
        devEui: devEuiOf(1).toUpperCase(),
        ownerToken: issued.ownerToken.toLowerCase(),
        owner: 'ACME',
        homeNetId: '00001A',
        kekLabel: 'as-acme',
      });
      expect(result).toEqual({
        devEui: devEuiOf(1),
        joinEui: JOIN_EUI,
        macVersion: '1.0.3',
        profileId: 'a1b2c3d4',
        serialNumber: null,
        owner: 'ACME',
        homeNetId: '00001a',
        kekLabel: 'as-acme',
        claimedAt: expect.any(Date),
      });
      expect(ownerships.ownershipOf(devEuiOf(1))).toEqual({
        devEui: devEuiOf(1),
        claimed: true,
        owner: 'ACME',
        homeNetId: '00001a',
        kekLabel: 'as-acme',
        claimedAt: result.claimedAt,
      });
      expect(new ClaimedHomeNetId(ownerships).homeNetIdOf(devEuiOf(1))).toBe('00001a');
      const row = await ds.getRepository(ManufacturerRecordEntity).findOneByOrFail({ devEui: devEuiOf(1) });
      expect(row.ownerToken).toBeNull();
    });

    it('refuses a wrong, used or unknown token, and a device that is no manufacturer record, the same way', async () => {
      const [a, b] = await importJson([record(1), record(2)]);
      await claim({ devEui: devEuiOf(2), ownerToken: b.ownerToken });
      await js.upsertDeviceKeys({
        devEui: devEuiOf(3),
        joinEui: JOIN_EUI,
        macVersion: '1.0.3',
        appKey: APP_KEY,
      });
      const refusals = await Promise.all(
        [
          { devEui: devEuiOf(1), ownerToken: b.ownerToken },
          { devEui: devEuiOf(2), ownerToken: b.ownerToken },
          { devEui: devEuiOf(9), ownerToken: a.ownerToken },
          { devEui: devEuiOf(3), ownerToken: a.ownerToken },
        ].map((input) => claim(input).catch((e: unknown) => e)),
      );
      for (const r of refusals) {
        expect(r).toBeInstanceOf(ClaimRefusedError);
        expect((r as Error).message).toBe(new ClaimRefusedError().message);
      }
      // The refused attempts changed nothing: device 1 is still claimable with its own token.
      await expect(claim({ devEui: devEuiOf(1), ownerToken: a.ownerToken })).resolves.toMatchObject({
        devEui: devEuiOf(1),
      });
    });

    it('lets one of two racing claims with the same token win', async () => {
      const [issued] = await importJson([record(1)]);
      const outcomes = await Promise.allSettled([
        claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken, owner: 'a' }),
        claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken, owner: 'b' }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(
        outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof ClaimRefusedError),
      ).toHaveLength(1);
    });

    it(`throttles a client after ${CLAIM_MAX_FAILURES} refusals a minute, even with the right token`, async () => {
      const issued = await importJson([record(1), ...Array.from({ length: 6 }, (_, i) => record(10 + i))]);
      for (let i = 0; i < CLAIM_MAX_FAILURES; i++) {
        // A different DevEUI each time: the client's count, not the device's, runs out.
        await expect(claim({ devEui: devEuiOf(10 + i), ownerToken: 'WRONG' }, '192.0.2.7')).rejects.toThrow(
          ClaimRefusedError,
        );
      }
      const throttled = await claim(
        { devEui: devEuiOf(1), ownerToken: issued[0].ownerToken },
        '192.0.2.7',
      ).catch((e: unknown) => e);
      expect(throttled).toBeInstanceOf(ClaimThrottledError);
      expect((throttled as ClaimThrottledError).retryAfterSeconds).toBeGreaterThan(55);
      expect((throttled as ClaimThrottledError).retryAfterSeconds).toBeLessThanOrEqual(60);
      // Another client is not held back.
      await expect(
        claim({ devEui: devEuiOf(1), ownerToken: issued[0].ownerToken }, '192.0.2.8'),
      ).resolves.toBeDefined();
    });

    it(`throttles a DevEUI after ${CLAIM_MAX_FAILURES} refusals a minute, whatever the clients`, async () => {
      const [issued] = await importJson([record(1)]);
      for (let i = 0; i < CLAIM_MAX_FAILURES; i++) {
        await expect(claim({ devEui: devEuiOf(1), ownerToken: 'WRONG' }, `198.51.100.${i}`)).rejects.toThrow(
          ClaimRefusedError,
        );
      }
      await expect(
        claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken }, '203.0.113.1'),
      ).rejects.toThrow(ClaimThrottledError);
    });

    describe('naming an AS key (kekLabel)', () => {
      const as = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const publicKey = as.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const openAtTheAs = (wrappedKey: string) =>
        privateDecrypt(
          { key: as.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
          Buffer.from(wrappedKey, 'base64'),
        );
      const reasonOf = async (p: Promise<unknown>) => {
        const e = await p.catch((err: unknown) => err);
        expect(e).toBeInstanceOf(ClaimKekLabelError);
        return (e as ClaimKekLabelError).reason;
      };

      it("a remote claim must name one of this join server's AS keys; the AppSKey then goes under it", async () => {
        const [issued] = await importJson([record(1)]);
        const key = await asKeys.create(publicKey, 'ACME AS');
        const kek = new ClaimedAppSKeyKek(ownerships, asKeys);
        expect(
          await reasonOf(
            claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken, kekLabel: 'as-acme' }, '10.0.0.1'),
          ),
        ).toMatch(/^is not an AS key of this join server/);
        // Refused before the token was looked at: it still claims.
        await claim(
          { devEui: devEuiOf(1), ownerToken: issued.ownerToken, kekLabel: key.kekLabel },
          '10.0.0.1',
        );
        expect(kek.namedKekLabel(devEuiOf(1))).toBe(key.kekLabel);
        expect(kek.appSKeyKekFor(devEuiOf(1))).toEqual({
          kind: 'wrap',
          wrapping: { kekLabel: key.kekLabel, kek: openAtTheAs(key.wrappedKey) },
        });
      });

      it('a revoked key refuses the join (fail closed) and cannot be named by a new claim', async () => {
        const [a, b] = await importJson([record(1), record(2)]);
        const key = await asKeys.create(publicKey);
        await claim({ devEui: devEuiOf(1), ownerToken: a.ownerToken, kekLabel: key.kekLabel }, '10.0.0.1');
        await asKeys.revoke(key.kekLabel);
        expect(new ClaimedAppSKeyKek(ownerships, asKeys).appSKeyKekFor(devEuiOf(1))).toEqual({
          kind: 'unavailable',
          reason: expect.stringMatching(new RegExp(`^AS key ${key.kekLabel} was revoked; `)),
        });
        expect(
          await reasonOf(
            claim({ devEui: devEuiOf(2), ownerToken: b.ownerToken, kekLabel: key.kekLabel }, '10.0.0.1'),
          ),
        ).toMatch(/^is a revoked AS key/);
        // Also in-process: a revoked key is no key.
        await expect(
          claim({ devEui: devEuiOf(2), ownerToken: b.ownerToken, kekLabel: key.kekLabel }),
        ).rejects.toBeInstanceOf(ClaimKekLabelError);
      });

      it('leaves devices without a label, and labels it never made, to the other resolvers', async () => {
        const [a, b] = await importJson([record(1), record(2)]);
        await claim({ devEui: devEuiOf(1), ownerToken: a.ownerToken });
        // In-process (apps/lns's QR provisioning): its own application's ASTK.
        await claim({ devEui: devEuiOf(2), ownerToken: b.ownerToken, kekLabel: 'astk-0011223344556677' });
        const kek = new ClaimedAppSKeyKek(ownerships, asKeys);
        expect(kek.appSKeyKekFor(devEuiOf(1))).toEqual({ kind: 'none' });
        expect(kek.namedKekLabel(devEuiOf(1))).toBeUndefined();
        expect(kek.appSKeyKekFor(devEuiOf(2))).toEqual({ kind: 'none' });
        expect(kek.namedKekLabel(devEuiOf(2))).toBe('astk-0011223344556677');
        expect(kek.appSKeyKekFor(devEuiOf(9))).toEqual({ kind: 'none' });
      });
    });

    it('undoes its own claim (provisioning failed after it): the same token claims again', async () => {
      const [issued] = await importJson([record(1)]);
      const result = await claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken, homeNetId: '000013' });
      await expect(claims.revert(result)).resolves.toBe(true);
      await expect(claims.revert(result)).resolves.toBe(false);
      expect(ownerships.ownershipOf(devEuiOf(1))).toMatchObject({ claimed: false, homeNetId: null });
      await expect(manufacturer.tr005(devEuiOf(1))).resolves.toContain(`:O${issued.ownerToken}:`);
      await expect(claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken })).resolves.toBeDefined();
    });

    it('does not undo a claim once a new token was issued', async () => {
      const [issued] = await importJson([record(1)]);
      const result = await claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken });
      await manufacturer.issueOwnerToken(devEuiOf(1));
      await expect(claims.revert(result)).resolves.toBe(false);
    });

    it('forgets the ownership of a device deleted (its record goes with it), even if created again', async () => {
      const [issued] = await importJson([record(1)]);
      await claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken, homeNetId: '000013' });
      await js.deleteDevice(devEuiOf(1));
      expect(await ds.getRepository(ManufacturerRecordEntity).count()).toBe(0);
      await js.upsertDeviceKeys({
        devEui: devEuiOf(1),
        joinEui: JOIN_EUI,
        macVersion: '1.0.3',
        appKey: APP_KEY,
      });
      expect(ownerships.ownershipOf(devEuiOf(1))).toBeUndefined();
    });

    describe('release (the owner deleted the device)', () => {
      const recordRow = () =>
        ds.getRepository(ManufacturerRecordEntity).findOneByOrFail({ devEui: devEuiOf(1) });

      it('clears the claim and keeps the record, its keys and nonce state; the used token stays used', async () => {
        const [issued] = await importJson([record(1, { serialNumber: 'SN-1' })]);
        await claim({
          devEui: devEuiOf(1),
          ownerToken: issued.ownerToken,
          owner: 'ACME',
          homeNetId: '000013',
          kekLabel: 'as-acme',
        });
        const device = js.getDevice(devEuiOf(1));
        const sealedKey = (await ds.getRepository(JsDeviceEntity).findOneByOrFail({ devEui: devEuiOf(1) }))
          .appKey;

        await expect(claims.release(devEuiOf(1).toUpperCase())).resolves.toBe('released');

        expect(await recordRow()).toMatchObject({
          serialNumber: 'SN-1',
          owner: null,
          homeNetId: null,
          kekLabel: null,
          claimedAt: null,
          ownerToken: null,
        });
        expect(js.getDevice(devEuiOf(1))).toEqual(device);
        const row = await ds.getRepository(JsDeviceEntity).findOneByOrFail({ devEui: devEuiOf(1) });
        expect(row.appKey.equals(sealedKey)).toBe(true);
        expect(ownerships.ownershipOf(devEuiOf(1))).toMatchObject({
          claimed: false,
          owner: null,
          kekLabel: null,
        });
        // Joins nowhere until claimed again.
        expect(new ClaimedJoinPermission(ownerships).refusalFor(devEuiOf(1), '000013')).toMatch(
          /not claimed/,
        );
        // The label's token does not come back: neither a claim nor a reprint.
        await expect(claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken })).rejects.toThrow(
          ClaimRefusedError,
        );
        await expect(codeOf(manufacturer.tr005(devEuiOf(1)))).resolves.toBe('TOKEN_USED');
        // The manufacturer's next token claims it.
        const renewed = await manufacturer.issueOwnerToken(devEuiOf(1));
        await expect(manufacturer.tr005(devEuiOf(1))).resolves.toBe(renewed.qr);
        await expect(
          claim({ devEui: devEuiOf(1), ownerToken: renewed.ownerToken, owner: 'next', homeNetId: '000014' }),
        ).resolves.toMatchObject({ owner: 'next', homeNetId: '000014' });
        expect(ownerships.ownershipOf(devEuiOf(1))).toMatchObject({ claimed: true, owner: 'next' });
      });

      /** A join-request of the device's owner's network, through the embedded join server. */
      const joinOf = (seed: number) => {
        const d = new VirtualDevice({
          devEui: devEuiOf(1),
          joinEui: JOIN_EUI,
          region: 'EU868',
          macVersion: '1.0.4',
          seed,
          activation: { type: 'OTAA', appKey: APP_KEY },
        });
        return js.handleJoinRequest({
          phyPayload: d.joinRequest().phyPayload,
          macVersion: '1.0.4',
          devEui: devEuiOf(1),
          devAddr: 0x26011bda,
          dlSettings: { optNeg: false, rx1DrOffset: 0, rx2DataRate: 0 },
          rxDelay: 1,
          netId: 0x13,
        });
      };
      const sessionRow = async () => {
        const row = await ds.getRepository(JsDeviceEntity).findOneByOrFail({ devEui: devEuiOf(1) });
        return { sessionKeyId: row.sessionKeyId, appSKey: row.appSKey, lastJoinNonce: row.lastJoinNonce };
      };

      it("forgets the owner's last session (SessionKeyID, AppSKey) with the claim, in the claim's transaction", async () => {
        const [issued] = await importJson([record(1, { macVersion: '1.0.4' })]);
        await claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken, homeNetId: '000013' });
        expect((await joinOf(1)).result).toBe('Success');
        expect(await sessionRow()).toEqual({
          sessionKeyId: expect.stringMatching(/^[0-9a-f]{32}$/),
          appSKey: expect.any(Buffer),
          lastJoinNonce: 1,
        });

        // Without the join server's help (ClaimService's `js` is optional): the release's own transaction.
        const alone = new ClaimService(repo, cipher, ownerships, asKeys);
        await expect(alone.release(devEuiOf(1))).resolves.toBe('released');

        // What AppSKeyReq reads (the row): nothing of the old session; the nonce state stays.
        expect(await sessionRow()).toEqual({ sessionKeyId: null, appSKey: null, lastJoinNonce: 1 });
      });

      it('forgets a session a join under way stores after the release was written', async () => {
        const [issued] = await importJson([record(1, { macVersion: '1.0.4' })]);
        await claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken, homeNetId: '000013' });
        // The join holds its state write until the release is on disk.
        let open!: () => void;
        const gate = new Promise<void>((resolve) => (open = resolve));
        const save = JsDeviceRepository.prototype.saveJoinState;
        const held = jest
          .spyOn(JsDeviceRepository.prototype, 'saveJoinState')
          .mockImplementation(async function (this: JsDeviceRepository, ...args) {
            await gate;
            return save.apply(this, args);
          });
        try {
          const joining = joinOf(2);
          await new Promise((resolve) => setImmediate(resolve));
          const releasing = claims.release(devEuiOf(1));
          await eventuallyReleased();
          open();
          expect((await joining).result).toBe('Success');
          await expect(releasing).resolves.toBe('released');
        } finally {
          held.mockRestore();
        }
        expect(await sessionRow()).toEqual({ sessionKeyId: null, appSKey: null, lastJoinNonce: 1 });
      });

      /** Until the release's transaction is on disk (the claim cleared). */
      async function eventuallyReleased(): Promise<void> {
        for (let i = 0; i < 200; i++) {
          const row = await ds
            .getRepository(ManufacturerRecordEntity)
            .findOneByOrFail({ devEui: devEuiOf(1) });
          if (row.claimedAt === null) return;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        throw new Error('the release was not written');
      }

      it('keeps a token issued since the claim (a device sold on) valid', async () => {
        const [issued] = await importJson([record(1)]);
        await claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken, homeNetId: '000013' });
        const renewed = await manufacturer.issueOwnerToken(devEuiOf(1));
        await expect(claims.release(devEuiOf(1))).resolves.toBe('released');
        await expect(manufacturer.tr005(devEuiOf(1))).resolves.toBe(renewed.qr);
        await expect(claim({ devEui: devEuiOf(1), ownerToken: renewed.ownerToken })).resolves.toBeDefined();
      });

      it("releases only the claim of the home NetID it is given; another network's claim stays", async () => {
        const [issued] = await importJson([record(1)]);
        await claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken, homeNetId: '00001A' });
        await expect(claims.release(devEuiOf(1), { homeNetId: '000013' })).resolves.toBe('claimed-elsewhere');
        expect(await recordRow()).toMatchObject({ homeNetId: '00001a', claimedAt: expect.any(Date) });
        expect(ownerships.ownershipOf(devEuiOf(1))).toMatchObject({ claimed: true, homeNetId: '00001a' });
        await expect(claims.release(devEuiOf(1), { homeNetId: '00001A' })).resolves.toBe('released');
        expect(ownerships.ownershipOf(devEuiOf(1))).toMatchObject({ claimed: false });
      });

      it('tells an unclaimed record from a device without one, and changes neither', async () => {
        const [issued] = await importJson([record(1)]);
        await js.upsertDeviceKeys({
          devEui: devEuiOf(2),
          joinEui: JOIN_EUI,
          macVersion: '1.0.3',
          appKey: APP_KEY,
        });
        await expect(claims.release(devEuiOf(1))).resolves.toBe('unclaimed');
        await expect(claims.release(devEuiOf(2))).resolves.toBe('no-record');
        await expect(claims.release(devEuiOf(9))).resolves.toBe('no-record');
        expect(js.hasDevice(devEuiOf(2))).toBe(true);
        expect((await recordRow()).tokenSerial).toBe(1);
        await expect(claim({ devEui: devEuiOf(1), ownerToken: issued.ownerToken })).resolves.toBeDefined();
      });

      it('makes an undo read before it stale, and is what a restart loads', async () => {
        const [issued] = await importJson([record(1)]);
        const result = await claim({
          devEui: devEuiOf(1),
          ownerToken: issued.ownerToken,
          homeNetId: '000013',
        });
        await expect(claims.release(devEuiOf(1))).resolves.toBe('released');
        // The undo would bring the label's token back: the release moved the record on, so it does not apply.
        await expect(claims.revert(result)).resolves.toBe(false);
        await expect(codeOf(manufacturer.tr005(devEuiOf(1)))).resolves.toBe('TOKEN_USED');
        await start();
        expect(ownerships.ownershipOf(devEuiOf(1))).toMatchObject({ claimed: false, homeNetId: null });
        await expect(claims.release(devEuiOf(1))).resolves.toBe('unclaimed');
      });
    });

    it('spends about the same time on an unknown DevEUI as on a wrong token (medians within 2x)', async () => {
      const n = 150;
      await manufacturer.importRecords(recordsFromJson(Array.from({ length: n }, (_, i) => record(i))));
      const time = async (devEui: string) => {
        const t = process.hrtime.bigint();
        await claim({ devEui, ownerToken: 'ABCDEFGHJKMNPQRSTVWXYZ01' }).catch(() => undefined);
        return Number(process.hrtime.bigint() - t);
      };
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < n; i++) {
        known.push(await time(devEuiOf(i)));
        unknown.push(await time(devEuiOf(100_000 + i)));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const ratio = median(known) / median(unknown);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    });
  });
});
