/**
 * DI token of the MacLayer (an interface, so it needs a named token): the network server module
 * provides libs/network-server/src/mac's DefaultMacLayer under it; tests give their own.
 */
export const MAC_LAYER = 'MacLayer';
