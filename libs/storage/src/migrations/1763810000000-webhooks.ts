import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Webhooks of applications and their durable outbox (libs/application/src/webhooks). An
 * outbox row is one event for one webhook, written before it is sent and deleted once it is
 * delivered or given up. Deleting an application deletes its webhooks; deleting a webhook
 * deletes its outbox rows.
 */
export class Webhooks1763810000000 implements MigrationInterface {
  name = 'Webhooks1763810000000';

  async up(q: QueryRunner): Promise<void> {
    const date = q.connection.driver.normalizeType({ type: Date });
    // blob on SQLite; PostgreSQL would take bytea here.
    const blob = q.connection.driver.options.type === 'postgres' ? 'bytea' : 'blob';
    await q.createTable(
      new Table({
        name: 'webhooks',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'application_id', type: 'varchar', length: '36' },
          { name: 'url', type: 'varchar', length: '2048' },
          { name: 'headers', type: blob },
          { name: 'events', type: 'varchar', length: '64', isNullable: true },
          { name: 'created_at', type: date },
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
    await q.createTable(
      new Table({
        name: 'webhook_outbox',
        columns: [
          { name: 'id', type: 'bigint', isPrimary: true },
          { name: 'webhook_id', type: 'varchar', length: '36' },
          { name: 'delivery_id', type: 'varchar', length: '36' },
          { name: 'application_id', type: 'varchar', length: '36' },
          { name: 'dev_eui', type: 'text' },
          { name: 'event', type: 'varchar', length: '8' },
          { name: 'body', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'next_attempt_at', type: 'bigint', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '200', isNullable: true },
        ],
        // The delivery worker of an endpoint reads its rows in id order.
        indices: [new TableIndex({ columnNames: ['webhook_id', 'id'] })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['webhook_id'],
            referencedTableName: 'webhooks',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('webhook_outbox');
    await q.dropTable('webhooks');
  }
}
