import { Injectable, Logger } from '@nestjs/common';
import { KeyCipher } from '@lns/storage';
import { DeviceOwnershipRegistry } from '../claims/device-ownership';
import { defaultDevNoncePolicy, keyContext } from '../device/js-device';
import { JsDeviceEntity } from '../device/js-device.entity';
import { JoinServerService } from '../join-server.service';
import { buildTr005 } from '../qr/tr005';
import { ParsedImport } from './import-records';
import { ManufacturerError } from './manufacturer-errors';
import { ManufacturerRecord } from './manufacturer-record';
import { ManufacturerRecordEntity } from './manufacturer-record.entity';
import { ManufacturerRecordRepository, StoredRecord } from './manufacturer-record.repository';
import { generateOwnerToken, generateOwnerTokens } from './owner-token';

/** What an import answers for each record: its owner token, shown this once in the answer. */
export interface IssuedOwnerToken {
  devEui: string;
  ownerToken: string;
  /** The TR005 code for the label (`?qr=true`). */
  qr?: string;
}

/** At most this many problems are listed in an answer; the message gives the total. */
export const MAX_LISTED_PROBLEMS = 500;

/**
 * Manufacturer records: imports (all records stored in one transaction, or none), new owner tokens,
 * and the TR005 code of a device for its label. The owner token is kept sealed under the master key,
 * as the root keys are, so that labels can be printed again (GET …/qrcode) until the device is claimed;
 * a claim uses it up.
 */
@Injectable()
export class ManufacturerService {
  private readonly logger = new Logger('JoinServer');

  constructor(
    private readonly repo: ManufacturerRecordRepository,
    private readonly cipher: KeyCipher,
    private readonly js: JoinServerService,
    private readonly ownerships: DeviceOwnershipRegistry,
  ) {}

  /** Stores the records and answers their owner tokens. Throws ManufacturerError (nothing stored then). */
  async importRecords(parsed: ParsedImport, opts: { qr?: boolean } = {}): Promise<IssuedOwnerToken[]> {
    if (parsed.problems.length > 0) {
      throw new ManufacturerError(
        'INVALID_RECORDS',
        `${parsed.problems.length} problem(s) in the records; nothing was imported`,
        parsed.problems.slice(0, MAX_LISTED_PROBLEMS),
      );
    }
    const devEuis = parsed.records.map((r) => r.record.devEui);
    const taken = await this.repo.existing(devEuis);
    if (taken.size > 0) throw duplicates(parsed.records.filter((r) => taken.has(r.record.devEui)));

    const started = Date.now();
    const now = new Date();
    const tokens = generateOwnerTokens(parsed.records.length);
    const devices: JsDeviceEntity[] = [];
    const records: ManufacturerRecordEntity[] = [];
    parsed.records.forEach(({ record }, i) => {
      devices.push(this.deviceRow(record, now));
      records.push(this.recordRow(record, tokens[i], now));
    });
    try {
      await this.repo.insertAll(devices, records);
    } catch (err) {
      // Another import (or POST /api/devices) took a DevEUI since it was checked: still all or nothing.
      if (isUniqueViolation(err)) {
        const takenNow = await this.repo.existing(devEuis);
        throw duplicates(parsed.records.filter((r) => takenNow.has(r.record.devEui)));
      }
      throw err;
    }
    await this.js.loadDevices(devEuis);
    for (const r of records) this.ownerships.remember(r);
    this.logger.log(`${records.length} manufacturer records imported in ${Date.now() - started} ms`);
    return parsed.records.map(({ record }, i) => ({
      devEui: record.devEui,
      ownerToken: tokens[i],
      ...(opts.qr ? { qr: tr005Of(record.joinEui, records[i], tokens[i]) } : {}),
    }));
  }

  /**
   * A new owner token for the device, replacing the old one (a lost label, or a device sold on: the next
   * claim then moves its ownership). Throws ManufacturerError UNKNOWN_RECORD.
   */
  async issueOwnerToken(devEui: string): Promise<Required<IssuedOwnerToken>> {
    const eui = devEui.toLowerCase();
    // Two tries: the second after a concurrent claim or new token changed the record.
    for (let attempt = 0; attempt < 2; attempt++) {
      const stored = await this.find(eui);
      const token = generateOwnerToken();
      const sealed = this.cipher.encrypt(Buffer.from(token, 'utf8'), keyContext.ownerToken(eui));
      if (await this.repo.replaceToken(eui, stored.record.tokenSerial, sealed, new Date())) {
        this.logger.log(`${eui}: new owner token issued`);
        return { devEui: eui, ownerToken: token, qr: tr005Of(stored.device.joinEui, stored.record, token) };
      }
    }
    throw new Error(`${eui}: the record kept changing while a new owner token was issued`);
  }

  /**
   * The device's TR005 code with its owner token, for its label. Throws ManufacturerError UNKNOWN_RECORD,
   * or TOKEN_USED once the device was claimed (a new token must be issued first).
   */
  async tr005(devEui: string): Promise<string> {
    const eui = devEui.toLowerCase();
    const { record, device } = await this.find(eui);
    if (!record.ownerToken) {
      throw new ManufacturerError('TOKEN_USED', `${eui} was claimed: its owner token is used up`, [
        {
          field: 'devEui',
          reason:
            'claimed: its owner token is used up; issue a new one with POST /api/js/devices/{devEui}/owner-token',
        },
      ]);
    }
    const token = this.cipher.decrypt(record.ownerToken, keyContext.ownerToken(eui)).toString('utf8');
    return tr005Of(device.joinEui, record, token);
  }

  private async find(devEui: string): Promise<StoredRecord> {
    const stored = await this.repo.find(devEui);
    if (!stored) {
      throw new ManufacturerError('UNKNOWN_RECORD', `no manufacturer record for DevEUI ${devEui}`, [
        { field: 'devEui', reason: 'no manufacturer record for this DevEUI' },
      ]);
    }
    return stored;
  }

  /** The join server's device, as JoinServerService.upsertDeviceKeys would create it. */
  private deviceRow(r: ManufacturerRecord, now: Date): JsDeviceEntity {
    const row = new JsDeviceEntity();
    row.devEui = r.devEui;
    row.joinEui = r.joinEui;
    row.macVersion = r.macVersion;
    row.appKey = this.cipher.encrypt(r.appKey, keyContext.appKey(r.devEui));
    row.nwkKey = r.nwkKey ? this.cipher.encrypt(r.nwkKey, keyContext.nwkKey(r.devEui)) : null;
    row.devNoncePolicy = defaultDevNoncePolicy(r.macVersion);
    row.lastDevNonce = null;
    row.usedDevNonces = null;
    row.lastJoinNonce = 0;
    row.rjCount1Last = null;
    row.sessionKeyId = null;
    row.appSKey = null;
    row.owner = null;
    row.ownerToken = null;
    row.claimedAt = null;
    row.createdAt = now;
    row.updatedAt = now;
    return row;
  }

  private recordRow(r: ManufacturerRecord, token: string, now: Date): ManufacturerRecordEntity {
    const row = new ManufacturerRecordEntity();
    row.devEui = r.devEui;
    row.profileId = r.profileId;
    row.serialNumber = r.serialNumber ?? null;
    row.ownerToken = this.cipher.encrypt(Buffer.from(token, 'utf8'), keyContext.ownerToken(r.devEui));
    row.tokenSerial = 1;
    row.tokenIssuedAt = now;
    row.owner = null;
    row.homeNetId = null;
    row.kekLabel = null;
    row.claimedAt = null;
    // Equal to the device's: DeviceOwnershipRegistry tells a record from a later device by it.
    row.createdAt = now;
    row.updatedAt = now;
    return row;
  }
}

function tr005Of(joinEui: string, r: ManufacturerRecordEntity, ownerToken: string): string {
  return buildTr005({
    joinEui,
    devEui: r.devEui,
    profileId: r.profileId,
    ownerToken,
    ...(r.serialNumber !== null ? { serialNumber: r.serialNumber } : {}),
  });
}

function duplicates(records: Array<{ line: number; record: ManufacturerRecord }>): ManufacturerError {
  return new ManufacturerError(
    'DUPLICATE_RECORDS',
    `${records.length} DevEUI(s) already known to the join server; nothing was imported`,
    records
      .slice(0, MAX_LISTED_PROBLEMS)
      .map((r) => ({ line: r.line, field: 'devEui', reason: 'already known to the join server' })),
  );
}

/** SQLite `SQLITE_CONSTRAINT_PRIMARYKEY`/`…_UNIQUE`, PostgreSQL 23505. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { driverError?: { code?: unknown } })?.driverError?.code;
  return (
    code === '23505' || (typeof code === 'string' && /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(code))
  );
}
