/** The network server's MAC layer: the contract (MacLayer, MacState) and its default implementation. */
export * from './mac-layer';
export * from './mac-state';
export * from './errors';
export { DefaultMacLayer, DEFAULT_ANSWER_GRACE_MS, DEFAULT_MAX_REJECTIONS } from './default-mac-layer';
export type { DefaultMacLayerOptions } from './default-mac-layer';
export type { MacDevice, MacSettings, TxParams } from './command';
export * from './adr';
export { requiredSnr } from './required-snr';
export { GPS_EPOCH_UNIX_MS, GPS_LEAP_SECONDS, unixToGpsMs } from './device-time';
export type { MacStateInit } from './initial-state';
