import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An API token limited to one application (migration 1763760000000-api-tokens). Only the
 * SHA-256 of the token is stored: the token itself is shown once, when it is created.
 */
@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index()
  @Column({ name: 'application_id', type: 'varchar', length: 36 })
  applicationId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** SHA-256 of the whole token, 64 lowercase hex digits. */
  @Index({ unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** May read events, may not send downlinks. */
  @Column({ name: 'read_only', type: 'boolean', default: false })
  readOnly!: boolean;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
