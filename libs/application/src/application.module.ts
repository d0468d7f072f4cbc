import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LNS_CONFIG } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { ApplicationEntity, DeviceEntity, DeviceProfileEntity } from '@lns/storage';
import { CommandDownHandler } from './downlink/command-down.handler';
import { DeviceInfoLookup } from './downlink/device-info.lookup';
import { ApplicationEventForwarder } from './events/event-forwarder';
import { createMqttPublisher } from './mqtt/create-mqtt-publisher';
import { MqttCounters } from './mqtt/mqtt-counters';
import { MqttPublisher } from './mqtt/mqtt-publisher';
import { ApiTokenController } from './tokens/api/api-token.controller';
import { ApiTokenEntity } from './tokens/api-token.entity';
import { ApiTokenRepository } from './tokens/api-token.repository';
import { ApiTokenService } from './tokens/api-token.service';
import { apiTokenVerifierProvider } from './tokens/api-token-verifier.provider';
import { TransportKeysModule } from './transport-keys/transport-keys.module';
import { WebhookModule } from './webhooks/webhook.module';

/**
 * The application side: application events to MQTT (embedded aedes broker or an external
 * broker), downlink commands from MQTT, API tokens limited to one application. Needs
 * ConfigModule, EventBusModule and StorageModule (all global) in the application.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ApiTokenEntity, ApplicationEntity, DeviceEntity, DeviceProfileEntity]),
    // AS transport keys of end-to-end applications; provides the join server's AppSKeyKekProvider.
    TransportKeysModule,
    // HTTP webhooks with a durable outbox (docs/webhooks.md).
    WebhookModule,
  ],
  controllers: [ApiTokenController],
  providers: [
    ApiTokenRepository,
    ApiTokenService,
    // REST: application tokens open the routes marked @ApplicationScoped (docs/api-tokens.md).
    apiTokenVerifierProvider,
    MqttCounters,
    DeviceInfoLookup,
    {
      provide: MqttPublisher,
      inject: [LNS_CONFIG, ApiTokenService, EventBus, MqttCounters],
      useFactory: createMqttPublisher,
    },
    ApplicationEventForwarder,
    CommandDownHandler,
  ],
  exports: [ApiTokenService, MqttPublisher, MqttCounters],
})
export class ApplicationModule {}
