import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A webhook of an application (migration 1763810000000-webhooks): application events are
 * POSTed to `url`. The extra headers often carry the endpoint's credentials, so they are kept
 * sealed with the master key (KeyCipher, context `webhook:{id}:headers`) and never shown again.
 */
@Entity('webhooks')
export class WebhookEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index()
  @Column({ name: 'application_id', type: 'varchar', length: 36 })
  applicationId!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** JSON `Record<string, string>`, sealed. */
  @Column({ type: 'blob' })
  headers!: Buffer;

  /** Comma-separated event types; null: every type. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  events!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
