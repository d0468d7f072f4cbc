import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An end-device as the network server knows it. Root keys (AppKey, NwkKey) are not here:
 * they belong to the join server (local: libs/join-server's table; external: never here).
 */
@Entity('devices')
export class DeviceEntity {
  /** 16 lowercase hex digits. */
  @PrimaryColumn({ name: 'dev_eui', type: 'varchar', length: 16 })
  devEui!: string;

  @Column({ name: 'join_eui', type: 'varchar', length: 16, nullable: true })
  joinEui!: string | null;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  description!: string;

  @Index()
  @Column({ name: 'application_id', type: 'varchar', length: 36 })
  applicationId!: string;

  @Column({ name: 'device_profile_id', type: 'varchar', length: 36 })
  deviceProfileId!: string;

  @Column({ type: 'varchar', length: 4 })
  activation!: 'OTAA' | 'ABP';

  /** 'local', or the id of an external join server; null for ABP. */
  @Column({ name: 'join_server', type: 'varchar', length: 36, nullable: true })
  joinServer!: string | null;

  @Column({ type: 'simple-json' })
  tags!: Record<string, string>;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
