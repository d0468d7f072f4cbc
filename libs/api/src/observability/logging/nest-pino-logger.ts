import { LoggerService } from '@nestjs/common';
import { Level, Logger } from 'pino';

/**
 * Nest's start-up chatter ("XModule dependencies initialized", one "Mapped {…} route" line per
 * route) is logged at debug, so an info log starts with what an operator needs: ports, counts.
 */
const FRAMEWORK_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** A stack trace as Nest passes it to error(): a first line, then "at …" frames. */
const STACK = /^.*\n\s+at .+/;

/**
 * Nest's LoggerService over pino: every `new Logger(context).log(…)` in the code base and in
 * Nest itself becomes one JSON line with `context`. Nest appends the context as the last
 * argument; error() may carry a stack trace before it.
 */
export class NestPinoLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(asked: Level, message: unknown, params: unknown[]): void {
    const rest = [...params];
    const last = rest.at(-1);
    const context = typeof last === 'string' && !STACK.test(last) ? (rest.pop() as string) : undefined;
    const level = asked === 'info' && context && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : asked;
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    const stack = rest.find((p): p is string => typeof p === 'string' && STACK.test(p));
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, message.message);
      return;
    }
    if (stack !== undefined) fields.err = { stack };
    if (typeof message === 'object' && message !== null) {
      // Structured fields (redacted by the logger's paths); `msg` names the message if given.
      const { msg, message: text, ...data } = message as Record<string, unknown>;
      this.pino[level]({ ...data, ...fields }, String(msg ?? text ?? ''));
      return;
    }
    this.pino[level](fields, String(message));
  }
}
