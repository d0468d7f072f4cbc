export * from './event-bus';
export * from './event-bus.module';
export * from './application-events';
