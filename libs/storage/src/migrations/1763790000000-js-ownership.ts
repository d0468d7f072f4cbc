import { MigrationInterface, QueryRunner, Table, TableForeignKey } from 'typeorm';

/**
 * Manufacturer records of the join server (libs/join-server/src/manufacturer): for a device imported by
 * its manufacturer, what its TR005 label says (ProfileID, serial number), its owner token sealed under
 * the master key (null once a claim used it) and who claimed it: the owner, the NetID of the network
 * server allowed to ask for its joins, and the label of the key (ASTK) that wraps its AppSKey. The root
 * keys stay in js_devices; a record goes with its device.
 */
export class JsOwnership1763790000000 implements MigrationInterface {
  name = 'JsOwnership1763790000000';

  async up(q: QueryRunner): Promise<void> {
    const date = q.connection.driver.normalizeType({ type: Date });
    // blob on SQLite; PostgreSQL would take bytea here.
    const blob = q.connection.driver.options.type === 'postgres' ? 'bytea' : 'blob';
    await q.createTable(
      new Table({
        name: 'js_manufacturer_records',
        columns: [
          { name: 'dev_eui', type: 'varchar', length: '16', isPrimary: true },
          { name: 'profile_id', type: 'varchar', length: '8' },
          { name: 'serial_number', type: 'varchar', length: '64', isNullable: true },
          { name: 'owner_token', type: blob, isNullable: true },
          { name: 'token_serial', type: 'integer', default: 1 },
          { name: 'token_issued_at', type: date },
          { name: 'owner', type: 'varchar', length: '100', isNullable: true },
          { name: 'home_net_id', type: 'varchar', length: '6', isNullable: true },
          { name: 'kek_label', type: 'varchar', length: '256', isNullable: true },
          { name: 'claimed_at', type: date, isNullable: true },
          { name: 'created_at', type: date },
          { name: 'updated_at', type: date },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['dev_eui'],
            referencedTableName: 'js_devices',
            referencedColumnNames: ['dev_eui'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('js_manufacturer_records');
  }
}
