import { crc16Modbus } from './crc16-modbus';

/**
 * LoRa Alliance TR005 device-identification QR code: `LW:D0:<JoinEUI>:<DevEUI>:<ProfileID>[:<ext>…]`,
 * ASCII, fields separated by `:`; extensions are one tag letter and a value (`O` owner token, `S` serial
 * number, `P` proprietary, `C` checksum). Pure: strings in, values out. Rules from TR005 (LoRa Alliance,
 * "LoRaWAN Device Identification QR Codes") and The Things Stack's `lora_alliance_tr005.go`.
 */

/** A decoded (or to-be-encoded) TR005 code. EUIs and the ProfileID are lowercase hex, as in the API. */
export interface Tr005Code {
  /** 16 hex digits. */
  joinEui: string;
  /** 16 hex digits. */
  devEui: string;
  /** 8 hex digits: VendorID (2 bytes) then the vendor's ProfileID/ModelID (2 bytes); `00000000` when unknown. */
  profileId: string;
  /** `O`: the claim authentication code of the device's join server. */
  ownerToken?: string;
  /** `S`: the device's serial number. */
  serialNumber?: string;
  /** `P`: vendor data, in order (may repeat). */
  proprietary?: string[];
}

/** What parseTr005 found: the code, and whether a `C` checksum was there (and matched). */
export interface ParsedTr005 extends Tr005Code {
  proprietary: string[];
  checksummed: boolean;
}

export type Tr005ErrorCode =
  /** Not `LW:D0:…` with at least the five mandatory parts, not ASCII, or too long. */
  | 'FORMAT'
  /** A schema other than D0 (the only one TR005 defines). */
  | 'SCHEMA'
  | 'JOIN_EUI'
  | 'DEV_EUI'
  | 'PROFILE_ID'
  /** `C` is not 4 hex digits, or is not the CRC-16/MODBUS of what precedes it. */
  | 'CHECKSUM'
  /** `O`, `S` or `C` given twice. */
  | 'DUPLICATE'
  /** (build) an extension value holding `:` or a character outside printable ASCII. */
  | 'VALUE';

export class Tr005Error extends Error {
  constructor(
    readonly code: Tr005ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'Tr005Error';
  }
}

/** Far beyond any real code (a QR code holds at most 4296 alphanumeric characters). */
export const TR005_MAX_LENGTH = 1024;
export const UNKNOWN_PROFILE_ID = '00000000';

const EUI = /^[0-9A-Fa-f]{16}$/;
const PROFILE_ID = /^[0-9A-Fa-f]{8}$/;
const CHECKSUM = /^[0-9A-Fa-f]{4}$/;
/** Printable ASCII: what a scanner yields and a label printer prints. */
const ASCII = /^[\x20-\x7e]*$/;

/**
 * Decodes a TR005 string. Surrounding whitespace (a scanner's line end) is dropped; unknown extension tags
 * and empty extension values are ignored (as The Things Stack does); a `C` checksum, when present, must
 * match. Throws Tr005Error.
 */
export function parseTr005(input: string): ParsedTr005 {
  if (typeof input !== 'string') throw new Tr005Error('FORMAT', 'a TR005 code is a string');
  const text = input.trim();
  if (text.length > TR005_MAX_LENGTH) {
    throw new Tr005Error('FORMAT', `longer than ${TR005_MAX_LENGTH} characters`);
  }
  if (!ASCII.test(text)) throw new Tr005Error('FORMAT', 'holds characters outside printable ASCII');
  const parts = text.split(':');
  if (parts[0] !== 'LW') throw new Tr005Error('FORMAT', 'does not start with "LW:"');
  if (parts.length < 5) {
    throw new Tr005Error('FORMAT', 'needs at least LW:D0:<JoinEUI>:<DevEUI>:<ProfileID>');
  }
  const [, schema, joinEui, devEui, profileId] = parts;
  if (schema !== 'D0') throw new Tr005Error('SCHEMA', `schema "${schema}" is not D0`);
  if (!EUI.test(joinEui)) throw new Tr005Error('JOIN_EUI', 'JoinEUI must be 16 hex digits');
  if (!EUI.test(devEui)) throw new Tr005Error('DEV_EUI', 'DevEUI must be 16 hex digits');
  if (!PROFILE_ID.test(profileId)) throw new Tr005Error('PROFILE_ID', 'ProfileID must be 8 hex digits');

  const code: ParsedTr005 = {
    joinEui: joinEui.toLowerCase(),
    devEui: devEui.toLowerCase(),
    profileId: profileId.toLowerCase(),
    proprietary: [],
    checksummed: false,
  };
  // Offset of the current part in `text`, to know what a checksum covers.
  let offset = parts.slice(0, 5).join(':').length;
  for (const part of parts.slice(5)) {
    const start = offset;
    offset += 1 + part.length;
    const tag = part[0];
    const value = part.slice(1);
    // TR005: an extension with no value (`:O:S:P`) says nothing.
    if (value === '') continue;
    if (tag === 'C') {
      if (code.checksummed) throw new Tr005Error('DUPLICATE', 'checksum (C) given twice');
      checkChecksum(value, text.slice(0, start));
      code.checksummed = true;
      continue;
    }
    if (tag === 'O') {
      if (code.ownerToken !== undefined) throw new Tr005Error('DUPLICATE', 'owner token (O) given twice');
      code.ownerToken = value;
    } else if (tag === 'S') {
      if (code.serialNumber !== undefined) throw new Tr005Error('DUPLICATE', 'serial number (S) given twice');
      code.serialNumber = value;
    } else if (tag === 'P') {
      code.proprietary.push(value);
    }
    // Any other tag: ignored, so codes with extensions defined later still read.
  }
  return code;
}

/** `value` is the C part's value; `covered` the text before `:C`. */
function checkChecksum(value: string, covered: string): void {
  if (!CHECKSUM.test(value)) throw new Tr005Error('CHECKSUM', 'checksum (C) must be 4 hex digits');
  const expected = crc16Modbus(covered);
  if (parseInt(value, 16) !== expected) {
    throw new Tr005Error('CHECKSUM', 'checksum (C) does not match: the code was misread or altered');
  }
}

/**
 * Encodes a TR005 string: hex uppercase (so the whole code fits the QR alphanumeric mode when the values
 * do), extensions in the order O, S, P, then the checksum C last, as in TR005's own example. Throws
 * Tr005Error on a value that cannot be written.
 */
export function buildTr005(code: Tr005Code, opts: { checksum?: boolean } = {}): string {
  if (!EUI.test(code.joinEui)) throw new Tr005Error('JOIN_EUI', 'JoinEUI must be 16 hex digits');
  if (!EUI.test(code.devEui)) throw new Tr005Error('DEV_EUI', 'DevEUI must be 16 hex digits');
  if (!PROFILE_ID.test(code.profileId)) throw new Tr005Error('PROFILE_ID', 'ProfileID must be 8 hex digits');
  const parts = [
    'LW',
    'D0',
    code.joinEui.toUpperCase(),
    code.devEui.toUpperCase(),
    code.profileId.toUpperCase(),
  ];
  const extension = (tag: string, name: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    if (value.includes(':') || !ASCII.test(value)) {
      throw new Tr005Error('VALUE', `${name} must be printable ASCII without ':'`);
    }
    parts.push(tag + value);
  };
  extension('O', 'owner token', code.ownerToken);
  extension('S', 'serial number', code.serialNumber);
  for (const p of code.proprietary ?? []) extension('P', 'proprietary value', p);
  let text = parts.join(':');
  if (opts.checksum ?? true) text += ':C' + crc16Modbus(text).toString(16).toUpperCase().padStart(4, '0');
  if (text.length > TR005_MAX_LENGTH) {
    throw new Tr005Error('VALUE', `the code would be longer than ${TR005_MAX_LENGTH} characters`);
  }
  return text;
}
