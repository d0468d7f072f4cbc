export * from './key-cipher';
export * from './database-url';
export * from './storage.module';
export * from './migrations';
export * from './entities';
export * from './sqlite-connection';
