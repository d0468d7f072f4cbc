/**
 * What the bench must undo however it ends: servers, workers, data dirs. Normal runs undo
 * everything in their `finally` blocks; these hooks cover Ctrl-C, the overall time limit and a
 * crash, so no server is left running and no temporary directory is left behind.
 */
type Undo = { async: () => Promise<unknown>; sync?: () => void };

const pending = new Set<Undo>();
let exiting = false;

/** Registers an undo; the returned function unregisters it (call it once the thing is closed). */
export function onCleanup(async: () => Promise<unknown>, sync?: () => void): () => void {
  const undo: Undo = { async, sync };
  pending.add(undo);
  return () => void pending.delete(undo);
}

async function cleanUpAndExit(code: number, why: string): Promise<void> {
  if (exiting) process.exit(code);
  exiting = true;
  console.error(`\n${why}: stopping the server and the load generator …`);
  const all = Promise.allSettled([...pending].map((u) => u.async()));
  const limit = new Promise((r) => setTimeout(r, 20_000).unref());
  await Promise.race([all, limit]);
  process.exit(code);
}

/** Ctrl-C and SIGTERM clean up and exit; `limitMs` bounds the whole run. */
export function installCleanup(limitMs: number): void {
  process.on('SIGINT', () => void cleanUpAndExit(130, 'interrupted'));
  process.on('SIGTERM', () => void cleanUpAndExit(143, 'terminated'));
  setTimeout(
    () => void cleanUpAndExit(1, `time limit of ${Math.round(limitMs / 60_000)} min reached`),
    limitMs,
  ).unref();
  // Last resort (a crash): synchronous undos only, e.g. SIGKILL to child processes.
  process.on('exit', () => {
    for (const u of pending) u.sync?.();
  });
}
