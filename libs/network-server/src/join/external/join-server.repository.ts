import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { JoinServerEntity } from './join-server.entity';
import { JoinServerRecord } from './join-server-record';

/** All database I/O of the join-server registry: rows in at start, inserts and deletes from the REST API. */
@Injectable()
export class JoinServerRepository {
  constructor(@InjectRepository(JoinServerEntity) private readonly rows: Repository<JoinServerEntity>) {}

  async loadAll(): Promise<JoinServerRecord[]> {
    return (await this.rows.find({ order: { createdAt: 'ASC' } })).map(toRecord);
  }

  async insert(r: JoinServerRecord): Promise<void> {
    await this.rows.insert(toRow(r));
  }

  /** True when a row was deleted. */
  async delete(id: string): Promise<boolean> {
    const result = await this.rows.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}

function toRow(r: JoinServerRecord): JoinServerEntity {
  const row = new JoinServerEntity();
  row.id = r.id;
  row.name = r.name;
  row.url = r.url;
  row.joinEuis = [...r.joinEuis];
  row.kekLabel = r.kekLabel;
  row.kek = r.kekSealed;
  row.token = r.tokenSealed;
  row.caCert = r.caCert;
  row.clientCert = r.clientCert;
  row.clientKey = r.clientKeySealed;
  row.createdAt = r.createdAt;
  return row;
}

function toRecord(row: JoinServerEntity): JoinServerRecord {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    joinEuis: Array.isArray(row.joinEuis) ? row.joinEuis : [],
    kekLabel: row.kekLabel,
    kekSealed: row.kek,
    tokenSealed: row.token,
    caCert: row.caCert,
    clientCert: row.clientCert,
    clientKeySealed: row.clientKey,
    createdAt: row.createdAt,
  };
}
