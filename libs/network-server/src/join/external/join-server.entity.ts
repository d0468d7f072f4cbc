import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An external join server this network server sends Backend Interfaces requests to (table
 * `join_servers`, migration 1763780000000-join-servers). Secrets (KEK, bearer token, TLS client key)
 * are sealed with KeyCipher under the master key, bound to their row and column by the context
 * `join-server:<id>:<column>` (join-server-record.ts). Certificates are public and stored as PEM.
 */
@Entity('join_servers')
export class JoinServerEntity {
  /** UUID. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** The full Backend Interfaces endpoint, e.g. https://js.example.net/api/backend-interfaces. */
  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** JoinEUIs (16 lowercase hex digits) routed to this join server. */
  @Column({ name: 'join_euis', type: 'simple-json' })
  joinEuis!: string[];

  @Column({ name: 'kek_label', type: 'varchar', length: 256, nullable: true })
  kekLabel!: string | null;

  @Column({ type: 'blob', nullable: true })
  kek!: Buffer | null;

  @Column({ type: 'blob', nullable: true })
  token!: Buffer | null;

  @Column({ name: 'ca_cert', type: 'text', nullable: true })
  caCert!: string | null;

  @Column({ name: 'client_cert', type: 'text', nullable: true })
  clientCert!: string | null;

  @Column({ name: 'client_key', type: 'blob', nullable: true })
  clientKey!: Buffer | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
