import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Device profiles, applications, devices, their sessions and downlink queues. */
export class Registry1763750000000 implements MigrationInterface {
  name = 'Registry1763750000000';

  async up(q: QueryRunner): Promise<void> {
    const date = q.connection.driver.normalizeType({ type: Date });
    const bool = q.connection.driver.normalizeType({ type: Boolean });
    // blob on SQLite; PostgreSQL would take bytea here.
    const blob = q.connection.driver.options.type === 'postgres' ? 'bytea' : 'blob';
    await q.createTable(
      new Table({
        name: 'device_profiles',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'region', type: 'varchar', length: '16' },
          { name: 'mac_version', type: 'varchar', length: '8' },
          { name: 'reg_params_revision', type: 'varchar', length: '16', isNullable: true },
          { name: 'supports_class_c', type: bool, default: false },
          { name: 'adr_enabled', type: bool, default: true },
          { name: 'rx1_delay', type: 'integer', default: 1 },
          { name: 'rx1_dr_offset', type: 'integer', default: 0 },
          { name: 'rx2_data_rate', type: 'integer', isNullable: true },
          { name: 'rx2_frequency', type: 'integer', isNullable: true },
          { name: 'sub_band', type: 'integer', isNullable: true },
          { name: 'created_at', type: date },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'applications',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'end_to_end', type: bool, default: false },
          { name: 'created_at', type: date },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'devices',
        columns: [
          { name: 'dev_eui', type: 'varchar', length: '16', isPrimary: true },
          { name: 'join_eui', type: 'varchar', length: '16', isNullable: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'description', type: 'varchar', length: '500', default: "''" },
          { name: 'application_id', type: 'varchar', length: '36' },
          { name: 'device_profile_id', type: 'varchar', length: '36' },
          { name: 'activation', type: 'varchar', length: '4' },
          { name: 'join_server', type: 'varchar', length: '36', isNullable: true },
          { name: 'tags', type: 'text' },
          { name: 'created_at', type: date },
        ],
        indices: [new TableIndex({ columnNames: ['application_id'] })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['application_id'],
            referencedTableName: 'applications',
            referencedColumnNames: ['id'],
          }),
          new TableForeignKey({
            columnNames: ['device_profile_id'],
            referencedTableName: 'device_profiles',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'device_sessions',
        columns: [
          { name: 'dev_eui', type: 'varchar', length: '16', isPrimary: true },
          { name: 'dev_addr', type: 'integer' },
          { name: 'mac_version', type: 'varchar', length: '8' },
          { name: 'keys', type: blob },
          { name: 'app_s_key_envelope', type: 'text', isNullable: true },
          { name: 'session_key_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'f_cnt_up', type: 'integer' },
          { name: 'n_f_cnt_down', type: 'integer' },
          { name: 'a_f_cnt_down', type: 'integer' },
          { name: 'mac_state', type: 'text' },
          { name: 'activated_at', type: date },
          { name: 'last_seen_at', type: date, isNullable: true },
        ],
        indices: [new TableIndex({ columnNames: ['dev_addr'] })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['dev_eui'],
            referencedTableName: 'devices',
            referencedColumnNames: ['dev_eui'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'device_queue_items',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'dev_eui', type: 'varchar', length: '16' },
          { name: 'f_port', type: 'integer' },
          { name: 'data', type: blob },
          { name: 'confirmed', type: bool, default: false },
          { name: 'is_encrypted', type: bool, default: false },
          { name: 'f_cnt_down', type: 'integer', isNullable: true },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'expires_at', type: date, isNullable: true },
          { name: 'created_at', type: date },
        ],
        indices: [new TableIndex({ columnNames: ['dev_eui', 'created_at'] })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['dev_eui'],
            referencedTableName: 'devices',
            referencedColumnNames: ['dev_eui'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['device_queue_items', 'device_sessions', 'devices', 'applications', 'device_profiles']) {
      await q.dropTable(t);
    }
  }
}
