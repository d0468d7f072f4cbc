import { classifyResponse, parseRetryAfter } from './delivery-outcome';

describe('classifyResponse (RFC 9110 §15)', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(classifyResponse(status)).toEqual({ kind: 'delivered', status });
  });

  it.each([408, 429, 500, 502, 503, 504, 599])('%i is retried', (status) => {
    expect(classifyResponse(status)).toEqual({ kind: 'retry', reason: `HTTP ${status}`, status });
  });

  it.each([400, 401, 403, 404, 405, 410, 413, 415, 422])(
    '%i is given up: the request itself is refused',
    (status) => {
      expect(classifyResponse(status)).toEqual({ kind: 'rejected', reason: `HTTP ${status}`, status });
    },
  );

  it.each([301, 302, 307, 308])('%i is given up: a redirect is not followed', (status) => {
    expect(classifyResponse(status)).toMatchObject({
      kind: 'rejected',
      status,
      reason: expect.stringMatching(/redirect/),
    });
  });

  it('carries Retry-After of a 429 or 503', () => {
    expect(classifyResponse(429, '7')).toMatchObject({ kind: 'retry', retryAfterMs: 7_000 });
    expect(classifyResponse(503, ['2'])).toMatchObject({ kind: 'retry', retryAfterMs: 2_000 });
  });
});

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  const now = Date.UTC(2025, 10, 21, 12, 0, 0);

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
  });

  it('reads an HTTP-date as the time left, never negative', () => {
    expect(parseRetryAfter('Fri, 21 Nov 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 21 Nov 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
