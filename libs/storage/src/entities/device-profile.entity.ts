import { Column, Entity, PrimaryColumn } from 'typeorm';

export const MAC_VERSIONS = ['1.0.2', '1.0.3', '1.0.4', '1.1.0'] as const;
export type MacVersion = (typeof MAC_VERSIONS)[number];

/** What a kind of device supports: region, LoRaWAN version, class, ADR, timings. */
@Entity('device_profiles')
export class DeviceProfileEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** A region name of libs/lorawan (EU868, US915, …). */
  @Column({ type: 'varchar', length: 16 })
  region!: string;

  @Column({ name: 'mac_version', type: 'varchar', length: 8 })
  macVersion!: MacVersion;

  /** RP002 revision, e.g. RP002-1.0.3; informative. */
  @Column({ name: 'reg_params_revision', type: 'varchar', length: 16, nullable: true })
  regParamsRevision!: string | null;

  @Column({ name: 'supports_class_c', type: 'boolean', default: false })
  supportsClassC!: boolean;

  @Column({ name: 'adr_enabled', type: 'boolean', default: true })
  adrEnabled!: boolean;

  /** RX1 delay in seconds (1..15) given to devices at join (RxDelay) or by RXTimingSetupReq. */
  @Column({ name: 'rx1_delay', type: 'integer', default: 1 })
  rx1Delay!: number;

  /** RX1 DR offset, RX2 data rate and frequency the network wants; null = region default. */
  @Column({ name: 'rx1_dr_offset', type: 'integer', default: 0 })
  rx1DrOffset!: number;

  @Column({ name: 'rx2_data_rate', type: 'integer', nullable: true })
  rx2DataRate!: number | null;

  @Column({ name: 'rx2_frequency', type: 'integer', nullable: true })
  rx2Frequency!: number | null;

  /** US915/AU915: the sub-band (1..8) the network uses; null = all channels. */
  @Column({ name: 'sub_band', type: 'integer', nullable: true })
  subBand!: number | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
