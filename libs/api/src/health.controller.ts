import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Public } from './auth.guard';
import { ReadinessRegistry } from './observability/health/readiness-registry';

/** How long the database may take to answer `SELECT 1`. */
const DATABASE_TIMEOUT_MS = 1000;

export type LivenessResult = HealthCheckResult & { status: 'ok'; uptimeSeconds: number; database: 'up' };

/**
 * Liveness (`/api/health`: the process answers and its database does) and readiness
 * (`/api/health/ready`: every part it serves through is up: database, MQTT, the UDP socket).
 * Both answer 503 when a check fails, with the terminus body naming the part under `error`.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly health: HealthCheckService,
    private readonly typeOrm: TypeOrmHealthIndicator,
    private readonly db: DataSource,
    private readonly readiness: ReadinessRegistry,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and database reachability; 503 when the database does not answer' })
  async live(): Promise<LivenessResult> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([() => this.database()]);
    } catch (err) {
      // The body keeps its `database` field, as before terminus, beside terminus's own.
      if (err instanceof ServiceUnavailableException) {
        throw new ServiceUnavailableException({ ...(err.getResponse() as object), database: 'down' });
      }
      throw err;
    }
    const uptimeSeconds = Math.round((Date.now() - this.startedAt) / 1000);
    return { ...result, status: 'ok', uptimeSeconds, database: 'up' };
  }

  @Public()
  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: database, MQTT broker (embedded listening or external connected), UDP socket bound',
  })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.database(), ...this.readiness.checks()]);
  }

  private database() {
    return this.typeOrm.pingCheck('database', { connection: this.db, timeout: DATABASE_TIMEOUT_MS });
  }
}
