import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An AS key of the join server (table `js_as_keys`, migration 1763820000000-js-as-keys): an AS transport key
 * (ASTK) made here for one application server, which a device's owner names by its label when claiming the
 * device. The ASTK is sealed under the master key (KeyCipher, context `js:asKey:<kekLabel>`); in clear it
 * exists only in memory, for the moment of a join, and at the application server.
 */
@Entity('js_as_keys')
export class JsAsKeyEntity {
  /** `js-astk-` and 16 hex digits: the KEKLabel of the AppSKey envelopes wrapped under it. */
  @PrimaryColumn({ name: 'kek_label', type: 'varchar', length: 64 })
  kekLabel!: string;

  /** Whom it is for, as the operator named it; never used for a decision. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  name!: string | null;

  /** The ASTK sealed under the master key. */
  @Column({ type: 'blob' })
  astk!: Buffer;

  /** SHA-256 of the AS public key (DER SubjectPublicKeyInfo) the ASTK was handed out under, hex. */
  @Column({ name: 'public_key_sha256', type: 'varchar', length: 64 })
  publicKeySha256!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  /** Set once revoked: no AppSKey is wrapped under it any more, and claims may not name it. */
  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt!: Date | null;
}
