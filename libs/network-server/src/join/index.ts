import { Provider } from '@nestjs/common';
import { DevAddrAllocator } from './dev-addr-allocator';
import { JoinRequestHandler } from './join-request-handler';
import { LocalJoinRequestHandler } from './local-join-request-handler';
import { RejoinCounters } from './rejoin-counters';

export * from './join-request-handler';
export * from './app-s-key-kek';
export * from './net-id';
export { DevAddrAllocator, DevAddrExhaustedError, pickDevAddr } from './dev-addr-allocator';
export { joinSettings, settingsInForce } from './join-settings';
export type { JoinSettings } from './join-settings';
export { NETWORK_EXTRA_CHANNELS } from './network-channels';
export { RejoinCounters } from './rejoin-counters';
export { sessionFromAnswer } from './session-from-answer';
export { LocalJoinRequestHandler } from './local-join-request-handler';

/**
 * What the network server module provides for joins: the JoinRequestHandler token bound to the
 * LocalJoinRequestHandler, and its helpers. It needs DeviceRegistry, SessionStore, DownlinkScheduler,
 * ApplicationPublisher, EventBus and LNS_CONFIG; JoinServerService (JoinServerModule, global), the
 * MAC_LAYER and an AppSKeyKekProvider are optional.
 */
export const JOIN_PROVIDERS: Provider[] = [
  DevAddrAllocator,
  RejoinCounters,
  LocalJoinRequestHandler,
  { provide: JoinRequestHandler, useExisting: LocalJoinRequestHandler },
];
export * from './external';
