import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * AS keys of the join server (libs/join-server/src/as-keys): ASTKs made for application servers, which a
 * device's owner names in its claim (`js_manufacturer_records.kek_label`) so that the AppSKey is wrapped
 * for its AS. The key sealed under the master key, the fingerprint of the AS public key it was handed out
 * under, and when it was revoked. Rows are revoked, never deleted: a claim naming a revoked key must fail
 * closed rather than look like one naming a key this join server never made.
 */
export class JsAsKeys1763820000000 implements MigrationInterface {
  name = 'JsAsKeys1763820000000';

  async up(q: QueryRunner): Promise<void> {
    const date = q.connection.driver.normalizeType({ type: Date });
    // blob on SQLite; PostgreSQL would take bytea here.
    const blob = q.connection.driver.options.type === 'postgres' ? 'bytea' : 'blob';
    await q.createTable(
      new Table({
        name: 'js_as_keys',
        columns: [
          { name: 'kek_label', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100', isNullable: true },
          { name: 'astk', type: blob },
          { name: 'public_key_sha256', type: 'varchar', length: '64' },
          { name: 'created_at', type: date },
          { name: 'revoked_at', type: date, isNullable: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('js_as_keys');
  }
}
