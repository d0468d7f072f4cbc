import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { PublicKeyError, unwrapKey, wrapKey } from '@lns/lorawan';
import { KeyCipher } from '@lns/storage';
import { ApplicationNotFoundError } from '../tokens/api-token.errors';
import { AstkKekProvider } from './astk-kek-provider';
import { astkContext } from './kek-label';
import { TransportKeyEntity } from './transport-key.entity';
import { NotEndToEndError, TransportKeyNotFoundError } from './transport-key.errors';
import { TransportKeyRepository } from './transport-key.repository';
import { TransportKeyService } from './transport-key.service';

const as = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_KEY = as.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const MASTER_KEY = Buffer.alloc(32, 7);

/** The repository's contract in memory. */
class FakeRepository {
  readonly rows: TransportKeyEntity[] = [];
  constructor(readonly applications: Map<string, boolean>) {}
  async endToEnd(id: string) {
    return this.applications.get(id);
  }
  async insert(row: TransportKeyEntity) {
    if (this.rows.some((r) => r.kekLabel === row.kekLabel)) throw new Error('duplicate');
    this.rows.push({ ...row });
  }
  async loadActive() {
    return this.sorted(this.rows.filter((r) => r.revokedAt === null));
  }
  async listByApplication(id: string) {
    return this.sorted(this.rows.filter((r) => r.applicationId === id));
  }
  async find(id: string, label: string) {
    const r = this.rows.find((x) => x.applicationId === id && x.kekLabel === label);
    return r ? { ...r } : null;
  }
  async newestCreatedAt(id: string) {
    return this.sorted(this.rows.filter((r) => r.applicationId === id)).pop()?.createdAt;
  }
  async markRevoked(id: string, label: string, at: Date) {
    const r = this.rows.find((x) => x.applicationId === id && x.kekLabel === label && x.revokedAt === null);
    if (r) r.revokedAt = at;
  }
  private sorted(rows: TransportKeyEntity[]) {
    return [...rows].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }
}

function setup(
  repo = new FakeRepository(
    new Map([
      ['e2e', true],
      ['plain', false],
      ['e2e-2', true],
    ]),
  ),
) {
  const cipher = new KeyCipher(MASTER_KEY);
  const service = new TransportKeyService(repo as unknown as TransportKeyRepository, cipher);
  return { repo, cipher, service, provider: new AstkKekProvider(service) };
}

function openAsTheAs(wrappedKey: string): Buffer {
  return privateDecrypt(
    { key: as.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    Buffer.from(wrappedKey, 'base64'),
  );
}

/** Every line the service logs, at any level. */
const logged: string[] = [];

describe('TransportKeyService', () => {
  beforeEach(() => {
    logged.length = 0;
    const record = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    for (const level of ['log', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(record);
    }
  });
  afterEach(() => jest.restoreAllMocks());

  it('hands a fresh 16-byte ASTK out only RSA-OAEP-SHA256 encrypted; keeps it sealed under the master key', async () => {
    const { repo, cipher, service } = setup();
    const created = await service.create('e2e', PUBLIC_KEY, new Date(1_000));
    expect(created).toMatchObject({ applicationId: 'e2e', current: true, revokedAt: null });
    expect(created.kekLabel).toMatch(/^astk-[0-9a-f]{16}$/);
    const astk = openAsTheAs(created.wrappedKey);
    expect(astk).toHaveLength(16);
    const row = repo.rows[0];
    expect(row.astk.includes(astk)).toBe(false);
    expect(cipher.decrypt(row.astk, astkContext('e2e', created.kekLabel))).toEqual(astk);
    // The seal is bound to its application and label.
    expect(() => cipher.decrypt(row.astk, astkContext('e2e-2', created.kekLabel))).toThrow();
    expect(JSON.stringify(await service.list('e2e'))).not.toContain(astk.toString('base64'));
    const again = await service.create('e2e', PUBLIC_KEY, new Date(2_000));
    expect(openAsTheAs(again.wrappedKey).equals(astk)).toBe(false);
    expect(again.kekLabel).not.toBe(created.kekLabel);
    // Logged: the label and the public key's fingerprint; never the ASTK.
    expect(logged.join('\n')).toContain(created.kekLabel);
    for (const form of [astk.toString('hex'), astk.toString('hex').toUpperCase(), astk.toString('base64')]) {
      expect(logged.join('\n')).not.toContain(form);
    }
  });

  it('gives the join server the current ASTK: the AS opens AppSKeys wrapped under it', async () => {
    const { service, provider } = setup();
    expect(provider.kekFor('e2e')).toBeUndefined();
    const created = await service.create('e2e', PUBLIC_KEY);
    const wrapping = provider.kekFor('e2e')!;
    expect(wrapping.kekLabel).toBe(created.kekLabel);
    const appSKey = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const envelope = wrapKey({ kek: wrapping.kek, key: appSKey });
    expect(unwrapKey({ kek: openAsTheAs(created.wrappedKey), wrapped: envelope })).toEqual(appSKey);
    expect(provider.kekFor('e2e-2')).toBeUndefined();
  });

  it('rotation: the newest key is current; revoking it brings back the newest other; revoking the last leaves none', async () => {
    const { service, provider } = setup();
    const k1 = await service.create('e2e', PUBLIC_KEY, new Date(1_000));
    // Same instant: still strictly after k1, so the order survives a restart.
    const k2 = await service.create('e2e', PUBLIC_KEY, new Date(1_000));
    expect(k2.createdAt.getTime()).toBe(1_001);
    expect(provider.kekFor('e2e')!.kekLabel).toBe(k2.kekLabel);
    expect((await service.list('e2e')).map((k) => [k.kekLabel, k.current])).toEqual([
      [k1.kekLabel, false],
      [k2.kekLabel, true],
    ]);
    const revoked = await service.revoke('e2e', k2.kekLabel, new Date(5_000));
    expect(revoked).toMatchObject({ kekLabel: k2.kekLabel, current: false, revokedAt: new Date(5_000) });
    expect(provider.kekFor('e2e')!.kekLabel).toBe(k1.kekLabel);
    // Idempotent: the first revocation time stays.
    expect((await service.revoke('e2e', k2.kekLabel, new Date(9_000))).revokedAt).toEqual(new Date(5_000));
    await service.revoke('e2e', k1.kekLabel);
    expect(provider.kekFor('e2e')).toBeUndefined();
    expect(logged).toContainEqual(expect.stringContaining('none left: joins of its devices are refused'));
    expect((await service.list('e2e')).every((k) => !k.current && k.revokedAt !== null)).toBe(true);
    const k3 = await service.create('e2e', PUBLIC_KEY);
    expect(provider.kekFor('e2e')!.kekLabel).toBe(k3.kekLabel);
  });

  it('loads the keys not revoked at start, oldest first', async () => {
    const first = setup();
    const a = await first.service.create('e2e', PUBLIC_KEY, new Date(1_000));
    const b = await first.service.create('e2e', PUBLIC_KEY, new Date(2_000));
    const c = await first.service.create('e2e-2', PUBLIC_KEY, new Date(3_000));
    await first.service.revoke('e2e', b.kekLabel);
    const restarted = setup(first.repo);
    await restarted.service.onModuleInit();
    expect(restarted.provider.kekFor('e2e')!.kekLabel).toBe(a.kekLabel);
    expect(restarted.provider.kekFor('e2e-2')!.kekLabel).toBe(c.kekLabel);
  });

  it('refuses unknown applications, plain applications, bad public keys and unknown labels', async () => {
    const { service, repo } = setup();
    await expect(service.create('nope', PUBLIC_KEY)).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(service.create('plain', PUBLIC_KEY)).rejects.toBeInstanceOf(NotEndToEndError);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    await expect(
      service.create('e2e', small.export({ type: 'spki', format: 'pem' }).toString()),
    ).rejects.toBeInstanceOf(PublicKeyError);
    await expect(service.list('nope')).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(service.revoke('e2e', 'astk-0000000000000000')).rejects.toBeInstanceOf(
      TransportKeyNotFoundError,
    );
    const other = await service.create('e2e-2', PUBLIC_KEY);
    await expect(service.revoke('e2e', other.kekLabel)).rejects.toBeInstanceOf(TransportKeyNotFoundError);
    expect(repo.rows).toHaveLength(1);
  });

  it('refuses to hand out a key that does not unseal (another master key): the join is then refused', async () => {
    const first = setup();
    await first.service.create('e2e', PUBLIC_KEY);
    const other = new TransportKeyService(
      first.repo as unknown as TransportKeyRepository,
      new KeyCipher(Buffer.alloc(32, 9)),
    );
    await other.onModuleInit();
    expect(other.currentWrapping('e2e')).toBeUndefined();
    expect(logged).toContainEqual(expect.stringMatching(/AS transport key astk-[0-9a-f]+ does not unseal/));
  });

  it('serializes concurrent creations of one application: distinct, strictly ordered keys', async () => {
    const { service } = setup();
    const at = new Date(10_000);
    const keys = await Promise.all([1, 2, 3, 4].map(() => service.create('e2e', PUBLIC_KEY, at)));
    const times = keys.map((k) => k.createdAt.getTime());
    expect(new Set(times).size).toBe(4);
    expect(new Set(keys.map((k) => k.kekLabel)).size).toBe(4);
    const newest = keys[times.indexOf(Math.max(...times))];
    expect(service.currentLabel('e2e')).toBe(newest.kekLabel);
  });
});
