import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * AS transport keys (ASTK) of end-to-end applications (libs/application/src/transport-keys): the key
 * sealed under the master key, the fingerprint of the AS public key it was handed out under, and when it
 * was revoked. Deleting the application deletes its keys.
 */
export class TransportKeys1763800000000 implements MigrationInterface {
  name = 'TransportKeys1763800000000';

  async up(q: QueryRunner): Promise<void> {
    const date = q.connection.driver.normalizeType({ type: Date });
    // blob on SQLite; PostgreSQL would take bytea here.
    const blob = q.connection.driver.options.type === 'postgres' ? 'bytea' : 'blob';
    await q.createTable(
      new Table({
        name: 'application_transport_keys',
        columns: [
          { name: 'kek_label', type: 'varchar', length: '64', isPrimary: true },
          { name: 'application_id', type: 'varchar', length: '36' },
          { name: 'astk', type: blob },
          { name: 'public_key_sha256', type: 'varchar', length: '64' },
          { name: 'created_at', type: date },
          { name: 'revoked_at', type: date, isNullable: true },
        ],
        indices: [new TableIndex({ columnNames: ['application_id'] })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['application_id'],
            referencedTableName: 'applications',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('application_transport_keys');
  }
}
