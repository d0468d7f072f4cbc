import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A device of the embedded join server (table `js_devices`, migration 1763770000000-join-server).
 * Keys are sealed with KeyCipher under the master key, bound to their row and column by the
 * context `js:<devEui>:appKey` / `js:<devEui>:nwkKey` / `js:<devEui>:appSKey:<sessionKeyId>` /
 * `js:<devEui>:ownerToken`. See js-device.ts for the meaning of each field.
 */
@Entity('js_devices')
export class JsDeviceEntity {
  /** 16 lowercase hex digits. */
  @PrimaryColumn({ name: 'dev_eui', type: 'varchar', length: 16 })
  devEui!: string;

  @Index()
  @Column({ name: 'join_eui', type: 'varchar', length: 16 })
  joinEui!: string;

  @Column({ name: 'mac_version', type: 'varchar', length: 8 })
  macVersion!: string;

  @Column({ name: 'app_key', type: 'blob' })
  appKey!: Buffer;

  @Column({ name: 'nwk_key', type: 'blob', nullable: true })
  nwkKey!: Buffer | null;

  @Column({ name: 'dev_nonce_policy', type: 'varchar', length: 8 })
  devNoncePolicy!: string;

  @Column({ name: 'last_dev_nonce', type: 'integer', nullable: true })
  lastDevNonce!: number | null;

  /** 'set' policy: the last used DevNonces, 2 bytes LE each, oldest first. */
  @Column({ name: 'used_dev_nonces', type: 'blob', nullable: true })
  usedDevNonces!: Buffer | null;

  /** 0 = no join-accept yet (the first JoinNonce is 1). */
  @Column({ name: 'last_join_nonce', type: 'integer', default: 0 })
  lastJoinNonce!: number;

  @Column({ name: 'rj_count1_last', type: 'integer', nullable: true })
  rjCount1Last!: number | null;

  @Column({ name: 'session_key_id', type: 'varchar', length: 64, nullable: true })
  sessionKeyId!: string | null;

  @Column({ name: 'app_s_key', type: 'blob', nullable: true })
  appSKey!: Buffer | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  owner!: string | null;

  @Column({ name: 'owner_token', type: 'blob', nullable: true })
  ownerToken!: Buffer | null;

  @Column({ name: 'claimed_at', type: Date, nullable: true })
  claimedAt!: Date | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
