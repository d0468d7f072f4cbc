/** How one HTTP attempt ended. */
export type DeliveryOutcome =
  | { kind: 'delivered'; status: number }
  /** Worth another attempt: network error, timeout, 408, 429, 5xx. */
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  /** The endpoint refused this event; sending it again would not change that. */
  | { kind: 'rejected'; reason: string; status: number };

/**
 * RFC 9110 §15: 2xx is delivered. 408 (Request Timeout) and 429 (Too Many Requests) ask to
 * come back later, as do 5xx; every other 4xx says the request itself is wrong, and 3xx is
 * not followed (a POST must not silently become a GET, §15.4): those are given up at once.
 */
export function classifyResponse(
  status: number,
  retryAfter?: string | string[],
  now = Date.now(),
): DeliveryOutcome {
  if (status >= 200 && status <= 299) return { kind: 'delivered', status };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return {
      kind: 'retry',
      reason: `HTTP ${status}`,
      status,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    };
  }
  if (status >= 300 && status <= 399) {
    return { kind: 'rejected', reason: `HTTP ${status}: redirects are not followed`, status };
  }
  return { kind: 'rejected', reason: `HTTP ${status}`, status };
}

/** `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // IMF-fixdate, rfc850-date and asctime-date all name the day: "-5" or "2025" are not dates.
  if (!/^[A-Za-z]{3}/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
