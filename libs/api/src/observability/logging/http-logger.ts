import { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * One debug line per HTTP request (method, URL, status, response time), through the root
 * logger so the Authorization header is redacted. Undefined when debug is off: then no
 * request pays for a child logger or a `finish` listener.
 */
export function httpRequestLogger(root: Logger): Middleware | undefined {
  if (!root.isLevelEnabled('debug')) return undefined;
  const log = pinoHttp({
    logger: root.child({ context: 'HTTP' }),
    // Server errors stay visible at the level an operator reads.
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'debug'),
    quietReqLogger: true,
  });
  return (req, res, next) => log(req, res, next);
}
