/**
 * Preloaded into the server by the bench (`node --expose-gc -r probe-preload.js main.js`); changes
 * nothing the server does until asked. On SIGUSR2: a full garbage collection, then one line on
 * stdout, `bench-probe {memoryUsage()}`, so the bench compares memory after a collection. Only
 * the fleet's memory figure asks: a forced collection resets V8's heap sizing, and the seconds
 * after it run behind (docs/benchmarks.md), so the uplink steps read the event loop's busy
 * time from /metrics instead.
 */
/* global process, global */
'use strict';

process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  process.stdout.write(`bench-probe ${JSON.stringify(process.memoryUsage())}\n`);
});
