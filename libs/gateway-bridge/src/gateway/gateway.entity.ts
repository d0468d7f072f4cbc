import { Column, Entity, PrimaryColumn } from 'typeorm';
import { GatewayCounters } from './gateway-state';

/** A registered gateway and the state written behind from memory (migration 1763740000000-gateways). */
@Entity('gateways')
export class GatewayEntity {
  /** EUI, 16 lowercase hex digits. */
  @PrimaryColumn({ name: 'gateway_id', type: 'varchar', length: 16 })
  gatewayId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  region!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'last_seen_at', type: Date, nullable: true })
  lastSeenAt!: Date | null;

  @Column({ type: 'double precision', nullable: true })
  latitude!: number | null;

  @Column({ type: 'double precision', nullable: true })
  longitude!: number | null;

  @Column({ type: 'double precision', nullable: true })
  altitude!: number | null;

  @Column({ name: 'protocol_version', type: 'integer', nullable: true })
  protocolVersion!: number | null;

  @Column({ type: 'simple-json' })
  counters!: GatewayCounters;
}
