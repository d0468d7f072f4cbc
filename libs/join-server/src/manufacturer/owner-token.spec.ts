import * as fc from 'fast-check';
import {
  crockfordBase32,
  generateOwnerToken,
  generateOwnerTokens,
  normalizeOwnerToken,
  OWNER_TOKEN_LENGTH,
  OwnerTokenComparer,
} from './owner-token';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DEV_EUI = '0004a30b001c0530';

describe('owner tokens', () => {
  it('are 24 Crockford base32 characters (120 bits), never a ":"', () => {
    for (const t of generateOwnerTokens(200)) {
      expect(t).toHaveLength(OWNER_TOKEN_LENGTH);
      expect(t).toMatch(/^[0-9A-HJKMNP-TV-Z]{24}$/);
    }
  });

  it('do not repeat', () => {
    const tokens = generateOwnerTokens(10_000);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(generateOwnerToken()).not.toBe(generateOwnerToken());
  });

  it('encode the bytes most significant bit first (a known vector and any 15 bytes)', () => {
    expect(crockfordBase32(Buffer.from('0123456789', 'hex'))).toBe('04HMASW9');
    expect(crockfordBase32(Buffer.alloc(5, 0xff))).toBe('ZZZZZZZZ');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 15, maxLength: 15 }), (bytes) => {
        const text = crockfordBase32(Buffer.from(bytes));
        const value = [...text].reduce((v, c) => v * 32n + BigInt(CROCKFORD.indexOf(c)), 0n);
        expect(value).toBe(BigInt('0x' + Buffer.from(bytes).toString('hex')));
      }),
    );
  });

  it('are read as Crockford decodes them: case, hyphens and look-alikes', () => {
    expect(normalizeOwnerToken('abcd-efgh-ijkl-mnop')).toBe('ABCDEFGH1JK1MN0P');
    expect(normalizeOwnerToken('OIL')).toBe('011');
  });
});

describe('OwnerTokenComparer', () => {
  const comparer = new OwnerTokenComparer();
  const token = generateOwnerToken();

  it('accepts the token, however it is typed', () => {
    expect(comparer.matches(DEV_EUI, token, token)).toBe(true);
    expect(comparer.matches(DEV_EUI, token.toLowerCase(), token)).toBe(true);
    expect(comparer.matches(DEV_EUI, token.replace(/(.{4})/g, '$1-').slice(0, -1), token)).toBe(true);
  });

  it('refuses another token, a prefix, an empty one, and any token when none is stored', () => {
    expect(comparer.matches(DEV_EUI, generateOwnerToken(), token)).toBe(false);
    expect(comparer.matches(DEV_EUI, token.slice(0, 23), token)).toBe(false);
    expect(comparer.matches(DEV_EUI, '', token)).toBe(false);
    expect(comparer.matches(DEV_EUI, token, undefined)).toBe(false);
  });

  it('binds the digest to the DevEUI and to this process', () => {
    expect(comparer.digest(DEV_EUI, token)).not.toEqual(comparer.digest('0004a30b001c0531', token));
    expect(comparer.digest(DEV_EUI, token)).not.toEqual(new OwnerTokenComparer().digest(DEV_EUI, token));
    expect(comparer.digest(DEV_EUI, token)).toHaveLength(32);
  });
});
