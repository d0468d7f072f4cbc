import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApplicationScoped, SHARED_WITH_APPLICATIONS } from '@lns/api';
import { RegistryNotFoundError } from '../registry-errors';
import { RegistryService } from '../registry.service';
import { CreateDeviceProfileDto, DeviceProfileView, toDeviceProfileView } from './device-profile.dto';
import { CreatedIdView, IdParam } from './formats';
import { RegistryErrorFilter } from './registry-error.filter';

/** Device profiles: region, LoRaWAN version, class, ADR and RX settings shared by devices. */
@ApiTags('device-profiles')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@UseFilters(RegistryErrorFilter)
@Controller('device-profiles')
export class DeviceProfileController {
  constructor(private readonly registry: RegistryService) {}

  @Post()
  @ApiOperation({ summary: 'Create a device profile' })
  @ApiCreatedResponse({ type: CreatedIdView })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  async create(@Body() dto: CreateDeviceProfileDto): Promise<CreatedIdView> {
    const profile = await this.registry.createProfile(dto);
    return { id: profile.id };
  }

  // Application tokens read profiles (they create devices with them); only the admin writes them.
  @Get()
  @ApplicationScoped(SHARED_WITH_APPLICATIONS)
  @ApiOperation({ summary: 'Every device profile, oldest first' })
  @ApiOkResponse({ type: [DeviceProfileView] })
  list(): DeviceProfileView[] {
    return this.registry.listProfiles().map(toDeviceProfileView);
  }

  @Get(':id')
  @ApplicationScoped(SHARED_WITH_APPLICATIONS)
  @ApiOperation({ summary: 'One device profile' })
  @ApiOkResponse({ type: DeviceProfileView })
  @ApiNotFoundResponse({ description: 'no such device profile' })
  get(@Param() params: IdParam): DeviceProfileView {
    const profile = this.registry.profile(params.id);
    if (!profile) throw new RegistryNotFoundError([{ field: 'id', reason: 'no such device profile' }]);
    return toDeviceProfileView(profile);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a device profile no device uses' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such device profile' })
  @ApiConflictResponse({ description: 'devices use it' })
  async remove(@Param() params: IdParam): Promise<void> {
    await this.registry.deleteProfile(params.id);
  }
}
