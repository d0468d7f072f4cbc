import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Registered gateways (libs/gateway-bridge). Location, last seen, protocol version and
 * counters are written behind from memory every few seconds. Column types go through
 * the driver (Date → datetime on SQLite, timestamp on PostgreSQL) to stay DB-agnostic.
 */
export class Gateways1763740000000 implements MigrationInterface {
  name = 'Gateways1763740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dateType = queryRunner.connection.driver.normalizeType({ type: Date });
    await queryRunner.createTable(
      new Table({
        name: 'gateways',
        columns: [
          { name: 'gateway_id', type: 'varchar', length: '16', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'region', type: 'varchar', length: '16', isNullable: true },
          { name: 'created_at', type: dateType },
          { name: 'last_seen_at', type: dateType, isNullable: true },
          { name: 'latitude', type: 'double precision', isNullable: true },
          { name: 'longitude', type: 'double precision', isNullable: true },
          { name: 'altitude', type: 'double precision', isNullable: true },
          { name: 'protocol_version', type: 'integer', isNullable: true },
          { name: 'counters', type: 'text' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('gateways');
  }
}
