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
import { ApplicationScoped, applicationParam } from '@lns/api';
import { RegistryNotFoundError } from '../registry-errors';
import { RegistryService } from '../registry.service';
import { ApplicationView, CreateApplicationDto, toApplicationView } from './application.dto';
import { CreatedIdView, IdParam } from './formats';
import { RegistryErrorFilter } from './registry-error.filter';

/** Applications: groups of devices whose events go to one application server. */
@ApiTags('applications')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@UseFilters(RegistryErrorFilter)
@Controller('applications')
export class ApplicationController {
  constructor(private readonly registry: RegistryService) {}

  @Post()
  @ApiOperation({ summary: 'Create an application; endToEnd makes it a tunnel application' })
  @ApiCreatedResponse({ type: CreatedIdView })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  async create(@Body() dto: CreateApplicationDto): Promise<CreatedIdView> {
    const application = await this.registry.createApplication(dto);
    return { id: application.id };
  }

  @Get()
  @ApiOperation({ summary: 'Every application, oldest first' })
  @ApiOkResponse({ type: [ApplicationView] })
  list(): ApplicationView[] {
    return this.registry.listApplications().map(toApplicationView);
  }

  @Get(':id')
  @ApplicationScoped(applicationParam('id'))
  @ApiOperation({ summary: 'One application' })
  @ApiOkResponse({ type: ApplicationView })
  @ApiNotFoundResponse({ description: 'no such application' })
  get(@Param() params: IdParam): ApplicationView {
    const application = this.registry.application(params.id);
    if (!application) throw new RegistryNotFoundError([{ field: 'id', reason: 'no such application' }]);
    return toApplicationView(application);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an application that has no devices' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such application' })
  @ApiConflictResponse({ description: 'it still has devices' })
  async remove(@Param() params: IdParam): Promise<void> {
    await this.registry.deleteApplication(params.id);
  }
}
