import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ReadinessRegistry } from './health/readiness-registry';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';

/**
 * GET /metrics and the registries behind it and behind GET /api/health/ready. It depends on
 * none of the parts it observes: the composing app adds their metrics and readiness probes
 * (libs import @lns/api, so @lns/api importing them would be a cycle).
 */
@Module({
  imports: [TerminusModule],
  controllers: [MetricsController],
  providers: [MetricsService, ReadinessRegistry],
  exports: [TerminusModule, MetricsService, ReadinessRegistry],
})
export class ObservabilityModule {}
