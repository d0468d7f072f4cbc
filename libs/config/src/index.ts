export * from './config.schema';
export * from './load-config';
export * from './secrets';
export * from './config.module';
