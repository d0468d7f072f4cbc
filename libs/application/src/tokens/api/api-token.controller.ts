import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
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
import { ApplicationScoped, applicationParam } from '@lns/api';
import { ApiTokenNotFoundError, ApplicationNotFoundError } from '../api-token.errors';
import { ApiTokenService } from '../api-token.service';
import { ApiTokenParams, ApplicationIdParam, CreateApiTokenDto } from './api-token.dto';
import { ApiTokenView, CreatedApiTokenView, toApiTokenView, toCreatedApiTokenView } from './api-token.view';

/** The typed errors of the token store as 404s naming the field. */
function notFound(err: unknown): never {
  if (err instanceof ApplicationNotFoundError) {
    throw new NotFoundException({
      statusCode: 404,
      error: 'Not Found',
      message: err.message,
      fields: [{ field: 'id', reason: 'no such application' }],
    });
  }
  if (err instanceof ApiTokenNotFoundError) {
    throw new NotFoundException({
      statusCode: 404,
      error: 'Not Found',
      message: err.message,
      fields: [{ field: 'tokenId', reason: 'no such token in this application' }],
    });
  }
  throw err;
}

/**
 * API tokens limited to one application (REST and MQTT). Only the admin creates them (a token
 * never mints tokens); an application's own token may list them and revoke one (docs/api-tokens.md).
 */
@ApiTags('applications')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
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
    try {
      return toCreatedApiTokenView(await this.tokens.create(p.id, dto));
    } catch (err) {
      notFound(err);
    }
  }

  @Get()
  @ApplicationScoped(applicationParam('id'))
  @ApiOperation({ summary: "The application's tokens, without the tokens themselves" })
  @ApiOkResponse({ type: [ApiTokenView] })
  @ApiNotFoundResponse({ description: 'no such application' })
  async list(@Param() p: ApplicationIdParam): Promise<ApiTokenView[]> {
    try {
      return (await this.tokens.list(p.id)).map(toApiTokenView);
    } catch (err) {
      notFound(err);
    }
  }

  @Delete(':tokenId')
  @ApplicationScoped(applicationParam('id'))
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token: refused from now on, its MQTT connections closed' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such application or token' })
  async revoke(@Param() p: ApiTokenParams): Promise<void> {
    try {
      await this.tokens.revoke(p.id, p.tokenId);
    } catch (err) {
      notFound(err);
    }
  }
}
