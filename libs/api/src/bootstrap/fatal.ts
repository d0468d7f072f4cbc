import { createLogger } from '../observability/logging/create-logger';

/**
 * A start that fails is logged as one JSON line too, even before the configuration (and so the log
 * level) is known, or before Nest has its logger: fatal is printed at every level. Then exit 1.
 */
export function exitFatal(context: string, err: unknown): never {
  createLogger({ level: 'fatal' }).fatal({ context }, err instanceof Error ? err.message : String(err));
  process.exit(1);
}

/** `load()` (the configuration), or a fatal exit naming what is wrong. */
export function loadOrExit<T>(context: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    exitFatal(context, err);
  }
}
