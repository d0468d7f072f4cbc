import { Body, Controller, Get, HttpCode, HttpException, Param, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { fieldError } from '@lns/api';
import { DeviceOwnershipRegistry } from '../claims/device-ownership';
import { JsDeviceView } from '../device/js-device';
import { JoinServerError } from '../errors';
import { JoinServerService } from '../join-server.service';
import { DevEuiParam, DevNoncePolicyDto, JsDeviceViewDto } from './dev-nonce.dto';

function unknownDevice(devEui: string): HttpException {
  return fieldError(
    404,
    `DevEUI ${devEui} is not known to the join server`,
    'devEui',
    'not known to the join server',
  );
}

/** A device as its operator sees it: its nonce state, and whether a manufacturer's record and a claim hold it. */
export interface JsDeviceOperatorView extends JsDeviceView {
  manufacturerRecord: boolean;
  claimed: boolean;
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
  constructor(
    private readonly js: JoinServerService,
    private readonly ownerships: DeviceOwnershipRegistry,
  ) {}

  @Get(':devEui')
  @ApiOperation({ summary: "A join-server device's DevNonce policy and nonce state (no keys)" })
  @ApiOkResponse({ type: JsDeviceViewDto })
  @ApiNotFoundResponse({ description: 'not known to the join server' })
  get(@Param() p: DevEuiParam): JsDeviceOperatorView {
    const view = this.js.getDevice(p.devEui);
    if (!view) throw unknownDevice(p.devEui);
    return this.withClaim(view);
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
  flush(@Param() p: DevEuiParam): Promise<JsDeviceOperatorView> {
    return this.mapErrors(p.devEui, () => this.js.flushDevNonces(p.devEui));
  }

  @Put(':devEui/dev-nonce-policy')
  @ApiOperation({ summary: "Set the device's DevNonce policy: counter, set or off" })
  @ApiOkResponse({ type: JsDeviceViewDto })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  @ApiNotFoundResponse({ description: 'not known to the join server' })
  setPolicy(@Param() p: DevEuiParam, @Body() body: DevNoncePolicyDto): Promise<JsDeviceOperatorView> {
    return this.mapErrors(p.devEui, () => this.js.setDevNoncePolicy(p.devEui, body.policy));
  }

  /**
   * The claim is the manufacturer record's (DeviceOwnershipRegistry, what the join path obeys), not the
   * device row's: its old `owner` column is never written.
   */
  private withClaim(view: JsDeviceView): JsDeviceOperatorView {
    const ownership = this.ownerships.ownershipOf(view.devEui);
    return { ...view, manufacturerRecord: ownership !== undefined, claimed: ownership?.claimed ?? false };
  }

  private async mapErrors(devEui: string, fn: () => Promise<JsDeviceView>): Promise<JsDeviceOperatorView> {
    try {
      return this.withClaim(await fn());
    } catch (e) {
      if (e instanceof JoinServerError && e.code === 'UNKNOWN_DEVICE') throw unknownDevice(devEui);
      throw e;
    }
  }
}
