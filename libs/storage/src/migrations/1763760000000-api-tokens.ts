import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * API tokens limited to one application (libs/application/src/tokens). Only the SHA-256
 * of a token is stored; deleting the application deletes its tokens.
 */
export class ApiTokens1763760000000 implements MigrationInterface {
  name = 'ApiTokens1763760000000';

  async up(q: QueryRunner): Promise<void> {
    const date = q.connection.driver.normalizeType({ type: Date });
    const bool = q.connection.driver.normalizeType({ type: Boolean });
    await q.createTable(
      new Table({
        name: 'api_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'application_id', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'read_only', type: bool, default: false },
          { name: 'created_at', type: date },
        ],
        indices: [
          new TableIndex({ columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ columnNames: ['application_id'] }),
        ],
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
    await q.dropTable('api_tokens');
  }
}
