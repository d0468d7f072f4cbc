import { Controller, Get, HttpException, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApplicationScoped, fieldError } from '@lns/api';
import { DeviceRegistry } from '../registry/device-registry';
import { deviceScope } from '../registry/api/device-scope';
import { DeviceStateService, DeviceStateView } from './device-state';
import { DevEuiParam } from './queue.dto';

/** What a missing device answers; another application's too, to its tokens. */
function noSuchDevice(devEui: string): HttpException {
  return fieldError(404, `no device ${devEui}`, 'devEui', 'no such device');
}

@ApiTags('devices')
@ApplicationScoped(deviceScope(noSuchDevice))
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
    if (!this.registry.get(p.devEui)) throw noSuchDevice(p.devEui);
    return this.states.state(p.devEui);
  }
}
