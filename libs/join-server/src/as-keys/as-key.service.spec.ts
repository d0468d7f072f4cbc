import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PublicKeyError } from '@lns/lorawan';
import { KeyCipher, MIGRATIONS } from '@lns/storage';
import { JsAsKeyEntity } from './as-key.entity';
import { AsKeyNotFoundError } from './as-key.errors';
import { AsKeyRepository } from './as-key.repository';
import { AsKeyService } from './as-key.service';

const as = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_KEY = as.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** What the AS does with the answer: open the ASTK with its private key. */
function openAtTheAs(wrappedKey: string): Buffer {
  return privateDecrypt(
    { key: as.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    Buffer.from(wrappedKey, 'base64'),
  );
}

describe('AsKeyService (SQLite, migrations)', () => {
  let ds: DataSource;
  const masterKey = randomBytes(32);

  async function service(key = masterKey): Promise<AsKeyService> {
    const s = new AsKeyService(new AsKeyRepository(ds.getRepository(JsAsKeyEntity)), new KeyCipher(key));
    await s.onModuleInit();
    return s;
  }

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [JsAsKeyEntity],
      migrations: MIGRATIONS,
      migrationsRun: true,
    });
    await ds.initialize();
  });
  afterEach(async () => ds.destroy());

  it('makes an ASTK only the AS opens, seals it at rest, and wraps under it on the join path', async () => {
    const keys = await service();
    const created = await keys.create(PUBLIC_KEY, 'ACME AS');
    expect(created).toEqual({
      kekLabel: expect.stringMatching(/^js-astk-[0-9a-f]{16}$/),
      name: 'ACME AS',
      publicKeySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      createdAt: expect.any(Date),
      revokedAt: null,
      wrappedKey: expect.any(String),
    });
    const astk = openAtTheAs(created.wrappedKey);
    expect(astk).toHaveLength(16);
    const row = await ds.getRepository(JsAsKeyEntity).findOneByOrFail({ kekLabel: created.kekLabel });
    expect(row.astk.includes(astk)).toBe(false);
    expect(keys.wrappingFor(created.kekLabel)).toEqual({
      state: 'active',
      wrapping: { kekLabel: created.kekLabel, kek: astk },
    });
    expect(keys.usable(created.kekLabel)).toBe(true);
    // Another key, another ASTK.
    const other = await keys.create(PUBLIC_KEY);
    expect(openAtTheAs(other.wrappedKey).equals(astk)).toBe(false);
    expect(other.name).toBeNull();
  });

  it('lists the keys without key material, oldest first', async () => {
    const keys = await service();
    const a = await keys.create(PUBLIC_KEY, 'a', new Date('2026-01-01T00:00:00Z'));
    const b = await keys.create(PUBLIC_KEY, 'b', new Date('2026-01-02T00:00:00Z'));
    const listed = await keys.list();
    expect(listed.map((k) => k.kekLabel)).toEqual([a.kekLabel, b.kekLabel]);
    for (const k of listed)
      expect(Object.keys(k).sort()).toEqual([
        'createdAt',
        'kekLabel',
        'name',
        'publicKeySha256',
        'revokedAt',
      ]);
  });

  it('revokes: the key is no longer usable, and is told from a key never made, after a restart too', async () => {
    const keys = await service();
    const created = await keys.create(PUBLIC_KEY);
    const at = new Date('2026-02-01T00:00:00Z');
    expect((await keys.revoke(created.kekLabel, at)).revokedAt).toEqual(at);
    // Again: nothing changes.
    expect((await keys.revoke(created.kekLabel, new Date())).revokedAt).toEqual(at);
    for (const k of [keys, await service()]) {
      expect(k.usable(created.kekLabel)).toBe(false);
      expect(k.knows(created.kekLabel)).toBe(true);
      expect(k.wrappingFor(created.kekLabel)).toEqual({
        state: 'unusable',
        reason: `AS key ${created.kekLabel} was revoked`,
      });
      expect(k.wrappingFor('js-astk-0000000000000000')).toEqual({ state: 'unknown' });
      expect(k.knows('js-astk-0000000000000000')).toBe(false);
    }
    await expect(keys.revoke('js-astk-0000000000000000')).rejects.toBeInstanceOf(AsKeyNotFoundError);
  });

  it('refuses a public key that is not RSA ≥ 2048 bits, storing nothing', async () => {
    const keys = await service();
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    await expect(
      keys.create(small.export({ type: 'spki', format: 'pem' }).toString()),
    ).rejects.toBeInstanceOf(PublicKeyError);
    await expect(keys.create('not a key')).rejects.toBeInstanceOf(PublicKeyError);
    expect(await keys.list()).toEqual([]);
  });

  it('fails closed when the sealed ASTK does not open (another master key): never a wrong KEK', async () => {
    const created = await (await service()).create(PUBLIC_KEY);
    const elsewhere = await service(randomBytes(32));
    expect(elsewhere.wrappingFor(created.kekLabel)).toEqual({
      state: 'unusable',
      reason: `AS key ${created.kekLabel} cannot be opened on this join server`,
    });
  });
});
