import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The apps end-to-end tests start as real processes. */
const APPS = ['lns', 'join-server'];

function build(root: string, app: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(root, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', app],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`nest build ${app} exited with ${code}`)),
    );
  });
}

/** End-to-end tests run the real built servers: build them once per run, side by side. */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '../..');
  await Promise.all(APPS.map((app) => build(root, app)));
}
