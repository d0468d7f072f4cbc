// The public face of the protocol core: other libs import only from here.
export * from './errors';
export * from './mhdr';
export * from './fctrl';
export * from './fhdr';
export * from './phy-payload';
export * from './mac-commands';
export * from './mac-version';
export * from './cmac';
export * from './mic';
export * from './encryption';
export * from './keys';
export * from './key-wrap';
export * from './fcnt';
export * from './cflist';
export * from './dl-settings';
export * from './airtime';
export * from './regions';
