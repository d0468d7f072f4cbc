import { ModuleRef } from '@nestjs/core';
import { ClaimService, DeviceOwnershipRegistry, JoinServerError, JoinServerService } from '@lns/join-server';
import { LnsConfig } from '@lns/config';
import { SessionStore } from '../session/session-store';
import { JoinServerRootKeys } from './join-server-root-keys';
import { RegistryConflictError, RegistryValidationError } from './registry-errors';
import { RegistryPeers } from './registry-peers';
import { RootKeyStore } from './root-key-store';

function moduleRef(providers: Map<unknown, unknown>) {
  const get = jest.fn((token: unknown) => {
    if (!providers.has(token)) throw new Error('Nest could not find the element');
    return providers.get(token);
  });
  return { ref: { get } as unknown as ModuleRef, get };
}

describe('RegistryPeers', () => {
  it('finds a peer anywhere in the application and remembers it', () => {
    const store = {} as SessionStore;
    const { ref, get } = moduleRef(new Map([[SessionStore, store]]));
    const peers = new RegistryPeers(ref);
    expect(peers.sessions()).toBe(store);
    expect(peers.sessions()).toBe(store);
    expect(get).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledWith(SessionStore, { strict: false });
  });

  it('answers undefined while a peer is missing, and finds it once it is there', () => {
    const providers = new Map<unknown, unknown>();
    const peers = new RegistryPeers(moduleRef(providers).ref);
    expect(peers.sessions()).toBeUndefined();
    expect(peers.rootKeys()).toBeUndefined();
    expect(peers.joinServers()).toBeUndefined();
    const store = {} as SessionStore;
    providers.set(SessionStore, store);
    expect(peers.sessions()).toBe(store);
  });

  it('prefers a RootKeyStore provided as such, else wraps the embedded join server', () => {
    const js = {} as JoinServerService;
    const peers = new RegistryPeers(moduleRef(new Map([[JoinServerService, js]])).ref);
    expect(peers.rootKeys()).toBeInstanceOf(JoinServerRootKeys);
    const own = {} as RootKeyStore;
    const peers2 = new RegistryPeers(
      moduleRef(
        new Map<unknown, unknown>([
          [JoinServerService, js],
          [RootKeyStore, own],
        ]),
      ).ref,
    );
    expect(peers2.rootKeys()).toBe(own);
  });

  it("gives the embedded join server's root keys its claims and this network's NetID", async () => {
    const js = { deleteDevice: jest.fn(async () => true) };
    const claims = { release: jest.fn(async () => 'released') };
    const providers = new Map<unknown, unknown>([[JoinServerService, js]]);
    const peers = new RegistryPeers(moduleRef(providers).ref, { netId: '00001A' } as LnsConfig);
    const store = peers.rootKeys()!;
    // The claims are looked up when a device is removed, not when the store is made.
    providers.set(ClaimService, claims);
    await store.removeDeviceKeys('0102030405060708');
    expect(claims.release).toHaveBeenCalledWith('0102030405060708', { homeNetId: '00001A' });
    expect(js.deleteDevice).not.toHaveBeenCalled();
    // And its manufacturer records, whose devices get no keys from the registry.
    expect(store.keysRefusal('0102030405060708')).toBeUndefined();
    providers.set(DeviceOwnershipRegistry, { ownershipOf: () => ({ claimed: false }) });
    expect(store.keysRefusal('0102030405060708')).toMatch(/manufacturer's device/);
  });
});

describe('JoinServerRootKeys', () => {
  const keys = { devEui: '0102030405060708', joinEui: '70b3d57ed0000000', macVersion: '1.1.0' as const };

  it('hands the keys to JoinServerService.upsertDeviceKeys and, without claims, deletes with deleteDevice', async () => {
    const js = {
      upsertDeviceKeys: jest.fn(async () => ({ created: true })),
      deleteDevice: jest.fn(async () => true),
    };
    const store = new JoinServerRootKeys(js as unknown as JoinServerService);
    await store.upsertDeviceKeys({ ...keys, appKey: Buffer.alloc(16, 1), nwkKey: Buffer.alloc(16, 2) });
    expect(js.upsertDeviceKeys).toHaveBeenCalledWith({
      ...keys,
      appKey: Buffer.alloc(16, 1),
      nwkKey: Buffer.alloc(16, 2),
    });
    await store.removeDeviceKeys('0102030405060708');
    expect(js.deleteDevice).toHaveBeenCalledWith('0102030405060708');
  });

  it('releases a manufacturer’s device instead of deleting it; deletes a device without a record', async () => {
    const js = { deleteDevice: jest.fn(async () => true) };
    const outcomes: Record<string, string> = {
      '0000000000000001': 'released',
      '0000000000000002': 'unclaimed',
      '0000000000000003': 'claimed-elsewhere',
      '0000000000000004': 'no-record',
    };
    const claims = { release: jest.fn(async (devEui: string) => outcomes[devEui]) };
    const store = new JoinServerRootKeys(
      js as unknown as JoinServerService,
      () => claims as unknown as ClaimService,
      '000013',
    );
    for (const devEui of Object.keys(outcomes)) await store.removeDeviceKeys(devEui);
    expect(claims.release).toHaveBeenCalledTimes(4);
    expect(claims.release).toHaveBeenCalledWith('0000000000000001', { homeNetId: '000013' });
    expect(js.deleteDevice.mock.calls).toEqual([['0000000000000004']]);
  });

  it('passes a failed release on, deleting nothing', async () => {
    const js = { deleteDevice: jest.fn(async () => true) };
    const claims = {
      release: jest.fn(async () => {
        throw new Error('database is locked');
      }),
    };
    const store = new JoinServerRootKeys(
      js as unknown as JoinServerService,
      () => claims as unknown as ClaimService,
    );
    await expect(store.removeDeviceKeys('0102030405060708')).rejects.toThrow('database is locked');
    expect(claims.release).toHaveBeenCalledWith('0102030405060708', {});
    expect(js.deleteDevice).not.toHaveBeenCalled();
  });

  it("refuses owner-typed keys for a manufacturer's device (409, devEui), claimed or not; writes nothing", async () => {
    const js = { upsertDeviceKeys: jest.fn(async () => ({ created: false })) };
    const records: Record<string, { claimed: boolean }> = {
      '0000000000000001': { claimed: true },
      '0000000000000002': { claimed: false },
    };
    const ownerships = { ownershipOf: jest.fn((devEui: string) => records[devEui]) };
    const store = new JoinServerRootKeys(
      js as unknown as JoinServerService,
      () => undefined,
      '000013',
      () => ownerships as unknown as DeviceOwnershipRegistry,
    );
    for (const devEui of Object.keys(records)) {
      expect(store.keysRefusal(devEui)).toMatch(/manufacturer's device.*POST \/api\/devices\/qr/);
      const err = await store.upsertDeviceKeys({ ...keys, devEui, appKey: Buffer.alloc(16) }).catch((e) => e);
      expect(err).toBeInstanceOf(RegistryConflictError);
      expect((err as RegistryConflictError).fields).toEqual([
        { field: 'devEui', reason: store.keysRefusal(devEui) },
      ]);
    }
    expect(js.upsertDeviceKeys).not.toHaveBeenCalled();
    // A device without a record (an operator's) takes its keys.
    expect(store.keysRefusal('0000000000000003')).toBeUndefined();
    await store.upsertDeviceKeys({ ...keys, devEui: '0000000000000003', appKey: Buffer.alloc(16) });
    expect(js.upsertDeviceKeys).toHaveBeenCalledTimes(1);
  });

  it("turns the join server's field errors into the registry's", async () => {
    const js = {
      upsertDeviceKeys: jest.fn(async () => {
        throw new JoinServerError('BAD_FIELD', 'nwkKey is required', 'nwkKey');
      }),
    };
    const store = new JoinServerRootKeys(js as unknown as JoinServerService);
    const err = await store.upsertDeviceKeys({ ...keys, appKey: Buffer.alloc(16) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryValidationError);
    expect((err as RegistryValidationError).fields).toEqual([
      { field: 'nwkKey', reason: 'nwkKey is required' },
    ]);
  });
});
