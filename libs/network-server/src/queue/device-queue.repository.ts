import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeviceQueueItemEntity } from '@lns/storage';
import { QueueItem } from './queue-item';

/** All database I/O of the device queues; memory is authoritative after the start-up load. */
@Injectable()
export class DeviceQueueRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get rows() {
    return this.dataSource.getRepository(DeviceQueueItemEntity);
  }

  /** Every item, oldest first. */
  async loadAll(): Promise<QueueItem[]> {
    const rows = await this.rows.find({ order: { createdAt: 'ASC' } });
    return rows.map(toItem);
  }

  async insert(item: QueueItem): Promise<void> {
    await this.rows.insert(toRow(item));
  }

  /** After a transmission: how many so far, and the counter used. */
  async updateSent(item: QueueItem): Promise<void> {
    await this.rows.update({ id: item.id }, { attempts: item.attempts, fCntDown: item.fCntDown });
  }

  /** Plain items are encrypted again with the new session's keys and counters. */
  async resetCounters(devEui: string): Promise<void> {
    await this.rows.update({ devEui, isEncrypted: false }, { attempts: 0, fCntDown: null });
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.rows.delete([...ids]);
  }

  async deleteDevice(devEui: string): Promise<void> {
    await this.rows.delete({ devEui });
  }
}

function toRow(item: QueueItem): DeviceQueueItemEntity {
  const row = new DeviceQueueItemEntity();
  row.id = item.id;
  row.devEui = item.devEui;
  row.fPort = item.fPort;
  row.data = item.data;
  row.confirmed = item.confirmed;
  row.isEncrypted = item.isEncrypted;
  row.fCntDown = item.fCntDown;
  row.attempts = item.attempts;
  row.expiresAt = item.expiresAt === null ? null : new Date(item.expiresAt);
  row.createdAt = new Date(item.createdAt);
  return row;
}

function toItem(row: DeviceQueueItemEntity): QueueItem {
  return {
    id: row.id,
    devEui: row.devEui,
    fPort: row.fPort,
    data: Buffer.from(row.data),
    confirmed: row.confirmed,
    isEncrypted: row.isEncrypted,
    fCntDown: row.fCntDown,
    attempts: row.attempts,
    expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
    createdAt: row.createdAt.getTime(),
  };
}
