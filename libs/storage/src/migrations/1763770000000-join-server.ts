import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The embedded join server's devices (libs/join-server): root keys sealed under the master key,
 * DevNonce history per policy, the last JoinNonce and RJcount1, the last session's AppSKey (sealed,
 * for AppSKeyReq) and the owner fields of manufacturer records and claims.
 */
export class JoinServer1763770000000 implements MigrationInterface {
  name = 'JoinServer1763770000000';

  async up(q: QueryRunner): Promise<void> {
    const date = q.connection.driver.normalizeType({ type: Date });
    // blob on SQLite; PostgreSQL would take bytea here.
    const blob = q.connection.driver.options.type === 'postgres' ? 'bytea' : 'blob';
    await q.createTable(
      new Table({
        name: 'js_devices',
        columns: [
          { name: 'dev_eui', type: 'varchar', length: '16', isPrimary: true },
          { name: 'join_eui', type: 'varchar', length: '16' },
          { name: 'mac_version', type: 'varchar', length: '8' },
          { name: 'app_key', type: blob },
          { name: 'nwk_key', type: blob, isNullable: true },
          { name: 'dev_nonce_policy', type: 'varchar', length: '8' },
          { name: 'last_dev_nonce', type: 'integer', isNullable: true },
          { name: 'used_dev_nonces', type: blob, isNullable: true },
          { name: 'last_join_nonce', type: 'integer', default: 0 },
          { name: 'rj_count1_last', type: 'integer', isNullable: true },
          { name: 'session_key_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'app_s_key', type: blob, isNullable: true },
          { name: 'owner', type: 'varchar', length: '64', isNullable: true },
          { name: 'owner_token', type: blob, isNullable: true },
          { name: 'claimed_at', type: date, isNullable: true },
          { name: 'created_at', type: date },
          { name: 'updated_at', type: date },
        ],
        indices: [new TableIndex({ columnNames: ['join_eui'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('js_devices');
  }
}
