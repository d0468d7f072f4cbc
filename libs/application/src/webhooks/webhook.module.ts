import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationEntity } from '@lns/storage';
import { WebhookController } from './api/webhook.controller';
import { WebhookOutboxEntity } from './outbox/webhook-outbox.entity';
import { WebhookCounters } from './webhook-counters';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEntity } from './webhook.entity';
import { DEFAULT_WEBHOOK_OPTIONS, WEBHOOK_OPTIONS } from './webhook-options';
import { WebhookRepository } from './webhook.repository';
import { WebhookService } from './webhook.service';

/**
 * HTTP webhooks of applications (docs/webhooks.md). Needs EventBusModule and StorageModule
 * (both global) in the application.
 */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEntity, WebhookOutboxEntity, ApplicationEntity])],
  controllers: [WebhookController],
  providers: [
    { provide: WEBHOOK_OPTIONS, useValue: DEFAULT_WEBHOOK_OPTIONS },
    WebhookCounters,
    WebhookRepository,
    WebhookDispatcher,
    WebhookService,
  ],
  exports: [WebhookCounters, WebhookService, WebhookDispatcher],
})
export class WebhookModule {}
