export * from './shutdown';
export * from './https-options';
export * from './fatal';
