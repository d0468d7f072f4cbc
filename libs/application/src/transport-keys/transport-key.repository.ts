import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApplicationEntity } from '@lns/storage';
import { TransportKeyEntity } from './transport-key.entity';

/** All database I/O of the transport keys: read at start and on their REST routes, never per join. */
@Injectable()
export class TransportKeyRepository {
  constructor(
    @InjectRepository(TransportKeyEntity) private readonly keys: Repository<TransportKeyEntity>,
    @InjectRepository(ApplicationEntity) private readonly applications: Repository<ApplicationEntity>,
  ) {}

  /** `endToEnd` of the application, or undefined when there is none. */
  async endToEnd(applicationId: string): Promise<boolean | undefined> {
    const row = await this.applications.findOne({
      where: { id: applicationId },
      select: { id: true, endToEnd: true },
    });
    return row ? row.endToEnd : undefined;
  }

  async insert(row: TransportKeyEntity): Promise<void> {
    await this.keys.insert(row);
  }

  /** The keys not revoked, of every application, oldest first (the cache at start). */
  async loadActive(): Promise<TransportKeyEntity[]> {
    return this.keys.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'ASC', kekLabel: 'ASC' } });
  }

  async listByApplication(applicationId: string): Promise<TransportKeyEntity[]> {
    return this.keys.find({ where: { applicationId }, order: { createdAt: 'ASC', kekLabel: 'ASC' } });
  }

  async find(applicationId: string, kekLabel: string): Promise<TransportKeyEntity | null> {
    return this.keys.findOne({ where: { applicationId, kekLabel } });
  }

  /** The newest creation time among the application's keys, revoked or not. */
  async newestCreatedAt(applicationId: string): Promise<Date | undefined> {
    const row = await this.keys.findOne({ where: { applicationId }, order: { createdAt: 'DESC' } });
    return row?.createdAt;
  }

  async markRevoked(applicationId: string, kekLabel: string, at: Date): Promise<void> {
    await this.keys.update({ applicationId, kekLabel, revokedAt: IsNull() }, { revokedAt: at });
  }
}
