import { Logger } from '@nestjs/common';
import { GatewayRepository } from './gateway.repository';
import { GatewayAlreadyRegisteredError, GatewayService, MAX_SKIPPED_WRITES } from './gateway.service';
import { GatewayRegistry, newGatewayState } from './gateway-registry';
import { GatewayState } from './gateway-state';

function fakeRepository() {
  const saved: GatewayState[][] = [];
  const rows: GatewayState[] = [];
  const repo = {
    rows,
    saved,
    loadAll: jest.fn(async (): Promise<GatewayState[]> => repo.rows),
    insert: jest.fn(async (_gw: GatewayState) => undefined),
    delete: jest.fn(async (_id: string) => false),
    saveStates: jest.fn(async (states: GatewayState[], _wait?: boolean) => {
      saved.push(states.map((s) => ({ ...s })));
      return true;
    }),
  };
  return repo;
}

function setup() {
  const registry = new GatewayRegistry();
  const repo = fakeRepository();
  const service = new GatewayService(registry, repo as unknown as GatewayRepository);
  return { registry, repo, service };
}

describe('GatewayService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.useRealTimers());

  it('loads every row into memory at start', async () => {
    const { registry, repo, service } = setup();
    repo.rows = [newGatewayState('0102030405060708', 'gw', 'EU868', new Date(0), true)];
    await service.onModuleInit();
    expect(registry.get('0102030405060708')?.name).toBe('gw');
    await service.onApplicationShutdown();
  });

  it('registers once, refusing a second registration of the same EUI', async () => {
    const { repo, service } = setup();
    await service.register({ gatewayId: '0102030405060708', name: 'a' });
    expect(repo.insert).toHaveBeenCalledTimes(1);
    await expect(service.register({ gatewayId: '0102030405060708', name: 'b' })).rejects.toBeInstanceOf(
      GatewayAlreadyRegisteredError,
    );
  });

  it('promotes a gateway let in by allowUnknown, keeping its counters', async () => {
    const { registry, service } = setup();
    const eph = registry.addUnregistered('0102030405060708', 0)!;
    eph.counters.pushData = 3;
    const gw = await service.register({ gatewayId: '0102030405060708', name: 'kept', region: 'EU868' });
    expect(gw).toMatchObject({ registered: true, name: 'kept', region: 'EU868' });
    expect(gw.counters.pushData).toBe(3);
    expect(registry.get('0102030405060708')).toBe(gw);
  });

  it('leaves the registry as it was when the insert fails', async () => {
    const { registry, repo, service } = setup();
    repo.insert.mockRejectedValueOnce(new Error('disk full'));
    await expect(service.register({ gatewayId: '0102030405060708', name: 'a' })).rejects.toThrow('disk full');
    expect(registry.get('0102030405060708')).toBeUndefined();
  });

  it('writes behind only changed registered gateways, and again after a failure', async () => {
    const { registry, repo, service } = setup();
    const a = await service.register({ gatewayId: 'aa00000000000000', name: 'a' });
    await service.register({ gatewayId: 'bb00000000000000', name: 'b' });
    registry.addUnregistered('cc00000000000000', 0)!.dirty = true;
    a.dirty = true;
    a.lastSeenAt = 1234;
    await service.flush();
    expect(repo.saved).toEqual([
      [expect.objectContaining({ gatewayId: 'aa00000000000000', lastSeenAt: 1234 })],
    ]);
    await service.flush();
    expect(repo.saved).toHaveLength(1);

    a.dirty = true;
    repo.saveStates.mockRejectedValueOnce(new Error('locked'));
    await service.flush();
    expect(a.dirty).toBe(true);
    await service.flush();
    expect(repo.saved).toHaveLength(2);
  });

  it('skips a periodic write-behind while the database is busy, keeping the changes; waits after MAX_SKIPPED_WRITES', async () => {
    const { repo, service } = setup();
    const a = await service.register({ gatewayId: 'aa00000000000000', name: 'a' });
    const waits: boolean[] = [];
    repo.saveStates.mockImplementation(async (_states: GatewayState[], wait = true) => {
      waits.push(wait);
      return wait;
    });
    for (let i = 0; i <= MAX_SKIPPED_WRITES; i++) {
      a.dirty = true;
      await service.flush(false);
    }
    expect(waits).toEqual([...Array<boolean>(MAX_SKIPPED_WRITES).fill(false), true]);
    expect(a.dirty).toBe(false);
    a.dirty = true;
    await service.flush(false);
    expect(waits.at(-1)).toBe(false);
  });

  it('flushes on a timer and at shutdown', async () => {
    jest.useFakeTimers();
    const { repo, service } = setup();
    await service.onModuleInit();
    const a = await service.register({ gatewayId: 'aa00000000000000', name: 'a' });
    a.dirty = true;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(repo.saveStates).toHaveBeenCalledTimes(1);
    a.dirty = true;
    await service.onApplicationShutdown();
    expect(repo.saveStates).toHaveBeenCalledTimes(2);
  });

  it('removes from memory and database', async () => {
    const { registry, repo, service } = setup();
    await service.register({ gatewayId: 'aa00000000000000', name: 'a' });
    expect(await service.remove('aa00000000000000')).toBe(true);
    expect(registry.get('aa00000000000000')).toBeUndefined();
    expect(repo.delete).toHaveBeenCalledWith('aa00000000000000');
    expect(await service.remove('aa00000000000000')).toBe(false);
  });
});
