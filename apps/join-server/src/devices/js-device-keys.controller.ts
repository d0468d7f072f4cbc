import { Body, Controller, Delete, HttpCode, Param, Put, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { JoinServerError, JoinServerService } from '@lns/join-server';
import { JsDeviceKeysDto, JsDeviceKeysResult } from './js-device-keys.dto';

/** The part of Express's response used here (@types/express is not a dependency). */
interface StatusResponse {
  status(code: number): unknown;
}

const DEV_EUI = /^[0-9a-fA-F]{16}$/;

function badDevEui(): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: 'devEui: must be 16 hex digits',
    fields: [{ field: 'devEui', reason: 'must be 16 hex digits' }],
  });
}

/**
 * The standalone join server's operator route for one device's root keys (admin token). In apps/lns the
 * network server's `POST /api/devices` puts the keys of local OTAA devices here; a standalone join server
 * has no device registry, so its operator puts them directly. Keys go in, never out.
 */
@ApiTags('join server')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@Controller('join-server/devices')
export class JsDeviceKeysController {
  constructor(private readonly joinServer: JoinServerService) {}

  @Put(':devEui')
  @ApiOperation({
    summary:
      'Create the device or replace its root keys (its JoinNonce survives; a new JoinEUI starts a new DevNonce history)',
  })
  @ApiOkResponse({ type: JsDeviceKeysResult, description: '201 when created, 200 when replaced' })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  async put(
    @Param('devEui') devEui: string,
    @Body() dto: JsDeviceKeysDto,
    @Res({ passthrough: true }) res: StatusResponse,
  ): Promise<JsDeviceKeysResult> {
    if (!DEV_EUI.test(devEui)) throw badDevEui();
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
        const field = e.field ?? 'body';
        throw new BadRequestException({
          statusCode: 400,
          error: 'Bad Request',
          message: e.message,
          fields: [{ field, reason: e.message }],
        });
      }
      throw e;
    }
  }

  @Delete(':devEui')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget the device and its keys: its join-requests are then UnknownDevEUI' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'not known to the join server' })
  async remove(@Param('devEui') devEui: string): Promise<void> {
    if (!DEV_EUI.test(devEui)) throw badDevEui();
    if (!(await this.joinServer.deleteDevice(devEui))) {
      throw new NotFoundException({
        statusCode: 404,
        error: 'Not Found',
        message: `DevEUI ${devEui.toLowerCase()} is not known to the join server`,
        fields: [{ field: 'devEui', reason: 'not known to the join server' }],
      });
    }
  }
}
