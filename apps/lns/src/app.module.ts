import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule } from '@lns/api';
import { ConfigModule, LnsConfig, Secrets } from '@lns/config';
import { EventBusModule } from '@lns/event-bus';
import { GatewayBridgeModule } from '@lns/gateway-bridge';
import { StorageModule } from '@lns/storage';

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
      ],
    };
  }
}
