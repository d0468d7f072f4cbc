import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import { loadConfig } from '@lns/config';
import { startLns } from './bootstrap';

const SHUTDOWN_TIMEOUT_MS = 10_000;
const logger = new Logger('lns');

/**
 * Signal handlers are installed before anything starts, so a SIGTERM arriving during
 * start-up still ends in an orderly close (and exit code 0), never a killed process.
 */
function installShutdown(app: Promise<INestApplication>): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    closing = true;
    logger.log(`${signal}: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took over ${SHUTDOWN_TIMEOUT_MS} ms: exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    // Closing runs every module's shutdown hooks: sockets closed, pending writes flushed.
    app
      .then((a) => a.close())
      .then(
        () => {
          logger.log('stopped');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error(`shutdown failed: ${String(err)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

const started = startLns(loadConfig()).then((s) => s.app);
installShutdown(started);
started.catch((err: unknown) => {
  logger.fatal(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
