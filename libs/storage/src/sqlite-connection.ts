import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';

/**
 * better-sqlite3's own Database under a TypeORM DataSource, when that is the driver: for the
 * batched writes that prepare one statement and run it in one transaction, where TypeORM's
 * per-row query building was most of the cost. Undefined on any other driver.
 */
export function sqliteConnection(dataSource: DataSource): Database | undefined {
  if (dataSource.options.type !== 'better-sqlite3') return undefined;
  return (dataSource.driver as unknown as { databaseConnection?: Database }).databaseConnection;
}
