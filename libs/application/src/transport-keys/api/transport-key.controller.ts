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
import { applicationNotFound } from '../../tokens/api/api-token.http-errors';
import { TransportKeyService } from '../transport-key.service';
import { CreateTransportKeyDto, TransportKeyAppParam, TransportKeyParams } from './transport-key.dto';
import { notEndToEnd, publicKeyRefused, transportKeyNotFound } from './transport-key.http-errors';
import {
  CreatedTransportKeyView,
  toCreatedTransportKeyView,
  toTransportKeyView,
  TransportKeyView,
} from './transport-key.view';

/** AS transport keys (ASTK) of end-to-end applications (README "End-to-end applications"). */
@ApiTags('applications')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@ApplicationScoped(applicationParam('id'))
@MapErrors(applicationNotFound, transportKeyNotFound, notEndToEnd, publicKeyRefused)
@Controller('applications/:id/transport-keys')
export class TransportKeyController {
  constructor(private readonly keys: TransportKeyService) {}

  @Post()
  @ApiOperation({
    summary:
      'A new ASTK for an end-to-end application, returned only RSA-OAEP-SHA256 encrypted under the given public key; new joins use it',
  })
  @ApiCreatedResponse({ type: CreatedTransportKeyView })
  @ApiBadRequestResponse({
    description: 'publicKey is not RSA ≥ 2048 bits, or the application is not end-to-end',
  })
  @ApiNotFoundResponse({ description: 'no such application' })
  async create(
    @Param() p: TransportKeyAppParam,
    @Body() dto: CreateTransportKeyDto,
  ): Promise<CreatedTransportKeyView> {
    return toCreatedTransportKeyView(await this.keys.create(p.id, dto.publicKey));
  }

  @Get()
  @ApiOperation({ summary: "The application's transport keys, oldest first, without key material" })
  @ApiOkResponse({ type: [TransportKeyView] })
  @ApiNotFoundResponse({ description: 'no such application' })
  async list(@Param() p: TransportKeyAppParam): Promise<TransportKeyView[]> {
    return (await this.keys.list(p.id)).map(toTransportKeyView);
  }

  @Delete(':kekLabel')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Revoke a transport key: new joins use the newest other one (none left: joins are refused); existing sessions keep their envelope',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such application or transport key' })
  async revoke(@Param() p: TransportKeyParams): Promise<void> {
    await this.keys.revoke(p.id, p.kekLabel);
  }
}
