import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Owner tokens: the secret a manufacturer prints on a device (TR005 `O` extension) and whoever holds the
 * device presents to claim it. 15 random bytes = 120 bits, written in Crockford's base32 (24 characters,
 * digits and uppercase letters without I, L, O, U): nothing to guess, no ':' (a TR005 separator), and
 * every character in the QR alphanumeric set, so the whole TR005 code stays a small symbol.
 */
export const OWNER_TOKEN_BYTES = 15;
export const OWNER_TOKEN_LENGTH = 24;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `count` fresh tokens (one call to the CSPRNG for a whole import). */
export function generateOwnerTokens(count: number): string[] {
  const bytes = randomBytes(OWNER_TOKEN_BYTES * count);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(crockfordBase32(bytes.subarray(i * OWNER_TOKEN_BYTES, (i + 1) * OWNER_TOKEN_BYTES)));
  }
  bytes.fill(0);
  return out;
}

export function generateOwnerToken(): string {
  return generateOwnerTokens(1)[0];
}

/** Base32 of `bytes` (a multiple of 5 bytes: no padding), Crockford's alphabet. */
export function crockfordBase32(bytes: Buffer): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(acc >>> bits) & 31];
    }
  }
  if (bits > 0) out += CROCKFORD[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * The token as typed by a person: case ignored, hyphens (Crockford's optional grouping) dropped, and
 * the look-alikes read as Crockford decodes them (I and L as 1, O as 0). Anything else is kept, so a
 * token of another form simply does not match.
 */
export function normalizeOwnerToken(token: string): string {
  return token.toUpperCase().replace(/-/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

/**
 * Compares a presented token with the stored one in constant time. Both sides are first reduced to an
 * HMAC-SHA256 under a key of this process, bound to the DevEUI: equal lengths whatever was presented (so
 * timingSafeEqual applies and the length leaks nothing), and a digest never outlives the process.
 * A fast keyed hash is enough here: the token is 120 random bits, out of reach of any guessing, so a
 * deliberately slow hash (scrypt, meant for low-entropy passwords) would only slow imports down.
 */
export class OwnerTokenComparer {
  private readonly key = randomBytes(32);

  digest(devEui: string, token: string): Buffer {
    return createHmac('sha256', this.key)
      .update(`${devEui}\n${normalizeOwnerToken(token)}`)
      .digest();
  }

  /** True when `presented` is `stored`; the same work whether `stored` exists or not. */
  matches(devEui: string, presented: string, stored: string | undefined): boolean {
    const a = this.digest(devEui, presented);
    // An unknown device is compared against a digest no token has, so that path costs the same.
    const b = this.digest(devEui, stored ?? '\u0000no token');
    return timingSafeEqual(a, b) && stored !== undefined;
  }
}
