import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { JsDeviceView } from '../device/js-device';
import { JoinServerError } from '../errors';
import { JoinServerService } from '../join-server.service';
import { DevEuiParam, DevNoncePolicyDto, JsDeviceViewDto } from './dev-nonce.dto';

function unknownDevice(devEui: string): NotFoundException {
  return new NotFoundException({
    statusCode: 404,
    error: 'Not Found',
    message: `DevEUI ${devEui} is not known to the join server`,
    fields: [{ field: 'devEui', reason: 'not known to the join server' }],
  });
}

/**
 * Operator tools of the embedded join server (admin token): look at a device's nonce state, flush its
 * DevNonce history, change its DevNonce policy. Never a key in or out.
 */
@ApiTags('join server')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@Controller('join-server/devices')
export class JoinServerDeviceController {
  constructor(private readonly js: JoinServerService) {}

  @Get(':devEui')
  @ApiOperation({ summary: "A join-server device's DevNonce policy and nonce state (no keys)" })
  @ApiOkResponse({ type: JsDeviceViewDto })
  @ApiNotFoundResponse({ description: 'not known to the join server' })
  get(@Param() p: DevEuiParam): JsDeviceView {
    const view = this.js.getDevice(p.devEui);
    if (!view) throw unknownDevice(p.devEui);
    return view;
  }

  @Post(':devEui/flush-dev-nonces')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Forget the DevNonces this device used, so that its next join-request is accepted whatever its DevNonce ' +
      '(way out of "DevNonce already used" lock-outs after a device reset)',
  })
  @ApiOkResponse({ type: JsDeviceViewDto })
  @ApiNotFoundResponse({ description: 'not known to the join server' })
  flush(@Param() p: DevEuiParam): Promise<JsDeviceView> {
    return this.mapErrors(p.devEui, () => this.js.flushDevNonces(p.devEui));
  }

  @Put(':devEui/dev-nonce-policy')
  @ApiOperation({ summary: "Set the device's DevNonce policy: counter, set or off" })
  @ApiOkResponse({ type: JsDeviceViewDto })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  @ApiNotFoundResponse({ description: 'not known to the join server' })
  setPolicy(@Param() p: DevEuiParam, @Body() body: DevNoncePolicyDto): Promise<JsDeviceView> {
    return this.mapErrors(p.devEui, () => this.js.setDevNoncePolicy(p.devEui, body.policy));
  }

  private async mapErrors<T>(devEui: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof JoinServerError && e.code === 'UNKNOWN_DEVICE') throw unknownDevice(devEui);
      throw e;
    }
  }
}
