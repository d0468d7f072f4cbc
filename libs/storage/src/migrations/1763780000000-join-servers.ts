import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * External join servers the network server sends LoRaWAN Backend Interfaces requests to
 * (libs/network-server/src/join/external): endpoint, routed JoinEUIs, and the KEK, bearer token and
 * TLS client key sealed under the master key. Certificates are public and kept as PEM text.
 */
export class JoinServers1763780000000 implements MigrationInterface {
  name = 'JoinServers1763780000000';

  async up(q: QueryRunner): Promise<void> {
    const date = q.connection.driver.normalizeType({ type: Date });
    // blob on SQLite; PostgreSQL would take bytea here.
    const blob = q.connection.driver.options.type === 'postgres' ? 'bytea' : 'blob';
    await q.createTable(
      new Table({
        name: 'join_servers',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'url', type: 'varchar', length: '2048' },
          { name: 'join_euis', type: 'text' },
          { name: 'kek_label', type: 'varchar', length: '256', isNullable: true },
          { name: 'kek', type: blob, isNullable: true },
          { name: 'token', type: blob, isNullable: true },
          { name: 'ca_cert', type: 'text', isNullable: true },
          { name: 'client_cert', type: 'text', isNullable: true },
          { name: 'client_key', type: blob, isNullable: true },
          { name: 'created_at', type: date },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('join_servers');
  }
}
