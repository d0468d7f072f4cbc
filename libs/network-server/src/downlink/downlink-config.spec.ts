import { join } from 'node:path';
import { ConfigError, loadConfig } from '@lns/config';

// The downlink settings the network server adds to config/default.yaml.
describe('downlink settings', () => {
  const configDir = join(__dirname, '../../../../config');

  it('default to 8 retries (The Things Stack) and a 5 s Class C ACK timeout; LNS_* overrides them', () => {
    expect(loadConfig({ configDir, env: {} }).downlink).toEqual({
      maxRetries: 8,
      classC: { ackTimeoutMs: 5000 },
    });
    const c = loadConfig({
      configDir,
      env: { LNS_DOWNLINK_MAX_RETRIES: '0', LNS_DOWNLINK_CLASS_C_ACK_TIMEOUT_MS: '750' },
    });
    expect(c.downlink).toEqual({ maxRetries: 0, classC: { ackTimeoutMs: 750 } });
  });

  it.each([
    [{ LNS_DOWNLINK_MAX_RETRIES: '-1' }, 'downlink.maxRetries'],
    [{ LNS_DOWNLINK_MAX_RETRIES: '1.5' }, 'downlink.maxRetries'],
    [{ LNS_DOWNLINK_MAX_RETRIES: '101' }, 'downlink.maxRetries'],
    [{ LNS_DOWNLINK_CLASS_C_ACK_TIMEOUT_MS: '10' }, 'downlink.classC.ackTimeoutMs'],
  ])('refuses %j naming %s', (env, key) => {
    expect(() => loadConfig({ configDir, env })).toThrow(ConfigError);
    expect(() => loadConfig({ configDir, env })).toThrow(`config ${key}:`);
  });
});
