import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.schema';
import { envName, loadConfig } from './load-config';
import { resolveSecrets } from './secrets';

const configDir = join(__dirname, '../../../config');

describe('loadConfig', () => {
  it('reads config/default.yaml with the documented defaults (CONTRACT.md)', () => {
    const c = loadConfig({ env: {}, configDir });
    expect(c.http.port).toBe(8080);
    expect(c.udp.port).toBe(1700);
    expect(c.mqtt.port).toBe(1883);
    expect(c.mqtt.url).toBe('');
    expect(c.dataDir).toBe('./data');
    expect(c.netId).toBe('000000');
    expect(c.dedup.windowMs).toBe(200);
    expect(c.gateways.allowUnknown).toBe(false);
    expect(c.database.sessionWriter).toBe('worker');
    expect(c.udp.worker).toBe(true);
    const inline = loadConfig({
      env: { LNS_DATABASE_SESSION_WRITER: 'inline', LNS_UDP_WORKER: 'false' },
      configDir,
    });
    expect(inline.database.sessionWriter).toBe('inline');
    expect(inline.udp.worker).toBe(false);
  });

  it('maps key paths to LNS_* names', () => {
    expect(envName(['http', 'port'])).toBe('LNS_HTTP_PORT');
    expect(envName(['dedup', 'windowMs'])).toBe('LNS_DEDUP_WINDOW_MS');
    expect(envName(['gateways', 'allowUnknown'])).toBe('LNS_GATEWAYS_ALLOW_UNKNOWN');
    expect(envName(['dataDir'])).toBe('LNS_DATA_DIR');
    expect(envName(['netId'])).toBe('LNS_NET_ID');
  });

  it('applies every documented environment override with its type', () => {
    const c = loadConfig({
      configDir,
      env: {
        LNS_HTTP_PORT: '0',
        LNS_UDP_PORT: '1800',
        LNS_MQTT_PORT: '1884',
        LNS_MQTT_URL: 'mqtt://broker:1883',
        LNS_DATABASE_URL: 'sqlite:/tmp/x.sqlite',
        LNS_DATA_DIR: '/tmp/d',
        LNS_ADMIN_TOKEN: 'a-long-enough-token',
        LNS_MASTER_KEY: 'ab'.repeat(32),
        LNS_NET_ID: 'C00053',
        LNS_DEDUP_WINDOW_MS: '50',
        LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
      },
    });
    expect(c).toMatchObject({
      http: { port: 0 },
      udp: { port: 1800 },
      mqtt: { port: 1884, url: 'mqtt://broker:1883' },
      database: { url: 'sqlite:/tmp/x.sqlite' },
      dataDir: '/tmp/d',
      adminToken: 'a-long-enough-token',
      masterKey: 'ab'.repeat(32),
      netId: 'C00053',
      dedup: { windowMs: 50 },
      gateways: { allowUnknown: true },
    });
  });

  it('merges LNS_CONFIG_FILE under the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lns-cfg-'));
    const file = join(dir, 'site.yaml');
    writeFileSync(file, 'http:\n  port: 9000\nnetId: "000013"\n');
    const c = loadConfig({ configDir, env: { LNS_CONFIG_FILE: file, LNS_HTTP_PORT: '9001' } });
    expect(c.http.port).toBe(9001);
    expect(c.netId).toBe('000013');
    expect(c.udp.port).toBe(1700);
  });

  it.each([
    [{ LNS_HTTP_PORT: 'eighty' }, 'http.port'],
    [{ LNS_HTTP_PORT: '70000' }, 'http.port'],
    [{ LNS_NET_ID: 'xyz' }, 'netId'],
    [{ LNS_MASTER_KEY: 'abcd' }, 'masterKey'],
    [{ LNS_GATEWAYS_ALLOW_UNKNOWN: 'maybe' }, 'gateways.allowUnknown'],
    [{ LNS_DEDUP_WINDOW_MS: '-1' }, 'dedup.windowMs'],
    [{ LNS_MQTT_URL: 'http://x' }, 'mqtt.url'],
    [{ LNS_LOG_LEVEL: 'loud' }, 'log.level'],
    [{ LNS_DATABASE_SESSION_WRITER: 'thread' }, 'database.sessionWriter'],
  ])('refuses %j naming %s', (env, key) => {
    expect(() => loadConfig({ configDir, env })).toThrow(ConfigError);
    expect(() => loadConfig({ configDir, env })).toThrow(`config ${key}:`);
  });
});

describe('resolveSecrets', () => {
  it('generates the admin token and master key once, mode 0600, and reuses them', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lns-sec-'));
    const config = loadConfig({ configDir, env: { LNS_DATA_DIR: dataDir } });
    const first = resolveSecrets(config);
    expect(first.generatedAdminToken).toBe(first.adminToken);
    expect(first.masterKey).toHaveLength(32);
    expect(statSync(join(dataDir, 'master-key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
    const second = resolveSecrets(config);
    expect(second.generatedAdminToken).toBeUndefined();
    expect(second.adminToken).toBe(first.adminToken);
    expect(second.masterKey).toEqual(first.masterKey);
    expect(readFileSync(join(dataDir, 'master-key'), 'utf8').trim()).toBe(first.masterKey.toString('hex'));
  });

  it('generates a separate manufacturer token once (mode 0600), or takes the configured one', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lns-sec-'));
    const first = resolveSecrets(loadConfig({ configDir, env: { LNS_DATA_DIR: dataDir } }));
    expect(first.generatedManufacturerToken).toBe(first.manufacturerToken);
    expect(first.manufacturerToken).not.toBe(first.adminToken);
    expect(first.manufacturerToken!.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dataDir, 'manufacturer-token')).mode & 0o777).toBe(0o600);
    const second = resolveSecrets(loadConfig({ configDir, env: { LNS_DATA_DIR: dataDir } }));
    expect(second.generatedManufacturerToken).toBeUndefined();
    expect(second.manufacturerToken).toBe(first.manufacturerToken);
    const configured = resolveSecrets(
      loadConfig({
        configDir,
        env: { LNS_DATA_DIR: dataDir, LNS_JOIN_SERVER_MANUFACTURER_TOKEN: 'manufacturer-token-123' },
      }),
    );
    expect(configured.manufacturerToken).toBe('manufacturer-token-123');
    expect(() => loadConfig({ configDir, env: { LNS_JOIN_SERVER_MANUFACTURER_TOKEN: 'short' } })).toThrow(
      'config joinServer.manufacturerToken:',
    );
  });

  it('prefers configured values and refuses a corrupt key file', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lns-sec-'));
    const config = loadConfig({
      configDir,
      env: {
        LNS_DATA_DIR: dataDir,
        LNS_ADMIN_TOKEN: 'configured-token-123',
        LNS_MASTER_KEY: '11'.repeat(32),
      },
    });
    const s = resolveSecrets(config);
    expect(s.adminToken).toBe('configured-token-123');
    expect(s.masterKey).toEqual(Buffer.alloc(32, 0x11));
    const bad = mkdtempSync(join(tmpdir(), 'lns-sec-'));
    writeFileSync(join(bad, 'master-key'), 'nothex');
    expect(() => resolveSecrets(loadConfig({ configDir, env: { LNS_DATA_DIR: bad } }))).toThrow('not 64 hex');
  });
});
