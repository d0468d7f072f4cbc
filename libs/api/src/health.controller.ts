import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from './auth.guard';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(private readonly db: DataSource) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and database reachability; 503 when the database does not answer' })
  async health(): Promise<{ status: 'ok'; uptimeSeconds: number; database: 'up' }> {
    try {
      await this.db.query('SELECT 1');
    } catch (err) {
      throw new ServiceUnavailableException({ status: 'error', database: 'down', reason: String(err) });
    }
    return { status: 'ok', uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000), database: 'up' };
  }
}
