import { isEmptyBody, parseJsonObject } from './json-body';

const HEAD = Buffer.alloc(12);

function body(text: string | Buffer): Buffer {
  return Buffer.concat([HEAD, typeof text === 'string' ? Buffer.from(text) : text]);
}

describe('parseJsonObject', () => {
  it('parses the object after the header, ignoring surrounding whitespace and trailing NULs', () => {
    expect(parseJsonObject(body(' {"a":1}\n'), 12)).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonObject(body(Buffer.from('{"a":1}\0\0')), 12)).toEqual({ ok: true, value: { a: 1 } });
  });

  it.each([
    ['nothing', ''],
    ['whitespace', '  \n'],
    ['an array', '[1,2]'],
    ['a number', '42'],
    ['null', 'null'],
    ['a string', '"rxpk"'],
    ['cut JSON', '{"rxpk":[{"tmst":1'],
    ['trailing garbage', '{"a":1}x'],
  ])('refuses %s as BAD_JSON', (_name, text) => {
    expect(parseJsonObject(body(text), 12)).toMatchObject({ ok: false, error: { code: 'BAD_JSON' } });
  });

  it('reads invalid UTF-8 inside a string as U+FFFD instead of failing', () => {
    const r = parseJsonObject(body(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), 12);
    expect(r).toEqual({ ok: true, value: { '\ufffd': 1 } });
  });
});

describe('isEmptyBody', () => {
  it('is true for nothing, whitespace or NULs after the offset', () => {
    expect(isEmptyBody(HEAD, 12)).toBe(true);
    expect(isEmptyBody(body('\0 \n'), 12)).toBe(true);
    expect(isEmptyBody(body('{}'), 12)).toBe(false);
  });
});
