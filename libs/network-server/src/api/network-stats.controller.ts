import { Controller, Get } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { InMemorySessionStore } from '../session/in-memory-session-store';
import { NetworkCounters } from '../uplink/network-counters';
import { UplinkRouter } from '../uplink/uplink-router';

@ApiTags('network-server')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@Controller('network-server/stats')
export class NetworkStatsController {
  constructor(
    private readonly counters: NetworkCounters,
    private readonly sessions: InMemorySessionStore,
    private readonly router: UplinkRouter,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Network server counters since start: uplinks (copies, dedup sizes, MIC failures, replays …), downlinks by result, sessions',
  })
  @ApiOkResponse({ description: '{uplink, downlink, sessions, dedupEntries}' })
  stats(): Record<string, unknown> {
    return {
      ...this.counters.snapshot(),
      sessions: this.sessions.size(),
      dedupEntries: this.router.dedupSize,
    };
  }
}
