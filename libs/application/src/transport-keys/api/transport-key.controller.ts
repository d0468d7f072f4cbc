import {
  BadRequestException,
  Body,
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
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApplicationScoped, applicationParam } from '@lns/api';
import { PublicKeyError } from '@lns/lorawan';
import { ApplicationNotFoundError } from '../../tokens/api-token.errors';
import { NotEndToEndError, TransportKeyNotFoundError } from '../transport-key.errors';
import { TransportKeyService } from '../transport-key.service';
import { CreateTransportKeyDto, TransportKeyAppParam, TransportKeyParams } from './transport-key.dto';
import {
  CreatedTransportKeyView,
  toCreatedTransportKeyView,
  toTransportKeyView,
  TransportKeyView,
} from './transport-key.view';

function body(statusCode: number, error: string, message: string, field: string, reason: string) {
  return { statusCode, error, message, fields: [{ field, reason }] };
}

/** The typed errors of the transport keys as 4xx naming the field. */
function httpError(err: unknown): never {
  if (err instanceof ApplicationNotFoundError) {
    throw new NotFoundException(body(404, 'Not Found', err.message, 'id', 'no such application'));
  }
  if (err instanceof TransportKeyNotFoundError) {
    throw new NotFoundException(
      body(404, 'Not Found', err.message, 'kekLabel', 'no such transport key in this application'),
    );
  }
  if (err instanceof NotEndToEndError) {
    throw new BadRequestException(
      body(400, 'Bad Request', err.message, 'id', 'the application is not end-to-end (endToEnd: false)'),
    );
  }
  if (err instanceof PublicKeyError) {
    throw new BadRequestException(body(400, 'Bad Request', err.message, 'publicKey', err.reason));
  }
  throw err;
}

/** AS transport keys (ASTK) of end-to-end applications (README "End-to-end applications"). */
@ApiTags('applications')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@ApplicationScoped(applicationParam('id'))
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
    try {
      return toCreatedTransportKeyView(await this.keys.create(p.id, dto.publicKey));
    } catch (err) {
      httpError(err);
    }
  }

  @Get()
  @ApiOperation({ summary: "The application's transport keys, oldest first, without key material" })
  @ApiOkResponse({ type: [TransportKeyView] })
  @ApiNotFoundResponse({ description: 'no such application' })
  async list(@Param() p: TransportKeyAppParam): Promise<TransportKeyView[]> {
    try {
      return (await this.keys.list(p.id)).map(toTransportKeyView);
    } catch (err) {
      httpError(err);
    }
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
    try {
      await this.keys.revoke(p.id, p.kekLabel);
    } catch (err) {
      httpError(err);
    }
  }
}
