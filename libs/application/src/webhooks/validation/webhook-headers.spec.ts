import { webhookHeadersProblem } from './webhook-headers';

describe('webhookHeadersProblem', () => {
  it('accepts tokens as names and visible text as values', () => {
    expect(webhookHeadersProblem({})).toBeNull();
    expect(
      webhookHeadersProblem({
        Authorization: 'Bearer abc.def',
        'X-Api-Key': 'k',
        "x!#$%&'*+-.^_`|~1": 'tab\tand café',
        Empty: '',
      }),
    ).toBeNull();
  });

  it.each([
    [null, 'must be an object of header names to string values'],
    ['Authorization: x', 'must be an object of header names to string values'],
    [['a'], 'must be an object of header names to string values'],
    [{ 'Bad Name': 'x' }, 'header name "Bad Name" is not an HTTP token (RFC 9110 §5.6.2)'],
    [{ 'X:Y': 'x' }, 'header name "X:Y" is not an HTTP token (RFC 9110 §5.6.2)'],
    [{ '': 'x' }, 'header name "" is not an HTTP token (RFC 9110 §5.6.2)'],
    [{ Ü: 'x' }, 'header name "Ü" is not an HTTP token (RFC 9110 §5.6.2)'],
    [{ 'X-A': 1 }, 'header X-A must have a string value'],
    [
      { 'X-A': 'a\r\nX-Injected: 1' },
      'header X-A value has a character HTTP does not allow (CR, LF, NUL, control or beyond U+00FF)',
    ],
    [
      { 'X-A': 'a\u0000' },
      'header X-A value has a character HTTP does not allow (CR, LF, NUL, control or beyond U+00FF)',
    ],
    [
      { 'X-A': '☃' },
      'header X-A value has a character HTTP does not allow (CR, LF, NUL, control or beyond U+00FF)',
    ],
    [{ 'X-A': 'x'.repeat(4097) }, 'header X-A value is longer than 4096 characters'],
    [{ 'X-A': '1', 'x-a': '2' }, 'header x-a is given twice (names are case-insensitive)'],
    [{ 'content-type': 'text/plain' }, 'header content-type is set by the server'],
    [{ 'Content-Length': '1' }, 'header Content-Length is set by the server'],
    [{ Host: 'evil' }, 'header Host is set by the server'],
    [{ 'Transfer-Encoding': 'chunked' }, 'header Transfer-Encoding is set by the server'],
    [{ 'x-lns-event': 'up' }, 'header x-lns-event is set by the server'],
    [{ 'X-LNS-Delivery-Id': '1' }, 'header X-LNS-Delivery-Id is set by the server'],
  ])('refuses %j: %s', (headers, reason) => {
    expect(webhookHeadersProblem(headers)).toBe(reason);
  });

  it('refuses more than 32 headers and over-long names', () => {
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`X-${i}`, 'v']));
    expect(webhookHeadersProblem(many)).toBe('must have at most 32 headers');
    expect(webhookHeadersProblem({ ['X'.repeat(129)]: 'v' })).toMatch(/longer than 128 characters/);
  });
});
