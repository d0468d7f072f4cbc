import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { DeviceRegistry } from '../registry/device-registry';
import { DeviceStateService, DeviceStateView } from './device-state';
import { DevEuiParam } from './queue.dto';

@ApiTags('devices')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@Controller('devices/:devEui/state')
export class DeviceStateController {
  constructor(
    private readonly states: DeviceStateService,
    private readonly registry: DeviceRegistry,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Network state of a device: session, frame counters (nextAFCntDown for tunnel applications), radio settings, queue size',
  })
  @ApiOkResponse({ type: DeviceStateView })
  @ApiNotFoundResponse({ description: 'no such device' })
  get(@Param() p: DevEuiParam): DeviceStateView {
    if (!this.registry.get(p.devEui)) {
      throw new NotFoundException({
        statusCode: 404,
        error: 'Not Found',
        message: `no device ${p.devEui}`,
        fields: [{ field: 'devEui', reason: 'no such device' }],
      });
    }
    return this.states.state(p.devEui);
  }
}
