import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
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
import { ApplicationScoped, applicationParam, MapErrors } from '@lns/api';
import { applicationNotFound } from '../../tokens/api/api-token.http-errors';
import { WebhookService } from '../webhook.service';
import { CreateWebhookDto, WebhookApplicationParam, WebhookParams } from './webhook.dto';
import { webhookLimit, webhookNotFound } from './webhook.http-errors';
import { toWebhookView, WebhookView } from './webhook.view';

/** HTTP webhooks of an application: its events POSTed as JSON, through a durable outbox. */
@ApiTags('applications')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@ApplicationScoped(applicationParam('id'))
@MapErrors(applicationNotFound, webhookNotFound, webhookLimit)
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
    return toWebhookView(await this.webhooks.create(p.id, dto));
  }

  @Get()
  @ApiOperation({ summary: "The application's webhooks with their delivery state; header names only" })
  @ApiOkResponse({ type: [WebhookView] })
  @ApiNotFoundResponse({ description: 'no such application' })
  async list(@Param() p: WebhookApplicationParam): Promise<WebhookView[]> {
    return (await this.webhooks.list(p.id)).map(toWebhookView);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook: nothing more is sent, its undelivered events are dropped' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such application or webhook' })
  async delete(@Param() p: WebhookParams): Promise<void> {
    await this.webhooks.delete(p.id, p.webhookId);
  }
}
