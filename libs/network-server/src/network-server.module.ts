import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GatewayBridgeModule } from '@lns/gateway-bridge';
import { REGISTRY_ENTITIES } from '@lns/storage';
import { DeviceStateController } from './api/device-state.controller';
import { DeviceStateService } from './api/device-state';
import { NetworkStatsController } from './api/network-stats.controller';
import { QueueController } from './api/queue.controller';
import { ClassADownlink } from './downlink/class-a-downlink';
import { ClassCDownlink } from './downlink/class-c-downlink';
import { DownlinkNotifier } from './downlink/downlink-notifier';
import { DownlinkScheduler } from './downlink/downlink-scheduler';
import { DownlinkSender } from './downlink/downlink-sender';
import { KeyedMutex } from './downlink/keyed-mutex';
import { NetworkDownlinkScheduler } from './downlink/network-downlink-scheduler';
import { TxAckWaiter } from './downlink/tx-ack-waiter';
import { JOIN_PROVIDERS } from './join';
import { ExternalJoinModule } from './join/external/external-join.module';
import { DefaultMacLayer } from './mac/default-mac-layer';
import { ApplicationDownlinkListener } from './queue/application-downlink.listener';
import { DeviceQueueRepository } from './queue/device-queue.repository';
import { DeviceQueueService } from './queue/device-queue.service';
import { RegistryModule } from './registry/registry.module';
import { InMemorySessionStore } from './session/in-memory-session-store';
import { SessionRepository } from './session/session-repository';
import { SessionStore } from './session/session-store';
import { WalCheckpoint } from './session/wal-checkpoint';
import { ApplicationPublisher } from './uplink/application-publisher';
import { DataUplinkHandler } from './uplink/data-uplink.handler';
import { MAC_LAYER } from './uplink/mac-layer.token';
import { NetworkCounters } from './uplink/network-counters';
import { UplinkRouter } from './uplink/uplink-router';

/**
 * The network server: the uplink pipeline ('uplink.received' → dedup, or 'uplink.deduplicated' from the UDP worker → join or data), the
 * in-memory session store with group commits, Class A/C downlinks and join-accepts through the
 * gateway bridge, the device queues, and their REST routes. With it come the device registry
 * (RegistryModule) and the join handling (JOIN_PROVIDERS). Needs ConfigModule, EventBusModule
 * and StorageModule (global); the embedded join server (JoinServerModule) is optional.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature(REGISTRY_ENTITIES),
    RegistryModule,
    GatewayBridgeModule,
    // External join servers (`/api/join-servers`) and the Backend Interfaces client.
    ExternalJoinModule,
  ],
  controllers: [QueueController, DeviceStateController, NetworkStatsController],
  providers: [
    NetworkCounters,
    ApplicationPublisher,
    SessionRepository,
    InMemorySessionStore,
    { provide: SessionStore, useExisting: InMemorySessionStore },
    WalCheckpoint,
    DeviceQueueRepository,
    DeviceQueueService,
    ApplicationDownlinkListener,
    KeyedMutex,
    TxAckWaiter,
    DownlinkSender,
    DownlinkNotifier,
    ClassADownlink,
    ClassCDownlink,
    NetworkDownlinkScheduler,
    { provide: DownlinkScheduler, useExisting: NetworkDownlinkScheduler },
    { provide: MAC_LAYER, useFactory: () => new DefaultMacLayer() },
    DataUplinkHandler,
    UplinkRouter,
    DeviceStateService,
    ...JOIN_PROVIDERS,
  ],
  exports: [
    RegistryModule,
    SessionStore,
    InMemorySessionStore,
    DownlinkScheduler,
    DeviceQueueService,
    DeviceStateService,
    NetworkCounters,
    ApplicationPublisher,
    MAC_LAYER,
    ExternalJoinModule,
  ],
})
export class NetworkServerModule {}
