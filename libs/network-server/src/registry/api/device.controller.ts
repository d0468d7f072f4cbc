import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  ApiPrincipal,
  ApplicationScoped,
  applicationFilterInQuery,
  applicationInBody,
  listedApplication,
  Principal,
} from '@lns/api';
import { RegistryNotFoundError } from '../registry-errors';
import { CreateDevice } from '../registry-inputs';
import { RegistryService } from '../registry.service';
import { CreateDeviceDto, DevEuiParam, DeviceListQuery } from './device.dto';
import { DeviceView, toDeviceView } from './device.view';
import { hexToBuffer } from './formats';
import { deviceScope } from './device-scope';
import { RegistryErrorFilter } from './registry-error.filter';

function toCreateDevice(dto: CreateDeviceDto): CreateDevice {
  const abp = dto.abp;
  return {
    devEui: dto.devEui,
    joinEui: dto.joinEui,
    name: dto.name,
    description: dto.description,
    applicationId: dto.applicationId,
    deviceProfileId: dto.deviceProfileId,
    activation: dto.activation,
    joinServer: dto.joinServer,
    appKey: hexToBuffer(dto.appKey),
    nwkKey: hexToBuffer(dto.nwkKey),
    abp: abp && {
      devAddr: parseInt(abp.devAddr, 16) >>> 0,
      nwkSKey: hexToBuffer(abp.nwkSKey),
      appSKey: hexToBuffer(abp.appSKey),
      fNwkSIntKey: hexToBuffer(abp.fNwkSIntKey),
      sNwkSIntKey: hexToBuffer(abp.sNwkSIntKey),
      nwkSEncKey: hexToBuffer(abp.nwkSEncKey),
      fCntUp: abp.fCntUp,
      fCntDown: abp.fCntDown,
      aFCntDown: abp.aFCntDown,
    },
    tags: dto.tags,
  };
}

/** What a missing device answers; a device of another application answers the same to its tokens. */
const noSuchDevice = () => new RegistryNotFoundError([{ field: 'devEui', reason: 'no such device' }]);

/** End-devices: OTAA (local or external join server) and ABP. Keys go in, never come out. */
@ApiTags('devices')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@UseFilters(RegistryErrorFilter)
@Controller('devices')
export class DeviceController {
  constructor(private readonly registry: RegistryService) {}

  @Post()
  @ApplicationScoped(applicationInBody('applicationId'))
  @ApiOperation({
    summary:
      'Create a device. OTAA: root keys go to the local join server (none for an external one). ABP: the session is activated at once.',
  })
  @ApiCreatedResponse({ type: DeviceView, description: 'the device, without its keys' })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  @ApiConflictResponse({ description: 'a device with this DevEUI exists' })
  @ApiServiceUnavailableResponse({ description: 'the local join server or session store is not running' })
  async create(@Body() dto: CreateDeviceDto): Promise<DeviceView> {
    const ctx = await this.registry.createDevice(toCreateDevice(dto));
    return toDeviceView(ctx, this.registry.session(ctx.device.devEui));
  }

  @Get()
  @ApplicationScoped(applicationFilterInQuery('applicationId'))
  @ApiOperation({
    summary: 'Every device, or one application’s (?applicationId=); an application token’s own only',
  })
  @ApiOkResponse({ type: [DeviceView] })
  @ApiNotFoundResponse({ description: 'no such application' })
  list(@Query() query: DeviceListQuery, @Principal() caller?: ApiPrincipal): DeviceView[] {
    const devices = this.registry.listDevices(listedApplication(caller, query.applicationId));
    if (!devices)
      throw new RegistryNotFoundError([{ field: 'applicationId', reason: 'no such application' }]);
    return devices.map((ctx) => toDeviceView(ctx, this.registry.session(ctx.device.devEui)));
  }

  @Get(':devEui')
  @ApplicationScoped(deviceScope(noSuchDevice))
  @ApiOperation({
    summary: 'One device and its state (activated, DevAddr, counters, last seen); never a key',
  })
  @ApiOkResponse({ type: DeviceView })
  @ApiNotFoundResponse({ description: 'no such device' })
  get(@Param() params: DevEuiParam): DeviceView {
    const ctx = this.registry.get(params.devEui);
    if (!ctx) throw noSuchDevice();
    return toDeviceView(ctx, this.registry.session(params.devEui));
  }

  @Delete(':devEui')
  @ApplicationScoped(deviceScope(noSuchDevice))
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a device, its session, its queue and its local join server record' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such device' })
  async remove(@Param() params: DevEuiParam): Promise<void> {
    await this.registry.deleteDevice(params.devEui);
  }
}
