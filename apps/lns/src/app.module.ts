import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule } from '@lns/api';
import { ApplicationModule } from '@lns/application';
import { ConfigModule, LnsConfig, Secrets } from '@lns/config';
import { EventBusModule } from '@lns/event-bus';
import { GatewayBridgeModule } from '@lns/gateway-bridge';
import { BackendInterfacesModule, JoinServerModule } from '@lns/join-server';
import { StorageModule } from '@lns/storage';
import { NetworkServerModule } from '@lns/network-server';

/** The monolith: every module of a private LoRaWAN network in one process. */
@Module({})
export class AppModule {
  static forRoot(config: LnsConfig, secrets: Secrets): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, secrets),
        EventBusModule,
        StorageModule.forRoot(),
        ApiModule,
        GatewayBridgeModule,
        ApplicationModule,
        // The embedded join server: root keys of local OTAA devices, join-accepts.
        JoinServerModule,
        // The embedded join server as other networks' external join server (`POST /api/backend-interfaces`).
        BackendInterfacesModule,
        // Brings the device registry (RegistryModule) and the join handling with it.
        NetworkServerModule,
      ],
    };
  }
}
