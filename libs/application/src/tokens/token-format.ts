import { createHash, randomBytes } from 'node:crypto';

/** The prefix tells an API token from the admin token at a glance, and to secret scanners. */
export const API_TOKEN_PREFIX = 'lns_';

/** 32 random bytes, base64url (43 characters, no padding). */
const API_TOKEN = /^lns_[A-Za-z0-9_-]{43}$/;

/** A new token: `lns_` and 256 random bits. */
export function generateApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** What is stored of a token: a random 256-bit secret needs no salt or slow hash. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isApiTokenFormat(s: string): boolean {
  return API_TOKEN.test(s);
}
