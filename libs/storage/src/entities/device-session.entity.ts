import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The persisted copy of a device's session (the hot copy lives in memory in the network
 * server). Counters have their own columns so the group commit is one small UPDATE; the
 * MAC state is JSON; the session keys are one blob sealed under the master key
 * (KeyCipher, context `session:<devEui>`).
 */
@Entity('device_sessions')
export class DeviceSessionEntity {
  @PrimaryColumn({ name: 'dev_eui', type: 'varchar', length: 16 })
  devEui!: string;

  /** Unsigned 32-bit. */
  @Index()
  @Column({ name: 'dev_addr', type: 'integer' })
  devAddr!: number;

  @Column({ name: 'mac_version', type: 'varchar', length: 8 })
  macVersion!: string;

  /** Sealed: FNwkSIntKey | SNwkSIntKey | NwkSEncKey [| AppSKey]. */
  @Column({ type: 'blob' })
  keys!: Buffer;

  /** End-to-end applications: the AppSKey wrapped under the ASTK, as the join server gave it. */
  @Column({ name: 'app_s_key_envelope', type: 'simple-json', nullable: true })
  appSKeyEnvelope!: { kekLabel: string; aesKey: string } | null;

  @Column({ name: 'session_key_id', type: 'varchar', length: 64, nullable: true })
  sessionKeyId!: string | null;

  /** The next FCntUp expected (32-bit). */
  @Column({ name: 'f_cnt_up', type: 'integer' })
  fCntUp!: number;

  /** The next NFCntDown (1.1) or FCntDown (1.0.x, shared by all ports). */
  @Column({ name: 'n_f_cnt_down', type: 'integer' })
  nFCntDown!: number;

  /** The next AFCntDown (1.1 only). */
  @Column({ name: 'a_f_cnt_down', type: 'integer' })
  aFCntDown!: number;

  @Column({ name: 'mac_state', type: 'text' })
  macState!: string;

  @Column({ name: 'activated_at', type: Date })
  activatedAt!: Date;

  @Column({ name: 'last_seen_at', type: Date, nullable: true })
  lastSeenAt!: Date | null;
}
