import { IncomingMessage } from 'node:http';
import {
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  StreamableFile,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
  ApiExtraModels,
} from '@nestjs/swagger';
import { Public } from '@lns/api';
import { DevEuiParam } from '../api/dev-nonce.dto';
import { QR_CONTENT_TYPES, renderQr } from '../qr/qr-image';
import { importBodyOf } from './import-body';
import { recordsFromCsv, recordsFromJson } from './import-records';
import { ManufacturerErrorFilter } from './manufacturer-error.filter';
import { ManufacturerTokenGuard } from './manufacturer-token.guard';
import { ImportQuery, IssuedOwnerTokenDto, ManufacturerRecordDto, QrCodeQuery } from './manufacturer.dto';
import { IssuedOwnerToken, ManufacturerService } from './manufacturer.service';

/**
 * Manufacturers' side of the join server (manufacturer or admin token): personalization records in,
 * owner tokens and TR005 labels out. Thin: parsing and rules live in import-records.ts and
 * ManufacturerService.
 */
@ApiTags('join server: manufacturers')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token (manufacturer or admin token)' })
@ApiExtraModels(ManufacturerRecordDto)
@Public()
@UseGuards(ManufacturerTokenGuard)
@UseFilters(ManufacturerErrorFilter)
@Controller('js/devices')
export class ManufacturerController {
  constructor(private readonly manufacturer: ManufacturerService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Import personalization records (JSON array or CSV with a header row; thousands at a time). All or ' +
      'nothing: any bad record fails the import with every problem listed. Each device gets an owner ' +
      'token, shown in this answer.',
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    description:
      'JSON: an array of records. CSV: `,` or `;` separated, columns dev_eui, join_eui (or app_eui), app_key, ' +
      'nwk_key, mac_version (or lorawan_version), profile_id, serial_number; other columns are ignored.',
    schema: { type: 'array', items: { $ref: getSchemaPath(ManufacturerRecordDto) } },
  })
  @ApiCreatedResponse({ type: [IssuedOwnerTokenDto] })
  @ApiBadRequestResponse({
    description: '`fields`: `{line, field, reason}` for each problem; nothing imported',
  })
  @ApiConflictResponse({
    description: 'DevEUIs the join server holds already, with their lines; nothing imported',
  })
  @ApiPayloadTooLargeResponse({ description: 'over 16 MiB: split the import' })
  @ApiUnsupportedMediaTypeResponse({ description: 'neither application/json nor text/csv' })
  async import(
    @Req() req: IncomingMessage & { body?: unknown },
    @Query() query: ImportQuery,
  ): Promise<IssuedOwnerToken[]> {
    const body = await importBodyOf(req);
    const parsed = body.type === 'json' ? recordsFromJson(body.value) : recordsFromCsv(body.text);
    return this.manufacturer.importRecords(parsed, { qr: query.qr });
  }

  @Post(':devEui/owner-token')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Issue a new owner token for the device, replacing the old one (a lost label, or a device sold on: the ' +
      'next claim moves its ownership)',
  })
  @ApiCreatedResponse({ type: IssuedOwnerTokenDto })
  @ApiNotFoundResponse({ description: 'no manufacturer record for this DevEUI' })
  issueOwnerToken(@Param() p: DevEuiParam): Promise<Required<IssuedOwnerToken>> {
    return this.manufacturer.issueOwnerToken(p.devEui);
  }

  @Get(':devEui/qrcode')
  @ApiOperation({
    summary:
      "The device's TR005 code with its owner token (LW:D0:<JoinEUI>:<DevEUI>:<ProfileID>:O<token>…:C<CRC>), as " +
      'text or a QR symbol for its label; available until the device is claimed',
  })
  @ApiProduces('image/png', 'image/svg+xml', 'text/plain')
  @ApiOkResponse({ description: 'the code (text/plain) or its QR symbol (image/svg+xml, image/png)' })
  @ApiNotFoundResponse({ description: 'no manufacturer record for this DevEUI' })
  @ApiConflictResponse({ description: 'claimed: its owner token is used up (issue a new one first)' })
  async qrcode(@Param() p: DevEuiParam, @Query() query: QrCodeQuery): Promise<StreamableFile> {
    const format = query.format ?? 'png';
    const text = await this.manufacturer.tr005(p.devEui);
    const out = await renderQr(text, format);
    const bytes = typeof out === 'string' ? Buffer.from(out, 'utf8') : out;
    const extension = format === 'text' ? 'txt' : format;
    return new StreamableFile(bytes, {
      type: QR_CONTENT_TYPES[format],
      length: bytes.length,
      disposition: `inline; filename="${p.devEui}.${extension}"`,
    });
  }
}
