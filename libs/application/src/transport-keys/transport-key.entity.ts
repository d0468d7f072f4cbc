import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An AS transport key (ASTK) of an end-to-end application (migration 1763800000000-transport-keys). The
 * ASTK itself is sealed under the master key (KeyCipher, context `astk:<applicationId>:<kekLabel>`); in
 * clear it exists only in memory, briefly, and at the application server.
 */
@Entity('application_transport_keys')
export class TransportKeyEntity {
  /** The KEK label of the AppSKey envelopes wrapped under this key; unique across applications. */
  @PrimaryColumn({ name: 'kek_label', type: 'varchar', length: 64 })
  kekLabel!: string;

  @Index()
  @Column({ name: 'application_id', type: 'varchar', length: 36 })
  applicationId!: string;

  /** The ASTK sealed under the master key. */
  @Column({ type: 'blob' })
  astk!: Buffer;

  /** SHA-256 of the AS public key (DER SubjectPublicKeyInfo) the ASTK was handed out under, hex. */
  @Column({ name: 'public_key_sha256', type: 'varchar', length: 64 })
  publicKeySha256!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  /** Set once revoked: no new session is wrapped under it. */
  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt!: Date | null;
}
