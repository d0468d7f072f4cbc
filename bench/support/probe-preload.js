/**
 * Preloaded into the server by the bench (`node --expose-gc -r probe-preload.js main.js`); changes
 * nothing the server does. On SIGUSR2: a full garbage collection, then one line on stdout,
 * `bench-probe {memoryUsage(), elu}`, so the bench compares memory after a collection; `elu` is
 * the event loop's cumulative active and idle time (ms): busy time includes work that blocks
 * without using the CPU, such as SQLite's fsync.
 */
/* global require, process, global */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run by node itself */
'use strict';
const { performance } = require('node:perf_hooks');

process.on('SIGUSR2', () => {
  const { active, idle } = performance.eventLoopUtilization();
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  const probe = { ...process.memoryUsage(), elu: { active, idle } };
  process.stdout.write(`bench-probe ${JSON.stringify(probe)}\n`);
});
