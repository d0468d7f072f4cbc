import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule } from '@lns/api';
import { ConfigModule, LnsConfig, Secrets } from '@lns/config';
import { EventBusModule } from '@lns/event-bus';
import {
  AppSKeyKekResolver,
  BackendInterfacesModule,
  ClaimedAppSKeyKek,
  JoinServerModule,
} from '@lns/join-server';
import { StorageModule } from '@lns/storage';
import { JsDeviceKeysController } from './devices/js-device-keys.controller';

/**
 * The standalone join server: the embedded join server of apps/lns on its own, reached by any network
 * server over the LoRaWAN Backend Interfaces (ChirpStack, The Things Stack, another apps/lns). No gateway
 * bridge, no network server, no MQTT: root keys, DevNonce/JoinNonce state and the BI endpoint only.
 * It has no applications: a device's AppSKey is wrapped for the AS its owner's claim named (an AS key,
 * `/api/js/as-keys`), else for the requesting network server.
 */
@Module({})
export class JoinServerAppModule {
  static forRoot(config: LnsConfig, secrets: Secrets): DynamicModule {
    return {
      module: JoinServerAppModule,
      imports: [
        ConfigModule.forRoot(config, secrets),
        EventBusModule,
        StorageModule.forRoot(),
        // Admin token guard, health, metrics, server info.
        ApiModule,
        // Devices and their root keys, DevNonce tools (`/api/join-server/devices/...`).
        JoinServerModule,
        // `POST /api/backend-interfaces`: JoinReq, RejoinReq, AppSKeyReq, HomeNSReq.
        BackendInterfacesModule,
      ],
      controllers: [JsDeviceKeysController],
      // Who the AppSKey is wrapped for: here the claim's AS key alone (apps/lns adds its applications' ASTKs).
      providers: [{ provide: AppSKeyKekResolver, useExisting: ClaimedAppSKeyKek }],
    };
  }
}
