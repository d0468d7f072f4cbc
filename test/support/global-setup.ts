import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** End-to-end tests run the real built server: build it once per run. */
export default function globalSetup(): void {
  const root = join(__dirname, '../..');
  execFileSync(process.execPath, [join(root, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'lns'], {
    cwd: root,
    stdio: 'inherit',
  });
}
