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
import { RegistryErrorFilter } from '../../../registry/api/registry-error.filter';
import { RegistryNotFoundError } from '../../../registry/registry-errors';
import { JoinServerView } from '../join-server-record';
import { JoinServerRegistry } from '../join-server-registry';
import {
  CreatedJoinServerDto,
  CreateJoinServerDto,
  JoinServerIdParam,
  JoinServerViewDto,
} from './join-server.dto';

/** External join servers: where the joins of devices with `joinServer: <id>` go (LoRaWAN Backend Interfaces). */
@ApiTags('join servers')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@UseFilters(RegistryErrorFilter)
@Controller('join-servers')
export class JoinServerController {
  constructor(private readonly joinServers: JoinServerRegistry) {}

  @Post()
  @ApiOperation({ summary: 'Register an external join server; its KEK, token and client key are write-only' })
  @ApiCreatedResponse({ type: CreatedJoinServerDto })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  @ApiConflictResponse({ description: 'a JoinEUI is already routed to another join server' })
  async create(@Body() dto: CreateJoinServerDto): Promise<CreatedJoinServerDto> {
    const js = await this.joinServers.create(dto);
    return { id: js.id };
  }

  @Get()
  @ApiOperation({ summary: 'Every external join server, oldest first' })
  @ApiOkResponse({ type: [JoinServerViewDto] })
  list(): JoinServerView[] {
    return this.joinServers.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One external join server (no secret)' })
  @ApiOkResponse({ type: JoinServerViewDto })
  @ApiNotFoundResponse({ description: 'no such join server' })
  get(@Param() p: JoinServerIdParam): JoinServerView {
    const js = this.joinServers.get(p.id);
    if (!js) throw new RegistryNotFoundError([{ field: 'id', reason: 'no such join server' }]);
    return js;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget an external join server no device joins through' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such join server' })
  @ApiConflictResponse({ description: 'devices still join through it' })
  async remove(@Param() p: JoinServerIdParam): Promise<void> {
    await this.joinServers.delete(p.id);
  }
}
