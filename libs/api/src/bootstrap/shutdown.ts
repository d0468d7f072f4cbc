import { INestApplication, Logger } from '@nestjs/common';

export const SHUTDOWN_TIMEOUT_MS = 10_000;

export interface ShutdownOptions {
  /** Logger context: the app's name. */
  name: string;
  timeoutMs?: number;
  /** For tests: what exits the process. */
  exit?: (code: number) => void;
  /** For tests: where the signal handlers go. */
  signals?: Pick<NodeJS.Process, 'on'>;
}

/**
 * SIGTERM/SIGINT end the app in order: every module's shutdown hooks run (sockets closed, pending
 * writes flushed), then exit 0; a second signal, a failed close or a close taking over `timeoutMs` exits
 * 1. Install it before the app starts, so a SIGTERM arriving during start-up still ends in an orderly
 * close, never a killed process. Shared by every app (apps/lns, apps/join-server).
 */
export function installShutdown(app: Promise<INestApplication>, opts: ShutdownOptions): void {
  const logger = new Logger(opts.name);
  const timeoutMs = opts.timeoutMs ?? SHUTDOWN_TIMEOUT_MS;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`${signal} again: exiting now`);
      exit(1);
      return;
    }
    closing = true;
    logger.log(`${signal}: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took over ${timeoutMs} ms: exiting`);
      exit(1);
    }, timeoutMs).unref();
    app
      .then((a) => a.close())
      .then(
        () => {
          logger.log('stopped');
          exit(0);
        },
        (err: unknown) => {
          logger.error(`shutdown failed: ${String(err)}`);
          exit(1);
        },
      );
  };
  const on = opts.signals ?? process;
  on.on('SIGTERM', shutdown);
  on.on('SIGINT', shutdown);
}
