import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiTokenGuard } from './auth.guard';
import { HealthController } from './health.controller';
import { ObservabilityModule } from './observability/observability.module';
import { ServerInfoController } from './server-info.controller';

@Module({
  imports: [ObservabilityModule],
  controllers: [HealthController, ServerInfoController],
  providers: [{ provide: APP_GUARD, useClass: ApiTokenGuard }],
})
export class ApiModule {}
