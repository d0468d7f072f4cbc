/**
 * `npm run bench`: performance figures, printed as a table and written to
 * bench/results/latest.json. Figures come from here, never from timed assertions in tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runUplinkCryptoBench } from './uplink-crypto';

function main(): void {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`;
  console.log(`machine: ${machine}`);
  console.log('\nper-uplink crypto, one core (frames/s):');
  const crypto = runUplinkCryptoBench(seconds);
  for (const r of crypto) {
    console.log(
      `  ${r.name.padEnd(52)} ${String(r.framesPerSecond).padStart(9)} /s  ${r.microsPerFrame.toFixed(2)} µs`,
    );
  }
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const out = { at: new Date().toISOString(), machine, uplinkCrypto: crypto };
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwritten: ${join('bench', 'results', 'latest.json')}`);
}

main();
