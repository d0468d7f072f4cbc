import * as fc from 'fast-check';
import { crc16Modbus } from './crc16-modbus';
import { buildTr005, parseTr005, Tr005Code, Tr005Error, Tr005ErrorCode } from './tr005';

// The example of TR005 (the only published vector with a checksum).
const TR005_EXAMPLE =
  'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122:OAABBCCDDEEFF:SYYWWNNNNNN:PFOOBAR:CAF2C';

function refusal(input: string): Tr005ErrorCode {
  try {
    parseTr005(input);
  } catch (e) {
    if (e instanceof Tr005Error) return e.code;
    throw e;
  }
  throw new Error(`accepted: ${input}`);
}

describe('crc16Modbus', () => {
  it('has the catalogue check value 0x4B37 for "123456789"', () => {
    expect(crc16Modbus('123456789')).toBe(0x4b37);
  });
  it('gives AF2C for the TR005 example (over the text before ":C")', () => {
    expect(crc16Modbus(TR005_EXAMPLE.slice(0, TR005_EXAMPLE.indexOf(':C')))).toBe(0xaf2c);
  });
  it('is 0xFFFF (the initial value) over nothing', () => {
    expect(crc16Modbus(Buffer.alloc(0))).toBe(0xffff);
  });
});

describe('parseTr005', () => {
  it('reads the TR005 example, checksum verified', () => {
    expect(parseTr005(TR005_EXAMPLE)).toEqual({
      joinEui: '1122334455667788',
      devEui: 'aabbccddeeff0011',
      profileId: 'aabb1122',
      ownerToken: 'AABBCCDDEEFF',
      serialNumber: 'YYWWNNNNNN',
      proprietary: ['FOOBAR'],
      checksummed: true,
    });
  });

  it('reads the five mandatory parts alone, without a checksum', () => {
    expect(parseTr005('LW:D0:1122334455667788:AABBCCDDEEFF0011:00000000')).toEqual({
      joinEui: '1122334455667788',
      devEui: 'aabbccddeeff0011',
      profileId: '00000000',
      proprietary: [],
      checksummed: false,
    });
  });

  it('drops a scanner line end, accepts lowercase hex and a lowercase checksum', () => {
    const lower = 'LW:D0:1122334455667788:aabbccddeeff0011:aabb1122';
    const crc = crc16Modbus(lower).toString(16).toLowerCase().padStart(4, '0');
    expect(parseTr005(`  ${lower}:C${crc}\r\n`).devEui).toBe('aabbccddeeff0011');
  });

  it('ignores unknown tags and empty values; keeps repeated P in order', () => {
    const c = parseTr005('LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122:O:S:P:Xfuture:PA:PB::Oabc');
    expect(c.ownerToken).toBe('abc');
    expect(c.serialNumber).toBeUndefined();
    expect(c.proprietary).toEqual(['A', 'B']);
  });

  it('checks only what precedes :C (parts after it are not covered)', () => {
    const head = 'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122';
    const crc = crc16Modbus(head).toString(16).toUpperCase().padStart(4, '0');
    expect(parseTr005(`${head}:C${crc}:OTOKEN`).ownerToken).toBe('TOKEN');
  });

  it.each<[string, string, Tr005ErrorCode]>([
    ['four parts', 'LW:D0:1122334455667788:AABBCCDDEEFF0011', 'FORMAT'],
    ['no LW preface', 'XX:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122', 'FORMAT'],
    ['lowercase preface', 'lw:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122', 'FORMAT'],
    ['empty', '', 'FORMAT'],
    ['non-ASCII', 'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122:Oé', 'FORMAT'],
    ['a control character', 'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122:O\u0001', 'FORMAT'],
    ['too long', 'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122:P' + 'A'.repeat(1100), 'FORMAT'],
    ['schema D1', 'LW:D1:1122334455667788:AABBCCDDEEFF0011:AABB1122', 'SCHEMA'],
    ['short JoinEUI', 'LW:D0:11223344556677:AABBCCDDEEFF0011:AABB1122', 'JOIN_EUI'],
    ['JoinEUI not hex', 'LW:D0:112233445566778G:AABBCCDDEEFF0011:AABB1122', 'JOIN_EUI'],
    ['long DevEUI', 'LW:D0:1122334455667788:AABBCCDDEEFF001122:AABB1122', 'DEV_EUI'],
    ['ProfileID of 6 digits', 'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB11', 'PROFILE_ID'],
    ['ProfileID not hex', 'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB112Z', 'PROFILE_ID'],
    ['wrong checksum', TR005_EXAMPLE.replace('CAF2C', 'CAF2D'), 'CHECKSUM'],
    ['checksum of 3 digits', TR005_EXAMPLE.replace('CAF2C', 'CAF2'), 'CHECKSUM'],
    ['checksum not hex', TR005_EXAMPLE.replace('CAF2C', 'CAF2G'), 'CHECKSUM'],
    ['a changed owner token', TR005_EXAMPLE.replace('OAABB', 'OAABC'), 'CHECKSUM'],
    ['two owner tokens', 'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122:Oa:Ob', 'DUPLICATE'],
    ['two serial numbers', 'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122:Sa:Sb', 'DUPLICATE'],
    ['two checksums', `${TR005_EXAMPLE}:C0000`, 'DUPLICATE'],
  ])('refuses %s', (_name, input, code) => {
    expect(refusal(input)).toBe(code);
  });

  it('refuses a non-string with a typed error', () => {
    expect(() => parseTr005(42 as unknown as string)).toThrow(Tr005Error);
  });
});

describe('buildTr005', () => {
  it('reproduces the TR005 example, AF2C included', () => {
    expect(
      buildTr005({
        joinEui: '1122334455667788',
        devEui: 'aabbccddeeff0011',
        profileId: 'aabb1122',
        ownerToken: 'AABBCCDDEEFF',
        serialNumber: 'YYWWNNNNNN',
        proprietary: ['FOOBAR'],
      }),
    ).toBe(TR005_EXAMPLE);
  });

  it('leaves out empty values and, when asked, the checksum', () => {
    expect(
      buildTr005(
        { joinEui: '1122334455667788', devEui: 'aabbccddeeff0011', profileId: '00000000', ownerToken: '' },
        { checksum: false },
      ),
    ).toBe('LW:D0:1122334455667788:AABBCCDDEEFF0011:00000000');
  });

  it.each<[string, Partial<Tr005Code>, Tr005ErrorCode]>([
    ['a token with ":"', { ownerToken: 'AB:CD' }, 'VALUE'],
    ['a serial number with a newline', { serialNumber: 'A\nB' }, 'VALUE'],
    ['a short JoinEUI', { joinEui: '11' }, 'JOIN_EUI'],
    ['a bad DevEUI', { devEui: 'x'.repeat(16) }, 'DEV_EUI'],
    ['a bad ProfileID', { profileId: '123' }, 'PROFILE_ID'],
    ['a code over 1024 characters', { proprietary: ['A'.repeat(1100)] }, 'VALUE'],
  ])('refuses %s', (_name, change, code) => {
    const base: Tr005Code = {
      joinEui: '1122334455667788',
      devEui: 'aabbccddeeff0011',
      profileId: '00000000',
    };
    expect(() => buildTr005({ ...base, ...change })).toThrow(expect.objectContaining({ code }));
  });
});

describe('TR005 properties', () => {
  const hex = (n: number) =>
    fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: n, maxLength: n }).map((a) => a.join(''));
  // Printable ASCII without ':', not starting a value with nothing.
  const value = fc
    .array(
      fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x3a),
      { minLength: 1, maxLength: 24 },
    )
    .map((a) => String.fromCharCode(...a))
    .filter((v) => v.trim() === v);
  const code = fc.record(
    {
      joinEui: hex(16),
      devEui: hex(16),
      profileId: hex(8),
      ownerToken: value,
      serialNumber: value,
      proprietary: fc.array(value, { maxLength: 3 }),
    },
    { requiredKeys: ['joinEui', 'devEui', 'profileId', 'proprietary'] },
  );

  it('build → parse gives the code back, with or without a checksum', () => {
    fc.assert(
      fc.property(code, fc.boolean(), (c, checksum) => {
        expect(parseTr005(buildTr005(c, { checksum }))).toEqual({ ...c, checksummed: checksum });
      }),
    );
  });

  it('any one changed character before the checksum is refused (CRC-16 catches every burst ≤ 16 bits)', () => {
    fc.assert(
      fc.property(code, fc.nat(), fc.integer({ min: 0x20, max: 0x7e }), (c, at, char) => {
        const text = buildTr005(c);
        const i = at % text.lastIndexOf(':C');
        fc.pre(text.charCodeAt(i) !== char);
        const altered = text.slice(0, i) + String.fromCharCode(char) + text.slice(i + 1);
        expect(() => parseTr005(altered)).toThrow(Tr005Error);
      }),
    );
  });
});
