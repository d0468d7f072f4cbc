import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
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
import { ApplicationNotFoundError } from '../../tokens/api-token.errors';
import { WebhookLimitError, WebhookNotFoundError } from '../webhook-errors';
import { WebhookService } from '../webhook.service';
import { CreateWebhookDto, WebhookApplicationParam, WebhookParams } from './webhook.dto';
import { toWebhookView, WebhookView } from './webhook.view';

/** The typed errors of the webhook service as 404/409 naming the field. */
function toHttp(err: unknown): never {
  if (err instanceof ApplicationNotFoundError) {
    throw new NotFoundException({
      statusCode: 404,
      error: 'Not Found',
      message: err.message,
      fields: [{ field: 'id', reason: 'no such application' }],
    });
  }
  if (err instanceof WebhookNotFoundError) {
    throw new NotFoundException({
      statusCode: 404,
      error: 'Not Found',
      message: err.message,
      fields: [{ field: 'webhookId', reason: 'no such webhook in this application' }],
    });
  }
  if (err instanceof WebhookLimitError) {
    throw new ConflictException({
      statusCode: 409,
      error: 'Conflict',
      message: err.message,
      fields: [{ field: 'url', reason: `an application has at most ${err.limit} webhooks` }],
    });
  }
  throw err;
}

/** HTTP webhooks of an application: its events POSTed as JSON, through a durable outbox. */
@ApiTags('applications')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@ApplicationScoped(applicationParam('id'))
@Controller('applications/:id/webhooks')
export class WebhookController {
  constructor(private readonly webhooks: WebhookService) {}

  @Post()
  @ApiOperation({ summary: "A new webhook: the application's events are POSTed to it from now on" })
  @ApiCreatedResponse({ type: WebhookView })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  @ApiNotFoundResponse({ description: 'no such application' })
  @ApiConflictResponse({ description: 'the application has as many webhooks as it may' })
  async create(@Param() p: WebhookApplicationParam, @Body() dto: CreateWebhookDto): Promise<WebhookView> {
    try {
      return toWebhookView(await this.webhooks.create(p.id, dto));
    } catch (err) {
      toHttp(err);
    }
  }

  @Get()
  @ApiOperation({ summary: "The application's webhooks with their delivery state; header names only" })
  @ApiOkResponse({ type: [WebhookView] })
  @ApiNotFoundResponse({ description: 'no such application' })
  async list(@Param() p: WebhookApplicationParam): Promise<WebhookView[]> {
    try {
      return (await this.webhooks.list(p.id)).map(toWebhookView);
    } catch (err) {
      toHttp(err);
    }
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook: nothing more is sent, its undelivered events are dropped' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such application or webhook' })
  async delete(@Param() p: WebhookParams): Promise<void> {
    try {
      await this.webhooks.delete(p.id, p.webhookId);
    } catch (err) {
      toHttp(err);
    }
  }
}
