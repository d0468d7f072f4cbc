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
import { MapErrors } from '@lns/api';
import { AsKeyService } from './as-key.service';
import {
  AsKeyParams,
  AsKeyView,
  CreateAsKeyDto,
  CreatedAsKeyView,
  toAsKeyView,
  toCreatedAsKeyView,
} from './as-key.dto';
import { asKeyNotFound, publicKeyRefused } from './as-keys.http-errors';

/**
 * AS keys of the join server (admin token): ASTKs for application servers, which device owners name in
 * their claims (`kekLabel`) so that the AppSKey leaves this join server only wrapped for their AS
 * (docs/manufacturer-records.md).
 */
@ApiTags('join server: AS keys')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@MapErrors(publicKeyRefused, asKeyNotFound)
@Controller('js/as-keys')
export class AsKeysController {
  constructor(private readonly keys: AsKeyService) {}

  @Post()
  @ApiOperation({
    summary:
      'A new ASTK for an application server, returned only RSA-OAEP-SHA256 encrypted under its public key; claims name it by kekLabel',
  })
  @ApiCreatedResponse({ type: CreatedAsKeyView })
  @ApiBadRequestResponse({ description: 'publicKey is not an RSA public key of 2048 to 16384 bits' })
  async create(@Body() dto: CreateAsKeyDto): Promise<CreatedAsKeyView> {
    return toCreatedAsKeyView(await this.keys.create(dto.publicKey, dto.name));
  }

  @Get()
  @ApiOperation({ summary: 'The AS keys, oldest first, without key material' })
  @ApiOkResponse({ type: [AsKeyView] })
  async list(): Promise<AsKeyView[]> {
    return (await this.keys.list()).map(toAsKeyView);
  }

  @Delete(':kekLabel')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Revoke an AS key: claims may no longer name it, and devices whose claim names it are refused their joins (never sent another way)',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such AS key' })
  async revoke(@Param() p: AsKeyParams): Promise<void> {
    await this.keys.revoke(p.kekLabel);
  }
}
