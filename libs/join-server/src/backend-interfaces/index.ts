// LoRaWAN Backend Interfaces (TS002): the join server's endpoint, and the message codecs the network
// server's client (libs/network-server join/external) shares.
export * from './ts002';
export * from './ts002-fields';
export * from './ts002-header';
export * from './key-envelope';
export * from './join-messages';
export * from './owner-hooks';
export { BackendInterfacesPeers } from './backend-interfaces-peers';
export type { BackendInterfacesPeer, CallerCredentials } from './backend-interfaces-peers';
export { BackendInterfacesService } from './backend-interfaces.service';
export { BackendInterfacesModule } from './backend-interfaces.module';
