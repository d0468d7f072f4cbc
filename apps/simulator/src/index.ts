/** The simulator library: virtual end-devices and virtual gateways for tests, benchmarks and the CLI. */
export * from './rng';
export * from './virtual-device';
export * from './device/types';
export { DeviceError } from './device/errors';
export type { DeviceErrorCode } from './device/errors';
export { ADR_ACK_DELAY, ADR_ACK_LIMIT, MAX_EIRP_DBM } from './device/mac-answers';
export type { MacParams } from './device/mac-answers';
export * from './virtual-gateway';
