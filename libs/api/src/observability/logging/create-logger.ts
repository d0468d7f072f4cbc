import pino, { DestinationStream, Logger } from 'pino';
import { LogLevel } from '@lns/config';
import { prettyStream } from './pretty-stream';

/**
 * Field names that hold key material or credentials. Keys are never logged (ARCHITECTURE.md
 * "Keys"); this list is the net under that rule for whatever object reaches a log line, at
 * any of the first three levels of nesting (`appKey`, `device.appKey`, `req.body.appKey`).
 */
export const SECRET_FIELDS = [
  // Root keys (L104 §6.1.1.3, L11 §6.1.1.3) and session keys (L104 §6.1.2, L11 §6.1.2).
  'appKey',
  'nwkKey',
  'appSKey',
  'nwkSKey',
  'fNwkSIntKey',
  'sNwkSIntKey',
  'nwkSEncKey',
  'jsIntKey',
  'jsEncKey',
  // Key-encryption keys (TS002 KeyEnvelope), the AS transport key, the master key.
  'kek',
  'astk',
  'masterKey',
  // Credentials: API and MQTT tokens, admin token, broker passwords.
  'token',
  'adminToken',
  'password',
  'authorization',
] as const;

/** Paths for pino's `redact`: every secret field at depth 1-3, and the HTTP credential headers. */
export const REDACT_PATHS: string[] = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export const REDACTED = '[redacted]';

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; default stdout (one JSON object a line, or human lines on a TTY). */
  destination?: DestinationStream;
  /** Human-readable lines instead of JSON; default: when stdout is a terminal. */
  pretty?: boolean;
}

/**
 * The process's root logger: pino, one JSON object a line on stdout (`level` as a name, `time`
 * in ISO 8601, `msg`, and `context` for the Nest class that logged), at the configured level
 * (config `log.level`), with SECRET_FIELDS redacted. Writes are synchronous, so nothing logged
 * just before process.exit is lost; the uplink path logs nothing at info and above.
 */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  const destination = options.destination ?? (pretty ? prettyStream(process.stdout) : pino.destination(1));
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
