import { Body, Controller, Post, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApplicationScoped, applicationInBody } from '@lns/api';
import { DeviceView, toDeviceView } from '../api/device.view';
import { RegistryErrorFilter } from '../api/registry-error.filter';
import { RegistryService } from '../registry.service';
import { ClaimThrottledFilter } from './claim-throttled.filter';
import { ProvisionFromQrDto } from './qr-provisioning.dto';
import { QrProvisioningService } from './qr-provisioning.service';

@ApiTags('devices')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@UseFilters(RegistryErrorFilter, ClaimThrottledFilter)
@Controller('devices')
export class QrProvisioningController {
  constructor(
    private readonly provisioning: QrProvisioningService,
    private readonly registry: RegistryService,
  ) {}

  @Post('qr')
  @ApplicationScoped(applicationInBody('applicationId'))
  @ApiOperation({
    summary:
      'Simplified provisioning from a TR005 QR code: claims the device on its join server (the embedded one, ' +
      'or the external one its JoinEUI is routed to) with the owner token of the code, then creates it as an ' +
      'OTAA device of that join server. No key is given or stored here.',
  })
  @ApiCreatedResponse({ type: DeviceView, description: 'the device, without keys' })
  @ApiBadRequestResponse({
    description:
      '`fields` names the field and why: qr (not TR005, bad checksum, no join server, claim refused) …',
  })
  @ApiConflictResponse({ description: 'a device with this DevEUI exists' })
  @ApiTooManyRequestsResponse({ description: 'the join server throttles refused claims; see Retry-After' })
  @ApiServiceUnavailableResponse({ description: 'the join server cannot be reached' })
  async create(@Body() dto: ProvisionFromQrDto): Promise<DeviceView> {
    const ctx = await this.provisioning.provision(dto);
    return toDeviceView(ctx, this.registry.session(ctx.device.devEui));
  }
}
