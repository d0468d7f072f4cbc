import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LnsConfig, LNS_CONFIG, LNS_SECRETS, Secrets } from '@lns/config';
import { parseDatabaseUrl } from './database-url';
import { KeyCipher } from './key-cipher';
import { MIGRATIONS } from './migrations';

/**
 * The database: SQLite through better-sqlite3 by default (see docs/decisions.md),
 * WAL journal, synchronous=FULL so a committed frame counter survives a crash or a
 * power cut. Migrations are checked in and run at start; entities register themselves
 * with TypeOrmModule.forFeature in their own lib.
 */
@Global()
@Module({})
export class StorageModule {
  static forRoot(): DynamicModule {
    return {
      module: StorageModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [LNS_CONFIG],
          useFactory: (config: LnsConfig) => {
            const target = parseDatabaseUrl(config.database.url, config.dataDir);
            if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
            return {
              type: 'better-sqlite3' as const,
              database: target.file,
              autoLoadEntities: true,
              synchronize: false,
              migrations: MIGRATIONS,
              migrationsRun: true,
              prepareDatabase: (db: { pragma(s: string): unknown }) => {
                db.pragma('journal_mode = WAL');
                db.pragma('synchronous = FULL');
                db.pragma('foreign_keys = ON');
                db.pragma('busy_timeout = 5000');
              },
            };
          },
        }),
      ],
      providers: [
        {
          provide: KeyCipher,
          inject: [LNS_SECRETS],
          useFactory: (secrets: Secrets) => new KeyCipher(secrets.masterKey),
        },
      ],
      exports: [KeyCipher],
    };
  }
}
