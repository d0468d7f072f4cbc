export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Why `value` is not a webhook URL, or null when it is one: an absolute http(s) URL
 * (RFC 3986) with a host. Credentials in the URL are refused: they would be shown in every
 * listing; a header (e.g. Authorization) carries them instead, sealed at rest. Spaces and
 * control characters are refused rather than silently dropped, as the WHATWG parser would.
 */
export function webhookUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f]/.test(value)) return 'must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password) {
    return 'must not contain credentials: send them in a header (e.g. Authorization), kept sealed';
  }
  if (url.hash) return 'must not have a #fragment (it is never sent)';
  return null;
}

/** The URL as stored and shown: the parser's normal form. Call after webhookUrlProblem. */
export function normalizeWebhookUrl(value: string): string {
  return new URL(value).href;
}
