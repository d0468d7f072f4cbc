import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApplicationEntity } from '@lns/storage';
import { ApiTokenEntity } from './api-token.entity';

/** All database I/O of the API tokens. Read at login and on the token routes, never per message. */
@Injectable()
export class ApiTokenRepository {
  constructor(
    @InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>,
    @InjectRepository(ApplicationEntity) private readonly applications: Repository<ApplicationEntity>,
  ) {}

  async applicationExists(applicationId: string): Promise<boolean> {
    return this.applications.exists({ where: { id: applicationId } });
  }

  async insert(row: ApiTokenEntity): Promise<void> {
    await this.tokens.insert(row);
  }

  async findByHash(tokenHash: string): Promise<ApiTokenEntity | null> {
    return this.tokens.findOne({ where: { tokenHash } });
  }

  async listByApplication(applicationId: string): Promise<ApiTokenEntity[]> {
    return this.tokens.find({ where: { applicationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** True when a row was deleted. */
  async delete(applicationId: string, id: string): Promise<boolean> {
    const result = await this.tokens.delete({ applicationId, id });
    return (result.affected ?? 0) > 0;
  }
}
