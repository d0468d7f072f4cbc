import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A group of devices whose events go to one application server. */
@Entity('applications')
export class ApplicationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** A tunnel application: the network never holds the AppSKey in clear (CONTRACT.md). */
  @Column({ name: 'end_to_end', type: 'boolean', default: false })
  endToEnd!: boolean;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
