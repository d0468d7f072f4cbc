import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { JsAsKeyEntity } from './as-key.entity';

/** All database I/O of the AS keys: read at start and on their REST routes, never per join. */
@Injectable()
export class AsKeyRepository {
  constructor(@InjectRepository(JsAsKeyEntity) private readonly keys: Repository<JsAsKeyEntity>) {}

  async insert(row: JsAsKeyEntity): Promise<void> {
    await this.keys.insert(row);
  }

  /** Every key, revoked ones too, oldest first: the cache at start (a claim naming a revoked key fails closed). */
  async loadAll(): Promise<JsAsKeyEntity[]> {
    return this.keys.find({ order: { createdAt: 'ASC', kekLabel: 'ASC' } });
  }

  /** Every key without the sealed ASTK, oldest first (the listing). */
  async list(): Promise<JsAsKeyEntity[]> {
    return this.keys.find({
      select: { kekLabel: true, name: true, publicKeySha256: true, createdAt: true, revokedAt: true },
      order: { createdAt: 'ASC', kekLabel: 'ASC' },
    });
  }

  async find(kekLabel: string): Promise<JsAsKeyEntity | null> {
    return this.keys.findOneBy({ kekLabel });
  }

  async markRevoked(kekLabel: string, at: Date): Promise<void> {
    await this.keys.update({ kekLabel, revokedAt: IsNull() }, { revokedAt: at });
  }
}
