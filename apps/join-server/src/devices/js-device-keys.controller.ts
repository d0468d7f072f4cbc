import { Body, Controller, Delete, HttpCode, HttpException, Param, Put, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { fieldError } from '@lns/api';
import { DeviceOwnershipRegistry, JoinServerError, JoinServerService } from '@lns/join-server';
import { JsDeviceKeysDto, JsDeviceKeysResult } from './js-device-keys.dto';

/** The part of Express's response used here (@types/express is not a dependency). */
interface StatusResponse {
  status(code: number): unknown;
}

const DEV_EUI = /^[0-9a-fA-F]{16}$/;

function badDevEui(): HttpException {
  return fieldError(400, 'devEui: must be 16 hex digits', 'devEui', 'must be 16 hex digits');
}

function manufacturersDevice(devEui: string): HttpException {
  const reason =
    "is a manufacturer's device (its root keys come with its manufacturer record): it is provisioned with its QR code / owner token (POST /api/js/claims), not given keys here; DELETE /api/join-server/devices/{devEui} first to make it the operator's own device";
  return fieldError(409, `devEui ${devEui}: ${reason}`, 'devEui', reason);
}

/**
 * The standalone join server's operator route for one device's root keys (admin token). In apps/lns the
 * network server's `POST /api/devices` puts the keys of local OTAA devices here; a standalone join server
 * has no device registry, so its operator puts them directly. Keys go in, never out.
 *
 * A manufacturer's device (a manufacturer record, `POST /api/js/devices`) keeps its manufacturer's keys:
 * `PUT` refuses it (409), as apps/lns refuses `POST /api/devices` with an appKey for it. Taking such a
 * device over is one deliberate act of this join server's operator: `DELETE` forgets it with its record,
 * owner token and claim, and a `PUT` after that creates the operator's own device (no claim, no QR code).
 */
@ApiTags('join server')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@Controller('join-server/devices')
export class JsDeviceKeysController {
  constructor(
    private readonly joinServer: JoinServerService,
    private readonly ownerships: DeviceOwnershipRegistry,
  ) {}

  @Put(':devEui')
  @ApiOperation({
    summary:
      'Create the device or replace its root keys (its JoinNonce survives; a new JoinEUI starts a new DevNonce history)',
  })
  @ApiOkResponse({ type: JsDeviceKeysResult, description: '201 when created, 200 when replaced' })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  @ApiConflictResponse({
    description: "a manufacturer's device: its keys are its manufacturer's (DELETE it first to take it over)",
  })
  async put(
    @Param('devEui') devEui: string,
    @Body() dto: JsDeviceKeysDto,
    @Res({ passthrough: true }) res: StatusResponse,
  ): Promise<JsDeviceKeysResult> {
    if (!DEV_EUI.test(devEui)) throw badDevEui();
    if (this.ownerships.ownershipOf(devEui)) throw manufacturersDevice(devEui.toLowerCase());
    try {
      const result = await this.joinServer.upsertDeviceKeys({
        devEui,
        joinEui: dto.joinEui,
        macVersion: dto.macVersion,
        appKey: dto.appKey,
        ...(dto.nwkKey !== undefined ? { nwkKey: dto.nwkKey } : {}),
      });
      res.status(result.created ? 201 : 200);
      return result;
    } catch (e) {
      if (e instanceof JoinServerError && e.code === 'BAD_FIELD') {
        throw fieldError(400, e.message, e.field ?? 'body', e.message);
      }
      throw e;
    }
  }

  @Delete(':devEui')
  @HttpCode(204)
  @ApiOperation({
    summary:
      "Forget the device and its keys (a manufacturer's device with its record, owner token and claim): its join-requests are then UnknownDevEUI",
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'not known to the join server' })
  async remove(@Param('devEui') devEui: string): Promise<void> {
    if (!DEV_EUI.test(devEui)) throw badDevEui();
    if (!(await this.joinServer.deleteDevice(devEui))) {
      throw fieldError(
        404,
        `DevEUI ${devEui.toLowerCase()} is not known to the join server`,
        'devEui',
        'not known to the join server',
      );
    }
  }
}
