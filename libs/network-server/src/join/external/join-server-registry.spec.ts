import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KeyCipher, MIGRATIONS } from '@lns/storage';
import {
  RegistryConflictError,
  RegistryNotFoundError,
  RegistryValidationError,
} from '../../registry/registry-errors';
import { RegistryService } from '../../registry/registry.service';
import { JoinServerEntity } from './join-server.entity';
import { JoinServerRegistry } from './join-server-registry';
import { JoinServerRepository } from './join-server.repository';
import { CA_CERT, CLIENT_CERT, CLIENT_KEY } from './testing/test-pki';

const KEK = '000102030405060708090a0b0c0d0e0f';
const TOKEN = 'a-token-0123456789';

describe('JoinServerRegistry (SQLite, migrations)', () => {
  let ds: DataSource;
  let devices: Array<{ device: { joinServer: string | null } }>;
  const cipher = new KeyCipher(randomBytes(32));
  const started: JoinServerRegistry[] = [];

  async function start(): Promise<JoinServerRegistry> {
    const fakeRegistry = { listDevices: () => devices } as unknown as RegistryService;
    const r = new JoinServerRegistry(
      new JoinServerRepository(ds.getRepository(JoinServerEntity)),
      cipher,
      fakeRegistry,
    );
    await r.onModuleInit();
    started.push(r);
    return r;
  }

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [JoinServerEntity],
      migrations: MIGRATIONS,
    });
    await ds.initialize();
    await ds.runMigrations();
    devices = [];
  });
  afterEach(async () => {
    for (const r of started.splice(0)) r.onModuleDestroy();
    await ds.destroy();
  });

  it('registers, lists, finds by id and by JoinEUI (any case), and survives a restart', async () => {
    const reg = await start();
    const a = await reg.create({
      name: 'acme',
      url: 'https://js.example.net/api/backend-interfaces',
      joinEuis: ['70B3D57ED0000001'],
      kekLabel: 'ns-000013',
      kek: KEK,
      token: TOKEN,
    });
    const b = await reg.create({ name: 'other', url: 'http://127.0.0.1:9/bi' });
    expect(a).toMatchObject({
      name: 'acme',
      joinEuis: ['70b3d57ed0000001'],
      kekLabel: 'ns-000013',
      hasKek: true,
      hasToken: true,
    });
    expect(reg.has(a.id)).toBe(true);
    expect(reg.get(b.id)).toEqual(b);
    expect(reg.findByJoinEui('70b3d57ed0000001')?.id).toBe(a.id);
    expect(reg.findByJoinEui('70B3D57ED0000001')?.id).toBe(a.id);
    expect(reg.findByJoinEui('70b3d57ed0000002')).toBeUndefined();

    const again = await start();
    expect(again.list()).toEqual([a, b]);
    expect(again.findByJoinEui('70b3d57ed0000001')?.id).toBe(a.id);
    expect(again.keyEncryptionKey(a.id)).toEqual({ kekLabel: 'ns-000013', kek: Buffer.from(KEK, 'hex') });
    expect(again.transport(a.id)?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('keeps secrets sealed at rest and out of every view', async () => {
    const reg = await start();
    const js = await reg.create({
      name: 'mtls',
      url: 'https://js.example.net/bi',
      kekLabel: 'ns',
      kek: KEK,
      token: TOKEN,
      caCert: CA_CERT,
      clientCert: CLIENT_CERT,
      clientKey: CLIENT_KEY,
    });
    const row = await ds.getRepository(JoinServerEntity).findOneByOrFail({ id: js.id });
    const raw =
      JSON.stringify(row) +
      row.kek!.toString('latin1') +
      row.token!.toString('latin1') +
      row.clientKey!.toString('latin1');
    expect(raw).not.toContain(TOKEN);
    expect(row.kek!.includes(Buffer.from(KEK, 'hex'))).toBe(false);
    expect(raw).not.toContain('PRIVATE KEY');
    expect(cipher.decrypt(row.token!, `join-server:${js.id}:token`).toString()).toBe(TOKEN);
    expect(JSON.stringify(reg.list())).not.toMatch(new RegExp(`${TOKEN}|${KEK}|PRIVATE KEY`));
    expect(reg.get(js.id)?.tls).toEqual({ caCert: true, clientCert: true });
  });

  it('refuses bad input (400) and a JoinEUI another join server has (409)', async () => {
    const reg = await start();
    await expect(reg.create({ name: '', url: 'nope' })).rejects.toBeInstanceOf(RegistryValidationError);
    const a = await reg.create({ name: 'a', url: 'http://a/', joinEuis: ['70b3d57ed0000001'] });
    const err = await reg
      .create({ name: 'b', url: 'http://b/', joinEuis: ['70b3d57ed0000002', '70B3D57ED0000001'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryConflictError);
    expect((err as RegistryConflictError).fields).toEqual([
      { field: 'joinEuis.1', reason: `already routed to join server ${a.id}` },
    ]);
    expect(reg.list()).toHaveLength(1);
    expect(reg.findByJoinEui('70b3d57ed0000002')).toBeUndefined();
  });

  it('two concurrent registrations cannot both take a JoinEUI', async () => {
    const reg = await start();
    const results = await Promise.allSettled([
      reg.create({ name: 'a', url: 'http://a/', joinEuis: ['70b3d57ed0000001'] }),
      reg.create({ name: 'b', url: 'http://b/', joinEuis: ['70b3d57ed0000001'] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await ds.getRepository(JoinServerEntity).count()).toBe(1);
  });

  it('deletes one no device uses (404 after); refuses while devices join through it', async () => {
    const reg = await start();
    const a = await reg.create({ name: 'a', url: 'http://a/', joinEuis: ['70b3d57ed0000001'] });
    devices = [{ device: { joinServer: a.id } }, { device: { joinServer: 'local' } }];
    const err = await reg.delete(a.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryConflictError);
    expect((err as RegistryConflictError).fields[0].reason).toMatch(/^1 device\(s\) join through/);
    devices = [];
    reg.transport(a.id);
    await reg.delete(a.id);
    expect(reg.has(a.id)).toBe(false);
    expect(reg.findByJoinEui('70b3d57ed0000001')).toBeUndefined();
    expect(reg.transport(a.id)).toBeUndefined();
    await expect(reg.delete(a.id)).rejects.toBeInstanceOf(RegistryNotFoundError);
    expect((await start()).list()).toEqual([]);
  });

  it('a join server whose secrets do not open under the master key gives no transport, and says so', async () => {
    const reg = await start();
    const a = await reg.create({ name: 'a', url: 'http://a/', token: TOKEN, kekLabel: 'k', kek: KEK });
    const other = new JoinServerRegistry(
      new JoinServerRepository(ds.getRepository(JoinServerEntity)),
      new KeyCipher(randomBytes(32)),
      { listDevices: () => [] } as unknown as RegistryService,
    );
    await other.onModuleInit();
    started.push(other);
    expect(other.transport(a.id)).toBeUndefined();
    expect(() => other.keyEncryptionKey(a.id)).toThrow();
  });
});
