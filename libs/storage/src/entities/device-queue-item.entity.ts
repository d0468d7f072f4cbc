import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A downlink waiting for its device, persisted so an acknowledged enqueue survives a crash. */
@Entity('device_queue_items')
@Index(['devEui', 'createdAt'])
export class DeviceQueueItemEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'dev_eui', type: 'varchar', length: 16 })
  devEui!: string;

  @Column({ name: 'f_port', type: 'integer' })
  fPort!: number;

  /** Plain payload, or for end-to-end applications the FRMPayload encrypted by the AS. */
  @Column({ type: 'blob' })
  data!: Buffer;

  @Column({ type: 'boolean', default: false })
  confirmed!: boolean;

  @Column({ name: 'is_encrypted', type: 'boolean', default: false })
  isEncrypted!: boolean;

  /** Set by the AS for encrypted items; otherwise assigned at the first transmission. */
  @Column({ name: 'f_cnt_down', type: 'integer', nullable: true })
  fCntDown!: number | null;

  /** Transmissions so far (confirmed items are retried until acknowledged or the limit). */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'expires_at', type: Date, nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
