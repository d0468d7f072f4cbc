import { isJsMacVersion, JS_MAC_VERSIONS, JsMacVersion } from '../device/js-device';
import { UNKNOWN_PROFILE_ID } from '../qr/tr005';

/**
 * A manufacturer's personalization record: the root keys a device was programmed with, and what its
 * TR005 label says about it (ProfileID, serial number). Validated here, one record at a time, so that
 * every problem of an import is reported at once with its line and field.
 */
export interface ManufacturerRecord {
  /** 16 lowercase hex digits. */
  devEui: string;
  joinEui: string;
  macVersion: JsMacVersion;
  appKey: Buffer;
  /** LoRaWAN 1.1 only (required there). */
  nwkKey?: Buffer;
  /** TR005 ProfileID: VendorID and the vendor's model, 8 lowercase hex digits; 00000000 when not given. */
  profileId: string;
  /** TR005 `S`. */
  serialNumber?: string;
}

/** One problem of an import: the record's line (CSV) or 1-based position (JSON array), the field, why. */
export interface RecordProblem {
  line: number;
  field: string;
  reason: string;
}

/** The record fields, in the API's names. */
export const RECORD_FIELDS = [
  'devEui',
  'joinEui',
  'appKey',
  'nwkKey',
  'macVersion',
  'profileId',
  'serialNumber',
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/**
 * CSV column names, compared without case and punctuation (`dev_eui`, `DevEUI`, `Dev EUI`): ours, and
 * The Things Stack's (`app_eui` for the JoinEUI of LoRaWAN 1.0.x, `lorawan_version`).
 */
const COLUMN_ALIASES: Record<string, RecordField> = {
  deveui: 'devEui',
  joineui: 'joinEui',
  appeui: 'joinEui',
  appkey: 'appKey',
  nwkkey: 'nwkKey',
  macversion: 'macVersion',
  lorawanversion: 'macVersion',
  profileid: 'profileId',
  serialnumber: 'serialNumber',
  sernum: 'serialNumber',
};

/** The record field a CSV column feeds, or undefined for a column to ignore. */
export function fieldOfColumn(name: string): RecordField | undefined {
  return COLUMN_ALIASES[name.toLowerCase().replace(/[^a-z0-9]/g, '')];
}

/**
 * MAC versions as written by people and by The Things Stack (`MAC_V1_0_3`, `1.1`): to ours. LoRaWAN 1.0
 * is 1.0.0 and 1.1 is 1.1.0.
 */
export function parseMacVersion(v: string): JsMacVersion | undefined {
  const m = /^(?:MAC_V)?1[._]([01])(?:[._](\d))?$/i.exec(v.trim());
  if (!m) return undefined;
  const version = `1.${m[1]}.${m[2] ?? '0'}`;
  return isJsMacVersion(version) ? version : undefined;
}

const EUI = /^[0-9a-fA-F]{16}$/;
const KEY = /^[0-9a-fA-F]{32}$/;
const PROFILE_ID = /^[0-9a-fA-F]{8}$/;
/** Printable ASCII without ':' (a TR005 separator), as it goes on a label. */
const SERIAL_NUMBER = /^[\x20-\x39\x3b-\x7e]{1,64}$/;

/**
 * Checks one record (`values` by field; undefined or '' = not given) and builds it, or lists what is
 * wrong with it. The rules are the join server's: 1.1 devices have an NwkKey, 1.0.x devices only an AppKey.
 */
export function checkRecord(
  values: Partial<Record<RecordField, unknown>>,
  line: number,
): ManufacturerRecord | RecordProblem[] {
  const problems: RecordProblem[] = [];
  const problem = (field: RecordField, reason: string) => problems.push({ line, field, reason });
  /** The field's text, trimmed; undefined when absent (a problem is noted if required or not a string). */
  const text = (f: RecordField, required: boolean): string | undefined => {
    const v = values[f];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      if (required) problem(f, 'is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      problem(f, 'must be a string');
      return undefined;
    }
    return v.trim();
  };
  const hex = (f: RecordField, pattern: RegExp, what: string, required: boolean): string | undefined => {
    const v = text(f, required);
    if (v === undefined) return undefined;
    if (!pattern.test(v)) {
      problem(f, `must be ${what}`);
      return undefined;
    }
    return v.toLowerCase();
  };

  const devEui = hex('devEui', EUI, '16 hex digits', true);
  const joinEui = hex('joinEui', EUI, '16 hex digits', true);
  const appKey = hex('appKey', KEY, '32 hex digits', true);
  const nwkKeyGiven = values.nwkKey !== undefined && values.nwkKey !== null && values.nwkKey !== '';
  const nwkKey = hex('nwkKey', KEY, '32 hex digits', false);
  const profileId = hex('profileId', PROFILE_ID, '8 hex digits (VendorID and ModelID)', false);
  const serialNumber = text('serialNumber', false);
  if (serialNumber !== undefined && !SERIAL_NUMBER.test(serialNumber)) {
    problem('serialNumber', "must be 1 to 64 printable ASCII characters without ':'");
  }
  const versionText = text('macVersion', true);
  const macVersion = versionText === undefined ? undefined : parseMacVersion(versionText);
  if (versionText !== undefined && !macVersion) {
    problem('macVersion', `must be one of ${JS_MAC_VERSIONS.join(', ')}`);
  }
  // A 1.1 device has two root keys, AppKey and NwkKey (L1.1 §6.1.1.3); a 1.0.x device only the AppKey.
  if (macVersion === '1.1.0' && !nwkKeyGiven) problem('nwkKey', 'is required for a LoRaWAN 1.1 device');
  if (macVersion && macVersion !== '1.1.0' && nwkKeyGiven) {
    problem('nwkKey', `a LoRaWAN ${macVersion} device has only an AppKey`);
  }
  if (problems.length > 0 || !devEui || !joinEui || !appKey || !macVersion) return problems;
  return {
    devEui,
    joinEui,
    macVersion,
    appKey: Buffer.from(appKey, 'hex'),
    ...(nwkKey ? { nwkKey: Buffer.from(nwkKey, 'hex') } : {}),
    profileId: profileId ?? UNKNOWN_PROFILE_ID,
    ...(serialNumber !== undefined ? { serialNumber } : {}),
  };
}
