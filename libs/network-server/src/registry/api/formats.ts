import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsUUID, ValidateBy, ValidationOptions } from 'class-validator';

/** Hex at the edge (CONTRACT.md): EUIs 16 digits, keys 32, DevAddr 8. Stored and returned lowercase. */
export const EUI_HEX = /^[0-9a-f]{16}$/;
export const KEY_HEX = /^[0-9a-f]{32}$/;
export const DEV_ADDR_HEX = /^[0-9a-f]{8}$/;

/** Lowercases a string before validation, so 'ABCD…' and 'abcd…' name the same device. */
export const Lowercase = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value));

/** Hex string to Buffer, for keys checked by the DTO. */
export function hexToBuffer(hex: string): Buffer;
export function hexToBuffer(hex: string | undefined): Buffer | undefined;
export function hexToBuffer(hex: string | undefined): Buffer | undefined {
  return hex === undefined ? undefined : Buffer.from(hex, 'hex');
}

export const MAX_TAGS = 32;

/** `{ key: value }` with string values: at most 32 tags, keys 1..64 characters, values up to 256. */
export function IsTags(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTags',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_TAGS &&
            entries.every(
              ([k, v]) => k.length >= 1 && k.length <= 64 && typeof v === 'string' && v.length <= 256,
            )
          );
        },
        defaultMessage: () =>
          `tags must be an object of at most ${MAX_TAGS} string values (keys 1 to 64 characters, values up to 256)`,
      },
    },
    options,
  );
}

/** `:id` of a device profile or an application. */
export class IdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'id must be a UUID' })
  id!: string;
}

export class CreatedIdView {
  @ApiProperty({ format: 'uuid' }) id!: string;
}
