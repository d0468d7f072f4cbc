import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { JS_MAC_VERSIONS } from '../device/js-device';
import { QR_FORMATS, QrFormat } from '../qr/qr-image';

const booleanText = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

export class ImportQuery {
  @ApiPropertyOptional({ description: "true: each answer also carries the device's TR005 code (`qr`)" })
  @IsOptional()
  @Transform(booleanText)
  @IsBoolean({ message: 'qr must be true or false' })
  qr?: boolean;
}

export class QrCodeQuery {
  @ApiPropertyOptional({
    enum: QR_FORMATS,
    default: 'png',
    description: '`text`: the TR005 string (text/plain); `svg`, `png`: a QR symbol to print',
  })
  @IsOptional()
  @IsIn(QR_FORMATS, { message: `format must be one of ${QR_FORMATS.join(', ')}` })
  format?: QrFormat;
}

/** One record of a JSON import (documentation: the body is validated record by record, with lines). */
export class ManufacturerRecordDto {
  @ApiProperty({ example: '0004a30b001c0530' }) devEui!: string;
  @ApiProperty({ example: '70b3d57ed0000001' }) joinEui!: string;
  @ApiProperty({ example: '2b7e151628aed2a6abf7158809cf4f3c', description: '32 hex digits' }) appKey!: string;
  @ApiPropertyOptional({ description: 'LoRaWAN 1.1 only (required there), 32 hex digits' }) nwkKey?: string;
  @ApiProperty({ enum: JS_MAC_VERSIONS, description: 'also `1.1`, `MAC_V1_0_3` (The Things Stack)' })
  macVersion!: string;
  @ApiPropertyOptional({
    example: 'a1b2c3d4',
    description: 'TR005 ProfileID (VendorID, ModelID); default 00000000',
  })
  profileId?: string;
  @ApiPropertyOptional({ example: 'SN-000123', description: "TR005 serial number: printable ASCII, no ':'" })
  serialNumber?: string;
}

export class IssuedOwnerTokenDto {
  @ApiProperty({ example: '0004a30b001c0530' }) devEui!: string;
  @ApiProperty({
    example: '3C9G1S5XQ8W2M7R4KD0TZHBN',
    description: '24 characters (Crockford base32, 120 bits): shown in this answer; claims use it once',
  })
  ownerToken!: string;
  @ApiPropertyOptional({ example: 'LW:D0:70B3D57ED0000001:0004A30B001C0530:00000000:O3C9G…:C1A2B' })
  qr?: string;
}
