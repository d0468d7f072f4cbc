import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, EntityTarget, In, IsNull, Not, ObjectLiteral, Repository } from 'typeorm';
import { JsDeviceEntity } from '../device/js-device.entity';
import { ManufacturerRecordEntity } from './manufacturer-record.entity';

/** Rows an INSERT carries at once: well under SQLite's 32 766 bound variables at 17 columns a row. */
const INSERT_CHUNK = 500;
/** DevEUIs one `IN (…)` names. */
const SELECT_CHUNK = 900;

/** A device's manufacturer record with the js_devices row it belongs to. */
export interface StoredRecord {
  record: ManufacturerRecordEntity;
  device: JsDeviceEntity;
}

/** What a claim writes. */
export interface ClaimWrite {
  owner: string | null;
  homeNetId: string | null;
  kekLabel: string | null;
  claimedAt: Date;
}

/**
 * All database I/O of manufacturer records and claims. Writes that depend on what was read (a claim, a
 * new token) are compare-and-set on `token_serial`, so two processes sharing the database cannot both
 * use one token.
 */
@Injectable()
export class ManufacturerRecordRepository {
  constructor(
    @InjectRepository(ManufacturerRecordEntity)
    private readonly records: Repository<ManufacturerRecordEntity>,
    @InjectRepository(JsDeviceEntity) private readonly devices: Repository<JsDeviceEntity>,
  ) {}

  /** Which of `devEuis` the join server already holds (manufacturer records or not). */
  async existing(devEuis: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < devEuis.length; i += SELECT_CHUNK) {
      const rows = await this.devices.find({
        select: { devEui: true },
        where: { devEui: In(devEuis.slice(i, i + SELECT_CHUNK)) },
      });
      for (const r of rows) found.add(r.devEui);
    }
    return found;
  }

  /** The devices and their records, in one transaction: an import is stored whole or not at all. */
  async insertAll(devices: JsDeviceEntity[], records: ManufacturerRecordEntity[]): Promise<void> {
    await this.records.manager.transaction(async (m) => {
      for (let i = 0; i < devices.length; i += INSERT_CHUNK) {
        await insertRows(m, JsDeviceEntity, devices.slice(i, i + INSERT_CHUNK));
      }
      for (let i = 0; i < records.length; i += INSERT_CHUNK) {
        await insertRows(m, ManufacturerRecordEntity, records.slice(i, i + INSERT_CHUNK));
      }
    });
  }

  /** Both rows are read whether or not the device exists, so that a lookup costs the same either way. */
  async find(devEui: string): Promise<StoredRecord | undefined> {
    const record = await this.records.findOneBy({ devEui });
    const device = await this.devices.findOneBy({ devEui });
    return record && device ? { record, device } : undefined;
  }

  /** The record alone (no timing to even out: only this process releases claims). */
  async findRecord(devEui: string): Promise<ManufacturerRecordEntity | undefined> {
    return (await this.records.findOneBy({ devEui })) ?? undefined;
  }

  /** Every record without its owner token (for the owner checks of the join server). */
  async loadAll(): Promise<ManufacturerRecordEntity[]> {
    return this.records.find({
      select: {
        devEui: true,
        profileId: true,
        serialNumber: true,
        tokenSerial: true,
        tokenIssuedAt: true,
        owner: true,
        homeNetId: true,
        kekLabel: true,
        claimedAt: true,
        createdAt: true,
        updatedAt: true,
      },
    });
  }

  /** A new owner token, if no other token was issued since `expectedSerial` was read. */
  async replaceToken(devEui: string, expectedSerial: number, sealed: Buffer, now: Date): Promise<boolean> {
    const result = await this.records.update(
      { devEui, tokenSerial: expectedSerial },
      { ownerToken: sealed, tokenSerial: expectedSerial + 1, tokenIssuedAt: now, updatedAt: now },
    );
    return result.affected === 1;
  }

  /**
   * Uses the token (it is dropped) and records the claim, if the token read is still the one stored; the
   * serial moves on to `expectedSerial + 1`.
   */
  async consumeToken(devEui: string, expectedSerial: number, claim: ClaimWrite): Promise<boolean> {
    const result = await this.records.update(
      { devEui, tokenSerial: expectedSerial, ownerToken: Not(IsNull()) },
      { ...claim, ownerToken: null, tokenSerial: expectedSerial + 1, updatedAt: claim.claimedAt },
    );
    return result.affected === 1;
  }

  /**
   * Clears the claim read at `expectedSerial` (owner, home NetID, AS key label, time); the owner token is
   * left as it is (used up, or a new one issued since for the next owner). The serial moves on, so a claim,
   * a new token or an undo that read the claimed record no longer applies: one of them or this wins. In the
   * same transaction the device's last session (SessionKeyID, sealed AppSKey) is forgotten: the owner's
   * session key is never there for the next owner's AppSKeyReq.
   */
  async releaseClaim(devEui: string, expectedSerial: number, now: Date): Promise<boolean> {
    return this.records.manager.transaction(async (m) => {
      const result = await m.update(
        ManufacturerRecordEntity,
        { devEui, tokenSerial: expectedSerial, claimedAt: Not(IsNull()) },
        {
          owner: null,
          homeNetId: null,
          kekLabel: null,
          claimedAt: null,
          tokenSerial: expectedSerial + 1,
          updatedAt: now,
        },
      );
      if (result.affected !== 1) return false;
      await m.update(JsDeviceEntity, { devEui }, { sessionKeyId: null, appSKey: null, updatedAt: now });
      return true;
    });
  }

  /**
   * Puts a record back as it was before the claim that left it at `claimSerial` (for a provisioning that
   * failed after its claim): the same token claims again. False when something changed it since.
   */
  async restore(before: ManufacturerRecordEntity, claimSerial: number): Promise<boolean> {
    const result = await this.records.update(
      { devEui: before.devEui, tokenSerial: claimSerial, ownerToken: IsNull() },
      {
        ownerToken: before.ownerToken,
        tokenSerial: claimSerial + 1,
        owner: before.owner,
        homeNetId: before.homeNetId,
        kekLabel: before.kekLabel,
        claimedAt: before.claimedAt,
        updatedAt: new Date(),
      },
    );
    return result.affected === 1;
  }
}

/**
 * One multi-row INSERT of complete entities. TypeORM's own insert spends most of an import's time on
 * per-row bookkeeping (5000 devices: 0.7 s of 0.8); here each value still goes through the driver's
 * preparePersistentValue, so dates and blobs are stored exactly as TypeORM stores and reads them.
 */
async function insertRows<T extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<T>,
  rows: T[],
): Promise<void> {
  if (rows.length === 0) return;
  const meta = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const columns = meta.columns.filter((c) => c.isInsert);
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const values = columns.map((c) => {
      const value: unknown = c.getEntityValue(row);
      params.push(value === undefined ? null : driver.preparePersistentValue(value, c));
      return driver.createParameter(`p${params.length - 1}`, params.length - 1);
    });
    return `(${values.join(', ')})`;
  });
  const names = columns.map((c) => driver.escape(c.databaseName)).join(', ');
  await m.query(
    `INSERT INTO ${driver.escape(meta.tablePath)} (${names}) VALUES ${tuples.join(', ')}`,
    params,
  );
}
