export * from './auth.guard';
export * from './auth';
export * from './validation';
export * from './health.controller';
export * from './api.module';
export * from './server-info.controller';
export * from './observability';
export * from './bootstrap';
