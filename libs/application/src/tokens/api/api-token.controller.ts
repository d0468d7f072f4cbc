import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApplicationScoped, applicationParam, MapErrors } from '@lns/api';
import { ApiTokenService } from '../api-token.service';
import { ApiTokenParams, ApplicationIdParam, CreateApiTokenDto } from './api-token.dto';
import { apiTokenNotFound, applicationNotFound } from './api-token.http-errors';
import { ApiTokenView, CreatedApiTokenView, toApiTokenView, toCreatedApiTokenView } from './api-token.view';

/**
 * API tokens limited to one application (REST and MQTT). Only the admin creates them (a token
 * never mints tokens); an application's own token may list them and revoke one (docs/api-tokens.md).
 */
@ApiTags('applications')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@MapErrors(applicationNotFound, apiTokenNotFound)
@Controller('applications/:id/tokens')
export class ApiTokenController {
  constructor(private readonly tokens: ApiTokenService) {}

  @Post()
  @ApiOperation({
    summary: 'A new API token limited to this application; the token is in this answer only',
  })
  @ApiCreatedResponse({ type: CreatedApiTokenView })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  @ApiNotFoundResponse({ description: 'no such application' })
  async create(@Param() p: ApplicationIdParam, @Body() dto: CreateApiTokenDto): Promise<CreatedApiTokenView> {
    return toCreatedApiTokenView(await this.tokens.create(p.id, dto));
  }

  @Get()
  @ApplicationScoped(applicationParam('id'))
  @ApiOperation({ summary: "The application's tokens, without the tokens themselves" })
  @ApiOkResponse({ type: [ApiTokenView] })
  @ApiNotFoundResponse({ description: 'no such application' })
  async list(@Param() p: ApplicationIdParam): Promise<ApiTokenView[]> {
    return (await this.tokens.list(p.id)).map(toApiTokenView);
  }

  @Delete(':tokenId')
  @ApplicationScoped(applicationParam('id'))
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token: refused from now on, its MQTT connections closed' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such application or token' })
  async revoke(@Param() p: ApiTokenParams): Promise<void> {
    await this.tokens.revoke(p.id, p.tokenId);
  }
}
