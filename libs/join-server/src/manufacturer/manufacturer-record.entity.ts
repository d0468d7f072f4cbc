import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A manufacturer record (table `js_manufacturer_records`, migration 1763790000000-js-ownership): the
 * TR005 identity, the sealed owner token and the claim of a js_devices row. The owner token is sealed
 * with KeyCipher under the context `js:<devEui>:ownerToken`; null once a claim consumed it.
 */
@Entity('js_manufacturer_records')
export class ManufacturerRecordEntity {
  /** 16 lowercase hex digits; the js_devices row it belongs to. */
  @PrimaryColumn({ name: 'dev_eui', type: 'varchar', length: 16 })
  devEui!: string;

  /** TR005 ProfileID, 8 lowercase hex digits. */
  @Column({ name: 'profile_id', type: 'varchar', length: 8 })
  profileId!: string;

  @Column({ name: 'serial_number', type: 'varchar', length: 64, nullable: true })
  serialNumber!: string | null;

  @Column({ name: 'owner_token', type: 'blob', nullable: true })
  ownerToken!: Buffer | null;

  /** Counts the tokens issued: a claim or a new token applies only to the one it read. */
  @Column({ name: 'token_serial', type: 'integer', default: 1 })
  tokenSerial!: number;

  @Column({ name: 'token_issued_at', type: Date })
  tokenIssuedAt!: Date;

  @Column({ type: 'varchar', length: 100, nullable: true })
  owner!: string | null;

  /** 6 lowercase hex digits: the NetID whose network server may send this device's JoinReq. */
  @Column({ name: 'home_net_id', type: 'varchar', length: 6, nullable: true })
  homeNetId!: string | null;

  /** Label of the KEK (the application's ASTK) the AppSKey is wrapped under for the owner. */
  @Column({ name: 'kek_label', type: 'varchar', length: 256, nullable: true })
  kekLabel!: string | null;

  @Column({ name: 'claimed_at', type: Date, nullable: true })
  claimedAt!: Date | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}
