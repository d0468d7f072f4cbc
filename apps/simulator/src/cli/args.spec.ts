import { ArgsError, parseArgs, parseDuration } from './args';

describe('simulate CLI arguments', () => {
  it('has defaults a newcomer can run against a local server', () => {
    const o = parseArgs([], {});
    expect(o).toMatchObject({
      url: 'http://127.0.0.1:8080',
      udpHost: '127.0.0.1',
      udpPort: 1700,
      gateways: 3,
      devices: 10,
      intervalMs: 10_000,
      durationMs: 60_000,
      activation: 'OTAA',
      heardBy: 3,
    });
  });

  it('reads the documented example', () => {
    const o = parseArgs(['--gateways', '3', '--devices', '100', '--interval', '10s'], {});
    expect(o).toMatchObject({ gateways: 3, devices: 100, intervalMs: 10_000 });
  });

  it('takes the token from LNS_ADMIN_TOKEN unless given', () => {
    expect(parseArgs([], { LNS_ADMIN_TOKEN: 't1' })).toMatchObject({ token: 't1' });
    expect(parseArgs(['--token', 't2'], { LNS_ADMIN_TOKEN: 't1' })).toMatchObject({ token: 't2' });
  });

  it('caps the gateways hearing a device at the gateway count', () => {
    expect(parseArgs(['--gateways', '2'], {})).toMatchObject({ heardBy: 2 });
    expect(parseArgs(['--gateways', '5', '--heard-by', '4'], {})).toMatchObject({ heardBy: 4 });
  });

  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    ['7', 7_000],
  ])('parses the duration %s', (s, ms) => expect(parseDuration(s, 'x')).toBe(ms));

  it.each([
    [['--interval', 'soon'], '--interval'],
    [['--devices', '-1'], '--devices'],
    [['--region', 'EU433'], '--region'],
    [['--udp', 'nohost'], '--udp'],
    [['--confirmed', '2'], '--confirmed'],
    [['--mac-version', '1.2'], '--mac-version'],
    [['--bogus', '1'], 'unknown option --bogus'],
    [['--devices'], 'needs a value'],
  ])('refuses %j naming %s', (argv, what) => {
    expect(() => parseArgs(argv, {})).toThrow(ArgsError);
    expect(() => parseArgs(argv, {})).toThrow(what);
  });

  it('answers --help', () => expect(parseArgs(['--help'], {})).toBe('help'));
});
