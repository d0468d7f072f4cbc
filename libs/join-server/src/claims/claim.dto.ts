import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { JS_MAC_VERSIONS, JsMacVersion } from '../device/js-device';

const lowercase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value;

export class ClaimDto {
  @ApiProperty({ example: '0004a30b001c0530' })
  @Transform(lowercase)
  @IsString()
  @Matches(/^[0-9a-f]{16}$/, { message: 'devEui must be 16 hex digits' })
  devEui!: string;

  @ApiProperty({
    description: 'The owner token from the device label (TR005 `O`)',
    example: '3C9G1S5XQ8W2M7R4KD0TZHBN',
  })
  @IsString()
  @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'ownerToken must be 1 to 128 printable ASCII characters' })
  ownerToken!: string;

  @ApiPropertyOptional({ description: 'Who claims: a name kept with the claim', example: 'ACME network' })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'owner must be 1 to 100 characters' })
  owner?: string;

  @ApiPropertyOptional({
    description: 'NetID of the network server that may ask for this device’s joins (6 hex digits)',
    example: '000013',
  })
  @IsOptional()
  @Transform(lowercase)
  @IsString()
  @Matches(/^[0-9a-f]{6}$/, { message: 'homeNetId must be 6 hex digits' })
  homeNetId?: string;

  @ApiPropertyOptional({
    description:
      'Label of the AS key (`POST /api/js/as-keys`) the AppSKey is to be wrapped under for the owner’s application server; must be one of this join server’s, not revoked',
    example: 'js-astk-3f9c2a7d41be0c55',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[\x20-\x7e]{1,256}$/, { message: 'kekLabel must be 1 to 256 printable ASCII characters' })
  kekLabel?: string;
}

/** The claimed device, as its new owner needs it to provision it: never a key. */
export class ClaimView {
  @ApiProperty({ example: '0004a30b001c0530' }) devEui!: string;
  @ApiProperty({ example: '70b3d57ed0000001' }) joinEui!: string;
  @ApiProperty({ enum: JS_MAC_VERSIONS }) macVersion!: JsMacVersion;
  @ApiProperty({ example: '00000000', description: 'TR005 ProfileID' }) profileId!: string;
  @ApiProperty({ nullable: true, type: String }) serialNumber!: string | null;
  @ApiProperty({ nullable: true, type: String }) owner!: string | null;
  @ApiProperty({ nullable: true, type: String }) homeNetId!: string | null;
  @ApiProperty({ nullable: true, type: String }) kekLabel!: string | null;
  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' }) claimedAt!: string;
}
