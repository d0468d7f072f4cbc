import { MAX_IMPORT_RECORDS, recordsFromCsv, recordsFromJson } from './import-records';
import { fieldOfColumn, parseMacVersion } from './manufacturer-record';

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const NWK_KEY = '000102030405060708090a0b0c0d0e0f';
const record = (i: number, extra: Record<string, unknown> = {}) => ({
  devEui: `00000000000000${i.toString(16).padStart(2, '0')}`,
  joinEui: '70B3D57ED0000001',
  appKey: APP_KEY,
  macVersion: '1.0.3',
  ...extra,
});

describe('parseMacVersion', () => {
  it.each([
    ['1.0.3', '1.0.3'],
    ['1.0', '1.0.0'],
    ['1.1', '1.1.0'],
    ['1.1.0', '1.1.0'],
    ['MAC_V1_0_4', '1.0.4'],
    ['mac_v1_1', '1.1.0'],
    [' 1.0.2 ', '1.0.2'],
  ])('reads %s as %s', (text, version) => {
    expect(parseMacVersion(text)).toBe(version);
  });
  it.each(['1.0.5', '1.2', '2.0', '1.1.1', 'v1.0.3', ''])('refuses %j', (text) => {
    expect(parseMacVersion(text)).toBeUndefined();
  });
});

describe('fieldOfColumn', () => {
  it.each([
    ['dev_eui', 'devEui'],
    ['DevEUI', 'devEui'],
    ['app_eui', 'joinEui'],
    ['join_eui', 'joinEui'],
    ['lorawan_version', 'macVersion'],
    ['mac_version', 'macVersion'],
    ['nwk_key', 'nwkKey'],
    ['Serial Number', 'serialNumber'],
    ['name', undefined],
  ])('%s → %s', (column, field) => {
    expect(fieldOfColumn(column)).toBe(field);
  });
});

describe('recordsFromJson', () => {
  it('builds records: EUIs and keys lowercase, keys as bytes, ProfileID 00000000 by default', () => {
    const r = recordsFromJson([
      record(1),
      record(2, { macVersion: '1.1.0', nwkKey: NWK_KEY, profileId: 'A1B2C3D4' }),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.records[0]).toEqual({
      line: 1,
      record: {
        devEui: '0000000000000001',
        joinEui: '70b3d57ed0000001',
        macVersion: '1.0.3',
        appKey: Buffer.from(APP_KEY, 'hex'),
        profileId: '00000000',
      },
    });
    expect(r.records[1].record).toMatchObject({ nwkKey: Buffer.from(NWK_KEY, 'hex'), profileId: 'a1b2c3d4' });
  });

  it('lists every problem with its position and field; no record is kept from a bad import', () => {
    const r = recordsFromJson([
      record(1),
      record(2, { devEui: 'xyz', appKey: undefined }),
      'not an object',
      record(4, { macVersion: '1.1.0' }),
      record(5, { nwkKey: NWK_KEY, extra: 1 }),
      record(6, { macVersion: '9.9' }),
      record(7, { serialNumber: 'A:B', profileId: '123' }),
      record(8, { appKey: 42 }),
    ]);
    expect(r.problems).toEqual([
      { line: 2, field: 'devEui', reason: 'must be 16 hex digits' },
      { line: 2, field: 'appKey', reason: 'is required' },
      { line: 3, field: 'record', reason: 'must be an object' },
      { line: 4, field: 'nwkKey', reason: 'is required for a LoRaWAN 1.1 device' },
      { line: 5, field: 'extra', reason: 'is not a record field' },
      { line: 5, field: 'nwkKey', reason: 'a LoRaWAN 1.0.3 device has only an AppKey' },
      { line: 6, field: 'macVersion', reason: expect.stringContaining('must be one of 1.0.0') },
      { line: 7, field: 'profileId', reason: expect.stringContaining('8 hex digits') },
      { line: 7, field: 'serialNumber', reason: expect.stringContaining("without ':'") },
      { line: 8, field: 'appKey', reason: 'must be a string' },
    ]);
  });

  it('names a DevEUI given twice, with its first position', () => {
    const r = recordsFromJson([
      record(1),
      record(2),
      record(1, { devEui: '0000000000000001'.toUpperCase() }),
    ]);
    expect(r.records).toHaveLength(2);
    expect(r.problems).toEqual([
      { line: 3, field: 'devEui', reason: 'given twice in this import (first at 1)' },
    ]);
  });

  it.each([
    ['an object', { records: [] }, 'must be a JSON array'],
    ['an empty array', [], 'holds no record'],
  ])('refuses %s', (_name, body, reason) => {
    expect(recordsFromJson(body).problems).toEqual([
      { line: 0, field: 'body', reason: expect.stringContaining(reason) },
    ]);
  });

  it(`refuses more than ${MAX_IMPORT_RECORDS} records`, () => {
    const body = new Array(MAX_IMPORT_RECORDS + 1).fill(record(1));
    expect(recordsFromJson(body).problems[0].reason).toContain(`at most ${MAX_IMPORT_RECORDS}`);
  });
});

describe('recordsFromCsv', () => {
  it('reads our column names, lines counted from the header', () => {
    const r = recordsFromCsv(
      'dev_eui,join_eui,app_key,nwk_key,mac_version\n' +
        `0000000000000001,70b3d57ed0000001,${APP_KEY},,1.0.3\n` +
        `0000000000000002,70b3d57ed0000001,${APP_KEY},${NWK_KEY},1.1.0\n`,
    );
    expect(r.problems).toEqual([]);
    expect(
      r.records.map((x) => [x.line, x.record.devEui, x.record.macVersion, x.record.nwkKey?.length]),
    ).toEqual([
      [2, '0000000000000001', '1.0.3', undefined],
      [3, '0000000000000002', '1.1.0', 16],
    ]);
  });

  it("reads a The Things Stack export: ';', quoted cells, app_eui, lorawan_version, unknown columns ignored", () => {
    const r = recordsFromCsv(
      'id;dev_eui;app_eui;name;lorawan_version;lorawan_phy_version;frequency_plan_id;app_key;serial_number\r\n' +
        `"dev-1";"0004A30B001C0530";"70B3D57ED0000001";"Sensor; hall";"MAC_V1_0_2";"PHY_V1_0_2_REV_B";"EU_863_870";"${APP_KEY}";"SN-0001"\r\n`,
    );
    expect(r.problems).toEqual([]);
    expect(r.records[0].record).toMatchObject({
      devEui: '0004a30b001c0530',
      joinEui: '70b3d57ed0000001',
      macVersion: '1.0.2',
      serialNumber: 'SN-0001',
    });
  });

  it('names a missing column, a doubled column, a short row and bad cells with their lines', () => {
    expect(recordsFromCsv('dev_eui,app_key,mac_version\n').problems).toEqual([
      { line: 1, field: 'joinEui', reason: 'no column for it in the header row' },
    ]);
    expect(recordsFromCsv('dev_eui,join_eui,app_eui,app_key,mac_version\n').problems).toEqual([
      { line: 1, field: 'joinEui', reason: 'two columns for it (column 3)' },
    ]);
    const r = recordsFromCsv(
      'dev_eui,join_eui,app_key,mac_version\n' +
        `0000000000000001,70b3d57ed0000001,${APP_KEY}\n` +
        `0000000000000002,70b3d57ed0000001,${APP_KEY.slice(2)},1.0.3\n` +
        `0000000000000003,70b3d57ed0000001,${APP_KEY},1.0.3\n`,
    );
    expect(r.problems).toEqual([
      { line: 2, field: 'row', reason: "has 3 cells, the header 4 (separator ',')" },
      { line: 3, field: 'appKey', reason: 'must be 32 hex digits' },
    ]);
  });

  it('names a broken quote and an empty file', () => {
    expect(recordsFromCsv('dev_eui,join_eui,app_key,mac_version\n"0000\n').problems).toEqual([
      { line: 2, field: 'body', reason: 'line 2: a quoted field is not closed' },
    ]);
    expect(recordsFromCsv('dev_eui,join_eui,app_key,mac_version\n').problems[0].reason).toBe(
      'holds no record',
    );
  });
});
