/**
 * V8 settings for this server's workload, applied before anything else is loaded: main.ts
 * imports this module first. Flags are process-wide, so the worker threads have them too.
 *
 * No allocation-site pretenuring (docs/decisions.md): an uplink's objects live for its dedup
 * window (200 ms), long enough for V8 to start allocating some of them straight into the old
 * generation; dead there, they kept the young objects they point to alive through every
 * scavenge until the next full GC. At 5,000 uplinks/s without it the old generation grew 0.80
 * instead of 1.84 MB per scavenge, scavenges paused 5-6 instead of 8-9 ms, and the full GCs that
 * held uplinks up for a second or two came less than half as often (`npm run bench`).
 */
import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

for (const flag of V8_FLAGS) setFlagsFromString(flag);
