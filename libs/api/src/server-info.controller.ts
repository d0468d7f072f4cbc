import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LnsConfig, LNS_CONFIG } from '@lns/config';

/** What an operator needs to know about this process; never a secret. */
@ApiTags('server')
@ApiBearerAuth()
@Controller('server-info')
export class ServerInfoController {
  constructor(@Inject(LNS_CONFIG) private readonly config: LnsConfig) {}

  @Get()
  @ApiOperation({ summary: 'Version and the non-secret settings in force' })
  info() {
    const c = this.config;
    return {
      version: process.env.npm_package_version ?? '0.1.0',
      node: process.version,
      netId: c.netId.toUpperCase(),
      dedupWindowMs: c.dedup.windowMs,
      mqtt: c.mqtt.url ? 'external' : 'embedded',
      gatewaysAllowUnknown: c.gateways.allowUnknown,
    };
  }
}
