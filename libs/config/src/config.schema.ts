/** The settings of one process, after defaults, file and environment are merged and checked. */
export interface LnsConfig {
  dataDir: string;
  /** `tls`: serve HTTPS (certFile + keyFile); `caFile` also asks clients for a certificate (mutual TLS). */
  http: { port: number; host: string; tls: HttpTlsConfig };
  /** `worker` (default true): a worker thread owns the socket (receives, acknowledges, sends); false = the main thread. */
  udp: { port: number; host: string; worker: boolean };
  /** `qos`: the QoS the server publishes application events with (0, 1 or 2). */
  mqtt: { port: number; host: string; url: string; qos: number };
  /**
   * `sessionWriter`: where device-session commits run on SQLite. `worker` (default): a worker
   * thread with its own connection, so the event loop never waits for an fsync; `inline`: the main
   * connection, on the event loop.
   */
  database: { url: string; sessionWriter?: SessionWriterMode };
  adminToken: string;
  masterKey: string;
  netId: string;
  dedup: { windowMs: number; cooldownMs: number };
  downlink: { maxRetries: number; classC: { ackTimeoutMs: number } };
  gateways: { allowUnknown: boolean };
  /** `manufacturerToken`: the bearer token of manufacturer imports (`/api/js/devices`); empty = generated. */
  joinServer: { manufacturerToken: string };
  log: { level: LogLevel };
  /** Who may call this join server's LoRaWAN Backend Interfaces endpoint (`POST /api/backend-interfaces`). */
  backendInterfaces: { peers: BackendInterfacesPeerConfig[] };
}

/** PEM file paths; all empty = plain HTTP. */
export interface HttpTlsConfig {
  certFile: string;
  keyFile: string;
  /** CA of the client certificates to ask for; empty = no client certificates. */
  caFile: string;
}

/** A network server (or application server) allowed to send Backend Interfaces requests. */
export interface BackendInterfacesPeerConfig {
  /** The SenderID it sends: its NetID (6 hex digits) for a network server, its AS-ID for an application server. */
  senderId: string;
  /** The bearer token it must send (`Authorization: Bearer <token>`). */
  token?: string;
  /** The KEK shared with it: session keys sent to it are wrapped under it (RFC 3394), labelled kekLabel. */
  kekLabel?: string;
  /** 32, 48 or 64 hex digits. */
  kek?: string;
}

export const SESSION_WRITER_MODES = ['worker', 'inline'] as const;
export type SessionWriterMode = (typeof SESSION_WRITER_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`config ${key}: ${reason}`);
    this.name = 'ConfigError';
  }
}

function checkPort(key: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 65535)
    throw new ConfigError(key, `must be a port 0-65535, got ${v}`);
}

/** Throws ConfigError naming the first key that is wrong. */
export function validateConfig(c: LnsConfig): LnsConfig {
  checkPort('http.port', c.http.port);
  checkPort('udp.port', c.udp.port);
  if (typeof c.udp.worker !== 'boolean') throw new ConfigError('udp.worker', 'must be true or false');
  checkPort('mqtt.port', c.mqtt.port);
  if (!/^[0-9a-fA-F]{6}$/.test(c.netId)) throw new ConfigError('netId', 'must be 6 hex digits');
  if (c.masterKey && !/^[0-9a-fA-F]{64}$/.test(c.masterKey)) {
    throw new ConfigError('masterKey', 'must be 64 hex digits (32 bytes)');
  }
  if (c.adminToken && c.adminToken.length < 16)
    throw new ConfigError('adminToken', 'must be at least 16 characters');
  if (c.joinServer?.manufacturerToken && c.joinServer.manufacturerToken.length < 16) {
    throw new ConfigError('joinServer.manufacturerToken', 'must be at least 16 characters');
  }
  if (!Number.isInteger(c.dedup.windowMs) || c.dedup.windowMs < 0 || c.dedup.windowMs > 10_000) {
    throw new ConfigError('dedup.windowMs', 'must be an integer 0-10000');
  }
  if (!Number.isInteger(c.dedup.cooldownMs) || c.dedup.cooldownMs < 0) {
    throw new ConfigError('dedup.cooldownMs', 'must be a non-negative integer');
  }
  if (!Number.isInteger(c.downlink.maxRetries) || c.downlink.maxRetries < 0 || c.downlink.maxRetries > 100) {
    throw new ConfigError('downlink.maxRetries', 'must be an integer 0-100');
  }
  if (!Number.isInteger(c.downlink.classC.ackTimeoutMs) || c.downlink.classC.ackTimeoutMs < 100) {
    throw new ConfigError('downlink.classC.ackTimeoutMs', 'must be an integer of at least 100 (ms)');
  }
  if (![0, 1, 2].includes(c.mqtt.qos)) throw new ConfigError('mqtt.qos', 'must be 0, 1 or 2');
  if (c.mqtt.url && !/^(mqtts?|wss?|tcp):\/\//.test(c.mqtt.url)) {
    throw new ConfigError('mqtt.url', 'must start with mqtt://, mqtts://, ws://, wss:// or tcp://');
  }
  if (c.database.url && !/^(sqlite:|postgres(ql)?:\/\/)/.test(c.database.url)) {
    throw new ConfigError('database.url', 'must start with sqlite: or postgres://');
  }
  const writer = c.database.sessionWriter;
  if (writer !== undefined && !(SESSION_WRITER_MODES as readonly string[]).includes(writer)) {
    throw new ConfigError('database.sessionWriter', `must be one of ${SESSION_WRITER_MODES.join(', ')}`);
  }
  if (!(LOG_LEVELS as readonly string[]).includes(c.log.level)) {
    throw new ConfigError('log.level', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  validateHttpTls(c.http.tls);
  validatePeers(c.backendInterfaces?.peers, Boolean(c.http.tls?.caFile));
  return c;
}

function validateHttpTls(tls: HttpTlsConfig | undefined): void {
  if (tls === undefined || tls === null || typeof tls !== 'object')
    throw new ConfigError('http.tls', 'must be a mapping');
  for (const k of ['certFile', 'keyFile', 'caFile'] as const) {
    if (typeof tls[k] !== 'string') throw new ConfigError(`http.tls.${k}`, 'must be a file path or empty');
  }
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
    throw new ConfigError(
      tls.certFile ? 'http.tls.keyFile' : 'http.tls.certFile',
      'certFile and keyFile go together',
    );
  }
  if (tls.caFile && !tls.certFile)
    throw new ConfigError('http.tls.caFile', 'needs certFile and keyFile (HTTPS)');
}

const KEK_HEX = /^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$/;

/** Each peer is authenticated: by its bearer token, or by its client certificate when mutual TLS is on. */
function validatePeers(peers: unknown, mutualTls: boolean): void {
  const key = 'backendInterfaces.peers';
  if (!Array.isArray(peers)) throw new ConfigError(key, 'must be a list');
  const seen = new Set<string>();
  peers.forEach((p: BackendInterfacesPeerConfig, i) => {
    const at = `${key}[${i}]`;
    if (p === null || typeof p !== 'object') throw new ConfigError(at, 'must be a mapping');
    if (typeof p.senderId !== 'string' || p.senderId.length < 1 || p.senderId.length > 256) {
      throw new ConfigError(
        `${at}.senderId`,
        'must be a string of 1 to 256 characters (a NetID or an AS-ID; quote NetIDs in YAML)',
      );
    }
    if (seen.has(p.senderId.toLowerCase())) throw new ConfigError(`${at}.senderId`, 'listed twice');
    seen.add(p.senderId.toLowerCase());
    if (p.token !== undefined && (typeof p.token !== 'string' || !/^[\x21-\x7e]{16,4096}$/.test(p.token))) {
      throw new ConfigError(`${at}.token`, 'must be 16 to 4096 visible ASCII characters');
    }
    if (p.token === undefined && !mutualTls) {
      throw new ConfigError(
        `${at}.token`,
        'required unless http.tls.caFile authenticates clients (mutual TLS)',
      );
    }
    if ((p.kek === undefined) !== (p.kekLabel === undefined)) {
      throw new ConfigError(
        `${at}.${p.kek === undefined ? 'kek' : 'kekLabel'}`,
        'kek and kekLabel go together',
      );
    }
    if (
      p.kekLabel !== undefined &&
      (typeof p.kekLabel !== 'string' || p.kekLabel.length < 1 || p.kekLabel.length > 256)
    ) {
      throw new ConfigError(`${at}.kekLabel`, 'must be 1 to 256 characters');
    }
    if (p.kek !== undefined && (typeof p.kek !== 'string' || !KEK_HEX.test(p.kek))) {
      throw new ConfigError(`${at}.kek`, 'must be 32, 48 or 64 hex digits');
    }
  });
}
