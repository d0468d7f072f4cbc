import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { RegistryFieldError } from '../../registry/registry-errors';

/** What `POST /api/join-servers` is asked to register (hex and PEM as the API takes them). */
export interface CreateJoinServer {
  name: string;
  /** The full Backend Interfaces endpoint (http or https). */
  url: string;
  /** JoinEUIs routed to this join server (16 hex digits each). */
  joinEuis?: string[];
  /** Label of the KEK shared with the join server (TS002 KeyEnvelope `KEKLabel`). */
  kekLabel?: string;
  /** The KEK: 32, 48 or 64 hex digits (AES-128/192/256 key wrap, RFC 3394). */
  kek?: string;
  /** Bearer token sent with each request. */
  token?: string;
  /** PEM: the CA (bundle) the join server's certificate must chain to, instead of the system's. */
  caCert?: string;
  /** PEM: our client certificate for mutual TLS, with its private key. */
  clientCert?: string;
  clientKey?: string;
}

/** An external join server as the registry holds it in memory: secrets still sealed. */
export interface JoinServerRecord {
  id: string;
  name: string;
  url: string;
  joinEuis: string[];
  kekLabel: string | null;
  kekSealed: Buffer | null;
  tokenSealed: Buffer | null;
  caCert: string | null;
  clientCert: string | null;
  clientKeySealed: Buffer | null;
  createdAt: Date;
}

/** What the API shows of a join server: never a key or a token, only whether one is set. */
export interface JoinServerView {
  id: string;
  name: string;
  url: string;
  joinEuis: string[];
  kekLabel: string | null;
  hasKek: boolean;
  hasToken: boolean;
  tls: { caCert: boolean; clientCert: boolean };
  createdAt: string;
}

export function toJoinServerView(r: JoinServerRecord): JoinServerView {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    joinEuis: [...r.joinEuis],
    kekLabel: r.kekLabel,
    hasKek: r.kekSealed !== null,
    hasToken: r.tokenSealed !== null,
    tls: { caCert: r.caCert !== null, clientCert: r.clientCert !== null },
    createdAt: r.createdAt.toISOString(),
  };
}

/** KeyCipher contexts: a sealed secret only opens in the row and column it was sealed for. */
export const joinServerKeyContext = {
  kek: (id: string) => `join-server:${id}:kek`,
  token: (id: string) => `join-server:${id}:token`,
  clientKey: (id: string) => `join-server:${id}:clientKey`,
};

export const MAX_JOIN_EUIS = 1000;
const EUI = /^[0-9a-fA-F]{16}$/;
const KEK_HEX = /^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$/;
/** Visible ASCII, no spaces: a header value that cannot be split or folded. */
const TOKEN = /^[\x21-\x7e]{1,4096}$/;
const LABEL = /^[\x20-\x7e]{1,256}$/;

/**
 * The rules of a new join server, each broken one naming its field. TLS material must parse (and the
 * client key must belong to the client certificate): a bad PEM is refused here, not at the first join.
 */
export function checkJoinServer(input: CreateJoinServer): RegistryFieldError[] {
  const errors: RegistryFieldError[] = [];
  const err = (field: string, reason: string) => errors.push({ field, reason });

  if (typeof input.name !== 'string' || input.name.length < 1 || input.name.length > 100) {
    err('name', 'must be 1 to 100 characters');
  }
  const url = parseUrl(input.url);
  if (typeof url === 'string') err('url', url);

  if (input.joinEuis !== undefined) {
    if (!Array.isArray(input.joinEuis)) err('joinEuis', 'must be a list of JoinEUIs');
    else {
      if (input.joinEuis.length > MAX_JOIN_EUIS) err('joinEuis', `at most ${MAX_JOIN_EUIS} JoinEUIs`);
      const seen = new Set<string>();
      input.joinEuis.forEach((e, i) => {
        if (typeof e !== 'string' || !EUI.test(e)) err(`joinEuis.${i}`, 'must be 16 hex digits');
        else if (seen.has(e.toLowerCase())) err(`joinEuis.${i}`, 'listed twice');
        else seen.add(e.toLowerCase());
      });
    }
  }

  // A label names a key: one without the other cannot wrap or unwrap anything.
  if (input.kekLabel !== undefined && !LABEL.test(input.kekLabel)) {
    err('kekLabel', 'must be 1 to 256 printable characters');
  }
  if (input.kek !== undefined && !KEK_HEX.test(input.kek)) err('kek', 'must be 32, 48 or 64 hex digits');
  if (input.kek !== undefined && input.kekLabel === undefined) err('kekLabel', 'required with kek');
  if (input.kekLabel !== undefined && input.kek === undefined) err('kek', 'required with kekLabel');

  if (input.token !== undefined && !TOKEN.test(input.token)) {
    err('token', 'must be 1 to 4096 visible ASCII characters, no spaces');
  }

  const tls = input.caCert !== undefined || input.clientCert !== undefined || input.clientKey !== undefined;
  if (tls && typeof url !== 'string' && url.protocol !== 'https:') {
    err('url', 'must be https:// when TLS certificates are given');
  }
  if (input.caCert !== undefined && !parseCertificates(input.caCert)) {
    err('caCert', 'must be one or more PEM certificates');
  }
  if ((input.clientCert === undefined) !== (input.clientKey === undefined)) {
    err(input.clientCert === undefined ? 'clientCert' : 'clientKey', 'clientCert and clientKey go together');
  } else if (input.clientCert !== undefined && input.clientKey !== undefined) {
    const cert = parseCertificates(input.clientCert)?.[0];
    const key = parsePrivateKey(input.clientKey);
    if (!cert) err('clientCert', 'must be a PEM certificate');
    if (!key) err('clientKey', 'must be a PEM private key (unencrypted)');
    if (cert && key && !cert.checkPrivateKey(key)) err('clientKey', 'does not belong to clientCert');
  }
  return errors;
}

/** Lowercase JoinEUIs without duplicates, as stored. */
export function normalizeJoinEuis(joinEuis: string[] | undefined): string[] {
  return [...new Set((joinEuis ?? []).map((e) => e.toLowerCase()))];
}

function parseUrl(v: unknown): URL | string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 2048)
    return 'must be a URL of at most 2048 characters';
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  // Credentials in a URL end up in logs; the bearer token has its own, write-only field.
  if (url.username || url.password) return 'must not carry credentials: give the token field instead';
  return url;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function parseCertificates(pem: unknown): X509Certificate[] | undefined {
  if (typeof pem !== 'string') return undefined;
  const blocks = pem.match(PEM_CERT);
  if (!blocks) return undefined;
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch {
    return undefined;
  }
}

function parsePrivateKey(pem: unknown): KeyObject | undefined {
  if (typeof pem !== 'string' || !pem.includes('PRIVATE KEY-----')) return undefined;
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
}
