import './events';

export * from './events';
export { Deduplicator, DEDUP_MAX_ENTRIES, HAND_OVER_BUDGET_MS, bySignal } from './dedup/deduplicator';
export type { DedupOutcome, DeduplicatorOptions } from './dedup/deduplicator';
export { Fifo } from './dedup/fifo';
export * from './semtech-udp';
export * from './gateway/gateway-state';
export type { BridgeCounters, UnknownGateway } from './gateway/gateway-registry';
export { GatewayService, GatewayAlreadyRegisteredError, WRITE_BEHIND_MS } from './gateway/gateway.service';
export type { RegisterGateway } from './gateway/gateway.service';
export * from './downlink/downlink-request';
export { TX_ACK_WAIT_MS } from './downlink/downlink-tracker';
export { GatewayBridgeService } from './gateway-bridge.service';
export { IntakeGuard } from './intake/intake-guard';
export { GatewayBridgeModule } from './gateway-bridge.module';
export { GatewayView } from './api/gateway.view';
