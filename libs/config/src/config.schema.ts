/** The settings of one process, after defaults, file and environment are merged and checked. */
export interface LnsConfig {
  dataDir: string;
  http: { port: number; host: string };
  udp: { port: number; host: string };
  /** `qos`: the QoS the server publishes application events with (0, 1 or 2). */
  mqtt: { port: number; host: string; url: string; qos: number };
  database: { url: string };
  adminToken: string;
  masterKey: string;
  netId: string;
  dedup: { windowMs: number; cooldownMs: number };
  downlink: { maxRetries: number; classC: { ackTimeoutMs: number } };
  gateways: { allowUnknown: boolean };
  log: { level: LogLevel };
}

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
  checkPort('mqtt.port', c.mqtt.port);
  if (!/^[0-9a-fA-F]{6}$/.test(c.netId)) throw new ConfigError('netId', 'must be 6 hex digits');
  if (c.masterKey && !/^[0-9a-fA-F]{64}$/.test(c.masterKey)) {
    throw new ConfigError('masterKey', 'must be 64 hex digits (32 bytes)');
  }
  if (c.adminToken && c.adminToken.length < 16)
    throw new ConfigError('adminToken', 'must be at least 16 characters');
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
  if (!(LOG_LEVELS as readonly string[]).includes(c.log.level)) {
    throw new ConfigError('log.level', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return c;
}
