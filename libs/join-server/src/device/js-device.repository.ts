import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { decodeDevNonces, encodeDevNonces } from '../join/dev-nonce';
import { isDevNoncePolicy, isJsMacVersion, JsDevice } from './js-device';
import { JsDeviceEntity } from './js-device.entity';

/**
 * All database I/O of the join server: rows in and out of `js_devices`. The join path reads nothing
 * from here (devices are cached in memory at start); it only writes the nonce state, conditionally.
 */
@Injectable()
export class JsDeviceRepository {
  private readonly logger = new Logger('JoinServer');

  constructor(@InjectRepository(JsDeviceEntity) private readonly rows: Repository<JsDeviceEntity>) {}

  async loadAll(): Promise<JsDevice[]> {
    const out: JsDevice[] = [];
    for (const row of await this.rows.find()) {
      const d = this.toDeviceOrSkip(row);
      if (d) out.push(d);
    }
    return out;
  }

  async findOne(devEui: string): Promise<JsDevice | undefined> {
    const row = await this.rows.findOneBy({ devEui });
    return row ? this.toDeviceOrSkip(row) : undefined;
  }

  /** The devices among `devEuis` (unknown ones are left out), in chunks an `IN (…)` takes. */
  async findMany(devEuis: readonly string[]): Promise<JsDevice[]> {
    const out: JsDevice[] = [];
    for (let i = 0; i < devEuis.length; i += 900) {
      for (const row of await this.rows.findBy({ devEui: In(devEuis.slice(i, i + 900)) })) {
        const d = this.toDeviceOrSkip(row);
        if (d) out.push(d);
      }
    }
    return out;
  }

  async insert(d: JsDevice): Promise<void> {
    await this.rows.insert(toRow(d));
  }

  /** Writes only `fields` of the device, so that a concurrent writer's other columns survive. */
  async saveFields(d: JsDevice, fields: ReadonlyArray<keyof JsDevice>): Promise<void> {
    const row = toRow(d);
    const changes: Partial<JsDeviceEntity> = { updatedAt: row.updatedAt };
    for (const f of fields) {
      const column = COLUMN_OF[f];
      (changes as Record<string, unknown>)[column] = row[column];
    }
    await this.rows.update({ devEui: d.devEui }, changes);
  }

  /**
   * Writes the state of an answered (re)join only if nobody else answered one since `expectedLastJoinNonce`
   * was read (another instance sharing the database): true when written. Compare-and-set on the JoinNonce
   * keeps it strictly increasing without a lock across processes.
   */
  async saveJoinState(d: JsDevice, expectedLastJoinNonce: number): Promise<boolean> {
    const row = toRow(d);
    const result = await this.rows.update(
      { devEui: d.devEui, lastJoinNonce: expectedLastJoinNonce },
      {
        lastDevNonce: row.lastDevNonce,
        usedDevNonces: row.usedDevNonces,
        lastJoinNonce: row.lastJoinNonce,
        rjCount1Last: row.rjCount1Last,
        sessionKeyId: row.sessionKeyId,
        appSKey: row.appSKey,
        updatedAt: row.updatedAt,
      },
    );
    return result.affected === 1;
  }

  /** A row this code did not write (hand-edited, newer version) is skipped, loudly, not a crash. */
  private toDeviceOrSkip(row: JsDeviceEntity): JsDevice | undefined {
    const d = toDevice(row);
    if (typeof d !== 'string') return d;
    this.logger.error(`js_devices row ${row.devEui} skipped: ${d}`);
    return undefined;
  }

  /** True when a row was deleted. */
  async delete(devEui: string): Promise<boolean> {
    const result = await this.rows.delete({ devEui });
    return (result.affected ?? 0) > 0;
  }
}

function toRow(d: JsDevice): JsDeviceEntity {
  const row = new JsDeviceEntity();
  row.devEui = d.devEui;
  row.joinEui = d.joinEui;
  row.macVersion = d.macVersion;
  row.appKey = d.appKeySealed;
  row.nwkKey = d.nwkKeySealed;
  row.devNoncePolicy = d.devNoncePolicy;
  row.lastDevNonce = d.lastDevNonce;
  row.usedDevNonces = encodeDevNonces(d.usedDevNonces);
  row.lastJoinNonce = d.lastJoinNonce;
  row.rjCount1Last = d.rjCount1Last;
  row.sessionKeyId = d.sessionKeyId;
  row.appSKey = d.appSKeySealed;
  row.owner = d.owner;
  row.ownerToken = d.ownerTokenSealed;
  row.claimedAt = d.claimedAt;
  row.createdAt = d.createdAt;
  row.updatedAt = d.updatedAt;
  return row;
}

/** Entity property of each device field. */
const COLUMN_OF: Record<keyof JsDevice, keyof JsDeviceEntity> = {
  devEui: 'devEui',
  joinEui: 'joinEui',
  macVersion: 'macVersion',
  appKeySealed: 'appKey',
  nwkKeySealed: 'nwkKey',
  devNoncePolicy: 'devNoncePolicy',
  lastDevNonce: 'lastDevNonce',
  usedDevNonces: 'usedDevNonces',
  lastJoinNonce: 'lastJoinNonce',
  rjCount1Last: 'rjCount1Last',
  sessionKeyId: 'sessionKeyId',
  appSKeySealed: 'appSKey',
  owner: 'owner',
  ownerTokenSealed: 'ownerToken',
  claimedAt: 'claimedAt',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
};

function toDevice(row: JsDeviceEntity): JsDevice | string {
  const macVersion = row.macVersion;
  const devNoncePolicy = row.devNoncePolicy;
  if (!isJsMacVersion(macVersion)) return `unknown mac_version ${JSON.stringify(macVersion)}`;
  if (!isDevNoncePolicy(devNoncePolicy)) return `unknown dev_nonce_policy ${JSON.stringify(devNoncePolicy)}`;
  return {
    devEui: row.devEui,
    joinEui: row.joinEui,
    macVersion,
    appKeySealed: row.appKey,
    nwkKeySealed: row.nwkKey,
    devNoncePolicy,
    lastDevNonce: row.lastDevNonce,
    usedDevNonces: decodeDevNonces(row.usedDevNonces),
    lastJoinNonce: row.lastJoinNonce,
    rjCount1Last: row.rjCount1Last,
    sessionKeyId: row.sessionKeyId,
    appSKeySealed: row.appSKey,
    owner: row.owner,
    ownerTokenSealed: row.ownerToken,
    claimedAt: row.claimedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
