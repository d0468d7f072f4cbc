import { EventBus } from '@lns/event-bus';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenNotFoundError, ApplicationNotFoundError } from './api-token.errors';
import { ApiTokenRepository } from './api-token.repository';
import { ApiTokenService } from './api-token.service';
import { hashApiToken } from './token-format';
import './token-events';

const ADMIN = 'the-admin-token-0123456789';

/** The repository's contract in memory. */
class FakeRepository {
  readonly rows: ApiTokenEntity[] = [];
  constructor(readonly applications: Set<string>) {}
  async applicationExists(id: string) {
    return this.applications.has(id);
  }
  async insert(row: ApiTokenEntity) {
    this.rows.push({ ...row });
  }
  async findByHash(hash: string) {
    return this.rows.find((r) => r.tokenHash === hash) ?? null;
  }
  async listByApplication(id: string) {
    return this.rows.filter((r) => r.applicationId === id);
  }
  async delete(applicationId: string, id: string) {
    const i = this.rows.findIndex((r) => r.applicationId === applicationId && r.id === id);
    if (i < 0) return false;
    this.rows.splice(i, 1);
    return true;
  }
}

function setup() {
  const repo = new FakeRepository(new Set(['app-a', 'app-b']));
  const bus = new EventBus();
  const service = new ApiTokenService(repo as unknown as ApiTokenRepository, bus, {
    adminToken: ADMIN,
    masterKey: Buffer.alloc(32),
  });
  return { repo, bus, service };
}

describe('ApiTokenService', () => {
  it('creates lns_ tokens of 256 random bits and keeps only their SHA-256', async () => {
    const { repo, service } = setup();
    const created = await service.create('app-a', { name: 'dashboard' });
    expect(created.token).toMatch(/^lns_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ applicationId: 'app-a', name: 'dashboard', readOnly: false });
    expect(repo.rows).toHaveLength(1);
    expect(repo.rows[0].tokenHash).toBe(hashApiToken(created.token));
    expect(JSON.stringify(repo.rows)).not.toContain(created.token.slice(4));
    const other = await service.create('app-a', { name: 'again' });
    expect(other.token).not.toBe(created.token);
    expect(other.id).not.toBe(created.id);
  });

  it('verifies the admin token as every application', async () => {
    const { service } = setup();
    expect(await service.verify(ADMIN)).toEqual({ applicationId: null, readOnly: false, tokenId: null });
  });

  it('verifies an application token as its application, read-only when made so', async () => {
    const { service } = setup();
    const rw = await service.create('app-a', { name: 'rw' });
    const ro = await service.create('app-b', { name: 'ro', readOnly: true });
    expect(await service.verify(rw.token)).toEqual({
      applicationId: 'app-a',
      readOnly: false,
      tokenId: rw.id,
    });
    expect(await service.verify(ro.token)).toEqual({
      applicationId: 'app-b',
      readOnly: true,
      tokenId: ro.id,
    });
  });

  it.each(['', 'wrong', ADMIN + 'x', ADMIN.slice(0, -1), 'lns_' + 'A'.repeat(43), 'Bearer ' + ADMIN])(
    'refuses %j',
    async (token) => {
      const { service } = setup();
      await service.create('app-a', { name: 'x' });
      expect(await service.verify(token)).toBeNull();
    },
  );

  it('lists without the token or its hash', async () => {
    const { service } = setup();
    const t = await service.create('app-a', { name: 'one', readOnly: true });
    await service.create('app-b', { name: 'other app' });
    const list = await service.list('app-a');
    expect(list).toEqual([
      { id: t.id, applicationId: 'app-a', name: 'one', readOnly: true, createdAt: t.createdAt },
    ]);
  });

  it('revokes: the token is refused after, and the revocation is announced on the bus', async () => {
    const { bus, service } = setup();
    const t = await service.create('app-a', { name: 'x' });
    const seen: unknown[] = [];
    bus.on('application.token.revoked', (e) => void seen.push(e));
    await service.revoke('app-a', t.id);
    expect(await service.verify(t.token)).toBeNull();
    expect(seen).toEqual([{ tokenId: t.id, applicationId: 'app-a' }]);
  });

  it('refuses an unknown application and a token of another application', async () => {
    const { service } = setup();
    const t = await service.create('app-a', { name: 'x' });
    await expect(service.create('nope', { name: 'x' })).rejects.toThrow(ApplicationNotFoundError);
    await expect(service.list('nope')).rejects.toThrow(ApplicationNotFoundError);
    await expect(service.revoke('nope', t.id)).rejects.toThrow(ApplicationNotFoundError);
    await expect(service.revoke('app-b', t.id)).rejects.toThrow(ApiTokenNotFoundError);
    expect(await service.verify(t.token)).not.toBeNull();
  });
});
