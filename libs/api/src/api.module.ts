import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminTokenGuard } from './auth.guard';
import { HealthController } from './health.controller';
import { ServerInfoController } from './server-info.controller';

@Module({
  controllers: [HealthController, ServerInfoController],
  providers: [{ provide: APP_GUARD, useClass: AdminTokenGuard }],
})
export class ApiModule {}
