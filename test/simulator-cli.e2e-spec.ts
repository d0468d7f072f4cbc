import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LnsProcess, startLnsProcess } from './support/lns-process';

jest.setTimeout(120_000);
const run = promisify(execFile);

/** `npm run simulate` as a user runs it, against the built server over real UDP and HTTP. */
describe('simulator CLI', () => {
  let lns: LnsProcess;

  beforeAll(async () => {
    lns = await startLnsProcess({ LNS_DEDUP_WINDOW_MS: '50' }, ['http', 'udp']);
  });
  afterAll(async () => {
    await lns?.stop();
  });

  async function simulate(args: string[]): Promise<string> {
    const { stdout } = await run(
      process.execPath,
      [
        join(__dirname, '../node_modules/ts-node/dist/bin.js'),
        '--transpile-only',
        '-r',
        'tsconfig-paths/register',
        'apps/simulator/src/main.ts',
        '--url',
        `http://127.0.0.1:${lns.ports.http}`,
        '--udp',
        `127.0.0.1:${lns.ports.udp}`,
        '--token',
        lns.adminToken()!,
        ...args,
      ],
      { cwd: join(__dirname, '..'), timeout: 90_000 },
    );
    return stdout;
  }

  it('provisions ABP devices and gateways, sends uplinks heard by two gateways, and reports each device', async () => {
    const out = await simulate(
      ['--activation', 'ABP', '--gateways', '2', '--devices', '4', '--interval', '500ms'].concat([
        '--duration',
        '3s',
        '--confirmed',
        '1',
        '--seed',
        '11',
      ]),
    );
    expect(out).toContain('provisioned 2 gateways and 4 ABP devices (EU868, 1.0.3)');
    const lines = out.split('\n').filter((l) => /^[0-9a-f]{16} /.test(l));
    expect(lines).toHaveLength(4);
    for (const l of lines) {
      expect(l).toMatch(/joined=yes uplinks=[1-9]\d* downlinks=[1-9]/);
      expect(l).not.toMatch(/errors|outside-rx-windows/);
    }
    const total =
      /total: 4 devices, 4 joined, (\d+) uplinks, (\d+) downlinks, 0 outside RX windows, 0 errors/.exec(out);
    expect(total).not.toBeNull();
    // Every uplink was confirmed: each got its ACK in RX1 or RX2.
    expect(Number(total![2])).toBeGreaterThanOrEqual(Number(total![1]) - 4);
  });

  it('joins OTAA devices through the embedded join server, and a second run reuses what exists', async () => {
    const args = [
      '--gateways',
      '1',
      '--devices',
      '2',
      '--interval',
      '1s',
      '--duration',
      '9s',
      '--seed',
      '12',
    ];
    expect(await simulate(args)).toMatch(/total: 2 devices, 2 joined, [1-9]\d* uplinks/);
    expect(
      await simulate([
        '--gateways',
        '1',
        '--devices',
        '2',
        '--interval',
        '1s',
        '--duration',
        '1s',
        '--seed',
        '12',
      ]),
    ).toContain('provisioned 1 gateways and 2 OTAA devices');
  });

  it('joins LoRaWAN 1.1 OTAA devices in US915 (sub-band 2, CFList channel mask) and gets their downlinks in RX windows', async () => {
    const out = await simulate(
      ['--region', 'US915', '--mac-version', '1.1.0', '--gateways', '2', '--devices', '3'].concat([
        '--interval',
        '1s',
        '--duration',
        '9s',
        '--confirmed',
        '1',
        '--seed',
        '13',
      ]),
    );
    expect(out).toContain('provisioned 2 gateways and 3 OTAA devices (US915, 1.1.0)');
    expect(out).toMatch(
      /total: 3 devices, 3 joined, [1-9]\d* uplinks, [1-9]\d* downlinks, 0 outside RX windows, 0 errors/,
    );
  });

  it('refuses a bad option with the usage', async () => {
    await expect(simulate(['--region', 'EU433'])).rejects.toMatchObject({
      stderr: expect.stringContaining('--region: EU868 or US915'),
    });
  });
});
